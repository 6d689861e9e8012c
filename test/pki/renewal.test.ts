import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { renewServerCertificate } from '../../support/pki/renewal.ts'
import { mintTestPki } from '../../support/pki/test-pki.ts'

const DAY_MS = 86_400_000
const names = { hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] }

void test('a server certificate near its end is re-minted from the same CA, and the CA is kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-renewal-'))
  try {
    await mintTestPki({ dir, ...names, validDays: 30 })
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8')
    const before = readFileSync(join(dir, 'server.crt'), 'utf8')
    assert.equal(await renewServerCertificate(dir, names), 'kept')
    // 35 days on (the clock of issue 10): the certificate has expired; it is renewed, the CA stays.
    assert.equal(await renewServerCertificate(dir, { ...names, now: Date.now() + 35 * DAY_MS }), 'renewed')
    const after = readFileSync(join(dir, 'server.crt'), 'utf8')
    assert.notEqual(after, before)
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca)
    const cert = new X509Certificate(after)
    assert.ok(cert.verify(new X509Certificate(ca).publicKey), 'the new certificate chains to the same CA')
    assert.ok(Date.parse(cert.validTo) > Date.now() + 29 * DAY_MS)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('a PKI without its CA key cannot renew: the caller is told to mint a new CA', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-renewal-'))
  try {
    await mintTestPki({ dir, ...names })
    rmSync(join(dir, 'ca.key'))
    assert.equal(await renewServerCertificate(dir, { ...names, now: Date.now() + 40 * DAY_MS }), 'stale-ca')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('a kept server certificate that lacks a name the harness now wants is re-minted from the same CA', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-renewal-'))
  try {
    await mintTestPki({ dir, ...names })
    const wanted = { ...names, hosts: [...names.hosts, 'wwsf.harness.test'] }
    assert.equal(await renewServerCertificate(dir, wanted), 'renewed')
    const cert = new X509Certificate(readFileSync(join(dir, 'server.crt')))
    assert.equal(cert.checkHost('wwsf.harness.test'), 'wwsf.harness.test')
    assert.equal(await renewServerCertificate(dir, wanted), 'kept')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
