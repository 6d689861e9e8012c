import assert from 'node:assert/strict'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import { createTokenVerifier } from '../../support/epcscf/token-verifier.ts'
import { localPki } from '../helpers/pki.ts'

const ISSUER = 'https://wwsf.harness.test:8443'
const AUDIENCE = 'sip:epcscf.harness.test'
const CLAIMS = { impi: 'alice@ims.harness.test', impu: ['sip:alice@ims.harness.test', 'tel:+15550101'] }

function token(
  key: CryptoKey,
  opts: { alg?: string; typ?: string; aud?: string; claims?: JWTPayload; exp?: string } = {},
): Promise<string> {
  return new SignJWT(opts.claims ?? CLAIMS)
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: 'k1', typ: opts.typ ?? 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(opts.exp ?? '5m')
    .sign(key)
}

void describe('token verifier (TR 23.701 X.2.1.3 step 4)', { timeout: 30_000 }, () => {
  void it('accepts a valid ES256 at+jwt and returns the bound identities (static PEM key)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const verifier = createTokenVerifier({
      publicKeyPem: await exportSPKI(publicKey),
      issuer: ISSUER,
      audience: AUDIENCE,
    })
    const verdict = await verifier.verify(await token(privateKey))
    assert.ok(verdict.ok)
    assert.equal(verdict.impi, CLAIMS.impi)
    assert.deepEqual(verdict.impus, CLAIMS.impu)
  })

  void it('MUST reject a wrong audience, a wrong typ, an expired token, a missing identity claim', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const verifier = createTokenVerifier({
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
      issuer: ISSUER,
      audience: AUDIENCE,
    })
    for (const bad of [
      await token(privateKey, { aud: 'sip:other.test' }),
      await token(privateKey, { typ: 'JWT' }),
      await token(privateKey, { exp: '-2m' }),
      await token(privateKey, { claims: { impu: CLAIMS.impu } }),
      'not.a.jwt',
    ]) {
      const verdict = await verifier.verify(bad)
      assert.equal(verdict.ok, false, bad)
    }
  })

  void it('MUST reject an algorithm outside the allow-list (RFC 8725 §3.1)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    const verifier = createTokenVerifier({
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
    })
    const verdict = await verifier.verify(await token(privateKey, { alg: 'RS256' }))
    assert.equal(verdict.ok, false)
    if (!verdict.ok) assert.match(verdict.reason, /ERR_JOSE_ALG_NOT_ALLOWED/)
  })

  void it('fetches the JWKS over HTTPS with the harness CA', async () => {
    const pki = await localPki()
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] })
    const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(jwks)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const verifier = createTokenVerifier({
        jwksUrl: `https://127.0.0.1:${port}/.well-known/jwks.json`,
        ca: pki.ca.cert,
        issuer: ISSUER,
        audience: AUDIENCE,
      })
      assert.ok((await verifier.verify(await token(privateKey))).ok)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
