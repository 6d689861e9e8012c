import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createServer } from 'node:tls'
import { ServerCertificateRejected } from '../../support/errors.ts'
import { preflightCertificate } from '../../support/pki/certificate-preflight.ts'
import { mintCa, mintServerCert, mintTestPki, type ServerCertVariant } from '../../support/pki/test-pki.ts'

const names = { hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] }

async function check(variant: ServerCertVariant, trust: 'own' | 'other'): Promise<unknown> {
  const pki = await mintTestPki(names)
  const cert = variant === 'valid' ? pki.server : await mintServerCert(pki.ca, { ...names, variant })
  const caPem = trust === 'own' ? pki.ca.cert : (await mintCa()).cert
  const server = createServer({ cert: cert.cert, key: cert.key }, (socket) => socket.end())
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  try {
    await preflightCertificate({
      host: '127.0.0.1',
      port,
      servername: 'epcscf.harness.test',
      caPem,
      timeoutMs: 3000,
    })
    return undefined
  } catch (error) {
    return error
  } finally {
    await new Promise((done) => server.close(done))
  }
}

void test('the certificate preflight passes a certificate that chains to the profile CA with the right name', async () => {
  assert.equal(await check('valid', 'own'), undefined)
})

void test('an expired test certificate, another CA or another name is one environment error, not a FAIL', async () => {
  for (const [variant, trust, code] of [
    ['expired', 'own', 'CERT_HAS_EXPIRED'],
    // another CA of the same name: the signature does not verify
    ['valid', 'other', 'CERT_SIGNATURE_FAILURE'],
    ['wrong-host', 'own', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ] as const) {
    const error = await check(variant, trust)
    assert.ok(error instanceof ServerCertificateRejected, `${variant}/${trust}: ${String(error)}`)
    assert.equal(error.side, 'environment')
    assert.equal(error.tlsCode, code)
    assert.match(error.message, /epcscf\.tls\.ca/)
  }
})
