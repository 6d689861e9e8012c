import assert from 'node:assert/strict'
import https from 'node:https'
import tls from 'node:tls'
import { after, before, describe, it } from 'node:test'
import {
  EnvironmentMissing,
  ServerCertificateRejected,
  TlsHandshakeFailed,
  rewrap,
} from '../../support/errors.ts'
import { tlsFailure } from '../../support/transport/tls-failure.ts'
import { localPki } from '../helpers/pki.ts'

const T = { timeout: 10_000 }

/**
 * A failed TLS handshake is classified by the code Node carries (`error.code`), from real handshakes against a
 * server that serves TLS 1.2–1.3 only: the harness rejecting the certificate is never the server refusing TLS.
 */
void describe('tlsFailure: which side ended a TLS handshake', () => {
  let server: https.Server
  let ca: string
  let port: number

  before(async () => {
    const pki = await localPki()
    ca = pki.ca.cert
    server = https.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.2' })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  function handshakeError(options: tls.ConnectionOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
        socket.destroy()
        reject(new Error('the handshake succeeded'))
      })
      socket.once('error', resolve)
    })
  }

  void it('an unknown CA is the client rejecting the certificate (environment)', T, async () => {
    const error = tlsFailure('probe', await handshakeError({ servername: 'localhost' }))
    assert.ok(error instanceof ServerCertificateRejected)
    assert.equal(error.side, 'environment')
    assert.equal(error.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    const again = rewrap(error, 'in a step')
    assert.ok(again instanceof ServerCertificateRejected)
    assert.equal(again.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })

  void it('a certificate for another host name is the client rejecting it', T, async () => {
    const error = tlsFailure('probe', await handshakeError({ ca, servername: 'other.harness.test' }))
    assert.ok(error instanceof ServerCertificateRejected)
    assert.equal(error.tlsCode, 'ERR_TLS_CERT_ALTNAME_INVALID')
  })

  void it('a server alert to a TLS 1.0-only client is the server refusing the version', T, async () => {
    const cause = await handshakeError({
      ca,
      servername: 'localhost',
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    })
    const error = tlsFailure('probe', cause)
    assert.ok(error instanceof TlsHandshakeFailed)
    assert.equal(error.side, 'inconclusive')
  })

  void it('a client that cannot offer the version at all is the environment', T, async () => {
    const cause = await handshakeError({
      ca,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=2',
    })
    const error = tlsFailure('probe', cause)
    assert.ok(error instanceof EnvironmentMissing)
  })
})
