import assert from 'node:assert/strict'
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEFAULT_SERVER_HOSTS, DEFAULT_SERVER_IPS, mintTestPki } from '../../support/pki/test-pki.ts'

const names = { hosts: [...DEFAULT_SERVER_HOSTS], ips: [...DEFAULT_SERVER_IPS] }

void describe('test PKI', { timeout: 30_000 }, () => {
  void it('the server certificate MUST chain to the CA and name the eP-CSCF host and 127.0.0.1', async () => {
    const pki = await mintTestPki(names)
    const ca = new X509Certificate(pki.ca.cert)
    const server = new X509Certificate(pki.server.cert)
    assert.ok(ca.ca, 'CA certificate has basicConstraints cA')
    assert.ok(server.checkIssued(ca), 'server certificate issued by the CA')
    assert.ok(server.verify(ca.publicKey), 'server certificate signature verifies with the CA key')
    assert.ok(!server.ca)
    assert.equal(server.checkHost('epcscf.harness.test'), 'epcscf.harness.test')
    assert.equal(server.checkHost('wwsf.harness.test'), 'wwsf.harness.test')
    assert.equal(server.checkHost('localhost'), 'localhost')
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1')
    assert.equal(server.checkHost('evil.test'), undefined)
    assert.ok(server.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'extKeyUsage serverAuth')
    assert.equal(server.publicKey.asymmetricKeyType, 'ec')
    assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
    assert.match(server.toLegacyObject().asn1Curve ?? '', /prime256v1/)
    // The private key matches the certificate.
    const publicFromKey = createPublicKey(createPrivateKey(pki.server.key)).export({
      type: 'spki',
      format: 'der',
    })
    assert.deepEqual(publicFromKey, server.publicKey.export({ type: 'spki', format: 'der' }))
    assert.ok(new Date(server.validTo).getTime() > Date.now())
  })

  void it('writes ca.crt, server.crt and server.key (0600) when given a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pki-'))
    try {
      const pki = await mintTestPki({ ...names, dir })
      assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), pki.ca.cert)
      assert.equal(await readFile(join(dir, 'server.crt'), 'utf8'), pki.server.cert)
      assert.equal(await readFile(join(dir, 'server.key'), 'utf8'), pki.server.key)
      assert.equal((await stat(join(dir, 'server.key'))).mode & 0o777, 0o600)
      assert.deepEqual(pki.files, {
        ca: join(dir, 'ca.crt'),
        cert: join(dir, 'server.crt'),
        key: join(dir, 'server.key'),
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  void it('mints an expired certificate for negative tests', async () => {
    const pki = await mintTestPki({ ...names, variant: 'expired' })
    const server = new X509Certificate(pki.server.cert)
    assert.ok(server.checkIssued(new X509Certificate(pki.ca.cert)))
    assert.ok(new Date(server.validTo).getTime() < Date.now())
  })

  void it('mints a wrong-host certificate for negative tests', async () => {
    const pki = await mintTestPki({ ...names, variant: 'wrong-host' })
    const server = new X509Certificate(pki.server.cert)
    assert.equal(server.checkHost('epcscf.harness.test'), undefined)
    assert.equal(server.checkIP('127.0.0.1'), undefined)
    assert.ok(server.verify(new X509Certificate(pki.ca.cert).publicKey))
  })

  void it('mints a certificate that does not chain to the CA', async () => {
    const pki = await mintTestPki({ ...names, variant: 'untrusted-issuer' })
    const server = new X509Certificate(pki.server.cert)
    assert.ok(!server.checkIssued(new X509Certificate(pki.ca.cert)))
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1')
  })
})
