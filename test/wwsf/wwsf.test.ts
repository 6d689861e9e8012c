import assert from 'node:assert/strict'
import { get } from 'node:https'
import { describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from 'jose'
import { createTokenVerifier } from '../../support/epcscf/token-verifier.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { HOSTILE_TOKENS, SigningKeys } from '../../support/wwsf/signing-keys.ts'
import { loginAtWwsf } from '../../support/wwsf/wwsf-client.ts'
import { startTestWwsf, TEST_AUDIENCE, TEST_ISSUER } from '../helpers/wwsf.ts'

const ISSUER = TEST_ISSUER
const AUDIENCE = TEST_AUDIENCE
const ALICE = {
  impi: 'alice@ims.harness.test',
  impus: ['sip:alice@ims.harness.test', 'tel:+15550101'],
  password: 'alice-secret',
}
const BOB = { impi: 'bob@ims.harness.test', impus: ['sip:bob@ims.harness.test'], password: 'bob-secret' }

function startWwsf(trace = new TraceRecorder()) {
  return startTestWwsf({ subscribers: [ALICE, BOB], trace })
}

function fetchJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(JSON.parse(body)))
    }).on('error', reject)
  })
}

void describe('mock WWSF (TR 23.701 X.2.1.3 step 1)', { timeout: 30_000 }, () => {
  void it('logs a subscriber in and issues a token of the contract profile', async () => {
    const { wwsf, ca } = await startWwsf()
    try {
      const { status, result } = await loginAtWwsf({
        url: wwsf.url,
        user: ALICE.impi,
        password: ALICE.password,
        ca,
        timeoutMs: 4000,
      })
      assert.equal(status, 200)
      assert.ok(result)
      assert.equal(result.token_type, 'Bearer')
      const header = decodeProtectedHeader(result.access_token)
      assert.equal(header.alg, 'ES256')
      assert.equal(header.typ, 'at+jwt')
      assert.equal(header.kid, wwsf.keys.kid)
      const claims = decodeJwt(result.access_token)
      assert.equal(claims.iss, ISSUER)
      assert.equal(claims.aud, AUDIENCE)
      assert.equal(claims.sub, ALICE.impi)
      assert.equal(claims.impi, ALICE.impi)
      assert.deepEqual(claims.impu, ALICE.impus)
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 300)
      assert.equal(typeof claims.jti, 'string')
      assert.equal(typeof claims.nbf, 'number')
    } finally {
      await wwsf.stop()
    }
  })

  void it('accepts the user part of the IMPI, refuses a wrong password, and records W1 without the password', async () => {
    const { wwsf, ca, trace } = await startWwsf()
    try {
      const short = await loginAtWwsf({
        url: wwsf.url,
        user: 'bob',
        password: BOB.password,
        ca,
        timeoutMs: 4000,
      })
      assert.equal(short.status, 200)
      assert.deepEqual(short.result?.impu, BOB.impus)
      const wrong = await loginAtWwsf({ url: wwsf.url, user: 'alice', password: 'nope', ca, timeoutMs: 4000 })
      assert.equal(wrong.status, 401)
      assert.equal(wrong.result, undefined)
      const w1 = trace.all().filter((e) => e.leg === 'W1')
      assert.ok(w1.length >= 4)
      assert.ok(w1.every((e) => e.observer === 'WWSF'))
      assert.ok(w1.every((e) => !e.raw.includes(BOB.password) && !e.raw.includes('password=nope')))
    } finally {
      await wwsf.stop()
    }
  })

  void it('publishes a JWKS that verifies its tokens, and the PEM verifies them too', async () => {
    const { wwsf, ca } = await startWwsf()
    try {
      const jwks = (await fetchJson(wwsf.jwksUrl, ca)) as JSONWebKeySet
      assert.deepEqual(jwks, wwsf.keys.jwks)
      const { result } = await loginAtWwsf({
        url: wwsf.url,
        user: ALICE.impi,
        password: ALICE.password,
        ca,
        timeoutMs: 4000,
      })
      assert.ok(result)
      for (const keys of [
        { jwks },
        { publicKeyPem: wwsf.keys.publicKeyPem },
        { jwksUrl: wwsf.jwksUrl, ca },
      ]) {
        const verdict = await createTokenVerifier({ ...keys, issuer: ISSUER, audience: AUDIENCE }).verify(
          result.access_token,
        )
        assert.ok(verdict.ok, JSON.stringify(verdict))
        assert.equal(verdict.impi, ALICE.impi)
      }
    } finally {
      await wwsf.stop()
    }
  })
})

void describe('signing keys and the attack matrix (RFC 8725 §3)', { timeout: 30_000 }, () => {
  void it('every hostile token is refused by a correct verifier, a genuine one accepted', async () => {
    const keys = await SigningKeys.generate()
    const profile = { issuer: ISSUER, audience: AUDIENCE }
    const verifier = createTokenVerifier({ jwks: keys.jwks, issuer: ISSUER, audience: AUDIENCE })
    assert.ok((await verifier.verify(await keys.issue(profile, ALICE))).ok)
    for (const kind of HOSTILE_TOKENS) {
      const token = await keys.mintHostile(kind, profile, ALICE, BOB)
      const verdict = await verifier.verify(token)
      if (kind === 'foreign-impu') {
        // Validly signed: the binding to the registered IMPU is the eP-CSCF's check (bearer-gate.ts).
        assert.ok(verdict.ok)
        assert.deepEqual(verdict.impus, BOB.impus)
      } else assert.equal(verdict.ok, false, kind)
    }
  })

  void it('a key survives its PEM round trip with the same kid', async () => {
    const keys = await SigningKeys.generate()
    const again = await SigningKeys.fromPem(keys.privateKeyPem)
    assert.equal(again.kid, keys.kid)
    assert.equal(again.publicKeyPem, keys.publicKeyPem)
  })
})
