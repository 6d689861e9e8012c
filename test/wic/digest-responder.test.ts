import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseAuthValue } from '../../support/sip/auth.ts'
import { verifyDigestResponse, type DigestAlgorithm } from '../../support/sip/digest.ts'
import { SipResponse } from '../../support/sip/message.ts'
import { getParam } from '../../support/sip/params.ts'
import {
  DigestResponder,
  digestChallengesOf,
  initialDigestAuthorization,
  selectChallenge,
} from '../../support/wic/digest-responder.ts'
import { DEFAULT_DIGEST_ALGORITHMS } from '../../support/wic/wic-options.ts'

const REALM = 'ims.harness.test'
const USER = 'alice@ims.harness.test'
const PASSWORD = 'alice-secret'
const URI = 'sip:ims.harness.test'

function challenge(...values: string[]): SipResponse {
  const r = new SipResponse({ status: 401, reason: 'Unauthorized' })
  for (const v of values) r.append('WWW-Authenticate', v)
  return r
}

function digest(algorithm: string | undefined, nonce: string, extra = ', qop="auth"'): string {
  return `Digest realm="${REALM}", nonce="${nonce}"${algorithm ? `, algorithm=${algorithm}` : ''}${extra}`
}

/** Parses the Authorization value the WIC produced and checks it the way a registrar would (RFC 7616 §3.4). */
function verify(value: string, password = PASSWORD) {
  const auth = parseAuthValue(value)
  assert.equal(auth.scheme, 'Digest')
  const p = (name: string) => getParam(auth.params, name)
  const qop = p('qop')
  const ok = verifyDigestResponse(
    {
      algorithm: (p('algorithm') ?? 'MD5') as DigestAlgorithm,
      username: p('username')!,
      realm: p('realm')!,
      password,
      method: 'REGISTER',
      uri: p('uri')!,
      nonce: p('nonce')!,
      ...(qop === 'auth' ? { qop: 'auth' as const, nc: p('nc')! } : {}),
      ...(p('cnonce') !== undefined ? { cnonce: p('cnonce')! } : {}),
    },
    p('response')!,
  )
  return { ok, p, auth }
}

function answer(response: SipResponse, preference = DEFAULT_DIGEST_ALGORITHMS) {
  const responder = new DigestResponder(preference)
  const chosen = responder.accept(response)
  const a = responder.answer({ username: USER, password: PASSWORD, method: 'REGISTER', uri: URI })
  return { responder, chosen, a }
}

void describe('WIC Digest responder (RFC 7616, RFC 8760)', { timeout: 5000 }, () => {
  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    void it(`answers an ${algorithm} qop=auth challenge with a response the registrar verifies`, () => {
      const { a } = answer(challenge(digest(algorithm, 'n-' + algorithm)))
      assert.ok(a)
      assert.equal(a.header, 'Authorization')
      const { ok, p } = verify(a.value)
      assert.ok(ok, `response does not verify: ${a.value}`)
      assert.equal(p('algorithm'), algorithm)
      assert.equal(p('qop'), 'auth')
      assert.equal(p('nc'), '00000001')
      assert.ok((p('cnonce') ?? '').length > 0)
      assert.equal(p('username'), USER)
      assert.equal(p('uri'), URI)
      assert.equal(p('realm'), REALM)
      assert.match(a.value, /qop=auth, nc=00000001/)
      assert.doesNotMatch(a.value, /algorithm="/)
    })
  }

  void it('fails verification with a wrong password (the check is real)', () => {
    const { a } = answer(challenge(digest('SHA-256', 'x')))
    assert.equal(verify(a!.value, 'wrong').ok, false)
  })

  void it('treats a challenge without algorithm as MD5 (RFC 7616 §3.3)', () => {
    const { chosen, a } = answer(challenge(digest(undefined, 'n0')))
    assert.equal(chosen?.algorithm, 'MD5')
    assert.ok(verify(a!.value).ok)
  })

  void it('prefers SHA-256 when both are offered, whichever comes first', () => {
    for (const order of [
      [digest('MD5', 'm'), digest('SHA-256', 's')],
      [digest('SHA-256', 's'), digest('MD5', 'm')],
    ]) {
      const { chosen, a } = answer(challenge(...order))
      assert.equal(chosen?.algorithm, 'SHA-256')
      assert.equal(chosen?.nonce, 's')
      assert.ok(verify(a!.value).ok)
    }
  })

  void it('follows a local preference that lacks SHA-256', () => {
    const { chosen } = answer(challenge(digest('SHA-256', 's'), digest('MD5', 'm')), ['MD5'])
    assert.equal(chosen?.algorithm, 'MD5')
  })

  void it('takes the topmost of two challenges with the same algorithm (RFC 8760 §2.4)', () => {
    const { chosen } = answer(challenge(digest('SHA-256', 'first'), digest('SHA-256', 'second')))
    assert.equal(chosen?.nonce, 'first')
  })

  void it('skips algorithms, schemes and qops it does not support', () => {
    const r = challenge(
      digest('AKAv1-MD5', 'aka'),
      'Bearer realm="ims.harness.test", error="invalid_token"',
      digest('SHA-256', 'int', ', qop="auth-int"'),
    )
    const { supported, unsupported } = digestChallengesOf(r)
    assert.equal(supported.length, 0)
    assert.equal(unsupported.length, 3)
    assert.equal(selectChallenge(supported, DEFAULT_DIGEST_ALGORITHMS), undefined)
    assert.equal(answer(r).a, undefined)
  })

  void it('echoes opaque, answers 407 in Proxy-Authorization, and supports the no-qop form', () => {
    const r = new SipResponse({ status: 407, reason: 'Proxy Authentication Required' })
    r.append('Proxy-Authenticate', digest('MD5', 'p', ', opaque="op1"'))
    const { a } = answer(r)
    assert.equal(a?.header, 'Proxy-Authorization')
    const { ok, p } = verify(a!.value)
    assert.ok(ok)
    assert.equal(p('opaque'), 'op1')
    assert.equal(p('qop'), undefined)
    assert.equal(p('nc'), undefined)
  })

  void it('answers -sess algorithms', () => {
    const { chosen, a } = answer(challenge(digest('SHA-256-sess', 'ss')))
    assert.equal(chosen?.algorithm, 'SHA-256-sess')
    assert.ok(verify(a!.value).ok)
  })

  void it('increments nc when the nonce is reused and restarts it on a new nonce (RFC 7616 §3.4)', () => {
    const { responder, a } = answer(challenge(digest('SHA-256', 'n1')))
    const input = { username: USER, password: PASSWORD, method: 'REGISTER', uri: URI }
    assert.equal(verify(a!.value).p('nc'), '00000001')
    const second = verify(responder.answer(input)!.value)
    assert.equal(second.p('nc'), '00000002')
    assert.ok(second.ok)
    responder.accept(challenge(digest('SHA-256', 'n1')))
    assert.equal(verify(responder.answer(input)!.value).p('nc'), '00000003')
    responder.accept(challenge(digest('SHA-256', 'n2')))
    const fresh = verify(responder.answer(input)!.value)
    assert.equal(fresh.p('nc'), '00000001')
    assert.equal(fresh.p('nonce'), 'n2')
  })

  void it('builds the TS 24.229 initial credentials, with a hostile integrity-protected when asked', () => {
    const plain = initialDigestAuthorization({ username: USER, realm: REALM, uri: URI })
    assert.equal(
      plain,
      'Digest username="alice@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""',
    )
    const hostile = initialDigestAuthorization({
      username: USER,
      realm: REALM,
      uri: URI,
      extraParams: [{ name: 'integrity-protected', value: 'auth-done', quoted: true }],
    })
    assert.equal(getParam(parseAuthValue(hostile).params, 'integrity-protected'), 'auth-done')
  })
})
