import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseAuthValue } from '../../support/sip/auth.ts'
import { computeDigestResponse, type DigestAlgorithm } from '../../support/sip/digest.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { Hss } from '../../support/scscf/hss.ts'
import { Registrar, type RegistrarOptions } from '../../support/scscf/registrar.ts'
import { reasonOfWarning } from '../../support/scscf/reject-reason.ts'
import type { RequestSource } from '../../support/scscf/binding-store.ts'

const TIMEOUT = { timeout: 5000 }
const EPCSCF: RequestSource = { transport: 'UDP', address: '127.0.0.1', port: 5060 }
const ELSEWHERE: RequestSource = { transport: 'UDP', address: '127.0.0.1', port: 45123 }
const ALICE = { impi: 'alice@ims.harness.test', impu: 'sip:alice@ims.harness.test', password: 'alice-secret' }
const PATH = '<sip:flow42@127.0.0.1:5060;lr;ob>'
const CONTACT =
  '<sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1'

class Clock {
  t = 1_700_000_000_000
  now = (): number => this.t
}

function registrar(opts: Partial<RegistrarOptions> = {}, clock = new Clock()): Registrar {
  return new Registrar({
    hss: new Hss(),
    serviceRoute: 'sip:orig@127.0.0.1:5070;lr',
    trustedNodes: ['127.0.0.1:5060'],
    now: clock.now,
    ...opts,
  })
}

interface RegisterInit {
  cseq?: number
  callId?: string
  authorization?: string | undefined
  contact?: string | undefined
  expires?: string
  path?: string | undefined
  supported?: string
  to?: string
}

function register(init: RegisterInit = {}): SipRequest {
  const lines = [
    'REGISTER sip:ims.harness.test SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp' + Math.random().toString(36).slice(2),
    'Via: SIP/2.0/WSS df7jal23ls0d.invalid;received=127.0.0.1;rport=53211;branch=z9hG4bKw1',
    'Max-Forwards: 69',
    `From: <${init.to ?? ALICE.impu}>;tag=a1`,
    `To: <${init.to ?? ALICE.impu}>`,
    `Call-ID: ${init.callId ?? 'reg-call-1'}`,
    `CSeq: ${init.cseq ?? 1} REGISTER`,
  ]
  if (init.contact !== undefined || !('contact' in init)) lines.push(`Contact: ${init.contact ?? CONTACT}`)
  if (init.expires !== undefined) lines.push(`Expires: ${init.expires}`)
  if (init.path !== undefined || !('path' in init)) lines.push(`Path: ${init.path ?? PATH}`)
  lines.push(`Supported: ${init.supported ?? 'path, outbound, gruu'}`, 'Require: path')
  if (init.authorization !== undefined || !('authorization' in init)) {
    lines.push(
      `Authorization: ${
        init.authorization ??
        `Digest username="${ALICE.impi}", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""`
      }`,
    )
  }
  lines.push('Content-Length: 0')
  const message = parseMessage(`${lines.join('\r\n')}\r\n\r\n`)
  assert.ok(message.isRequest())
  return message
}

interface Challenge {
  algorithm: DigestAlgorithm
  nonce: string
  realm: string
  qop: string | undefined
  stale: string | undefined
}

function challengesOf(response: SipResponse): Challenge[] {
  return response.getAll('WWW-Authenticate').map((line) => {
    const v = parseAuthValue(line)
    assert.equal(v.scheme, 'Digest')
    return {
      algorithm: getParam(v.params, 'algorithm') as DigestAlgorithm,
      nonce: getParam(v.params, 'nonce') ?? '',
      realm: getParam(v.params, 'realm') ?? '',
      qop: getParam(v.params, 'qop'),
      stale: getParam(v.params, 'stale'),
    }
  })
}

function answer(
  c: Challenge,
  opts: { password?: string; nc?: string; username?: string; uri?: string; integrity?: string } = {},
): string {
  const uri = opts.uri ?? 'sip:ims.harness.test'
  const nc = opts.nc ?? '00000001'
  const cnonce = '0a4f113b'
  const username = opts.username ?? ALICE.impi
  const response = computeDigestResponse({
    algorithm: c.algorithm,
    username,
    realm: c.realm,
    password: opts.password ?? ALICE.password,
    method: 'REGISTER',
    uri,
    nonce: c.nonce,
    qop: 'auth',
    nc,
    cnonce,
  })
  return (
    `Digest username="${username}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", ` +
    `response="${response}", algorithm=${c.algorithm}, cnonce="${cnonce}", qop=auth, nc=${nc}` +
    (opts.integrity ? `, integrity-protected="${opts.integrity}"` : '')
  )
}

function firstChallenge(r: Registrar): Challenge {
  const outcome = r.handle(register(), EPCSCF)
  assert.equal(outcome.result, 'challenged')
  const [c] = challengesOf(outcome.response)
  assert.ok(c)
  return c
}

void describe('Registrar: digest challenge and response (TS 24.229 §5.4.1.2, RFC 7616, RFC 8760)', () => {
  void it(
    'challenges an initial REGISTER with MD5, realm, qop="auth" and a nonce, and no Warning',
    TIMEOUT,
    () => {
      const r = registrar()
      const outcome = r.handle(register(), EPCSCF)
      assert.equal(outcome.response.status, 401)
      const lines = outcome.response.getAll('WWW-Authenticate')
      assert.equal(lines.length, 1)
      assert.match(
        lines[0] ?? '',
        /^Digest realm="ims\.harness\.test", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
      )
      assert.equal(outcome.response.has('Warning'), false)
      assert.match(outcome.response.get('To') ?? '', /;tag=/)
    },
  )

  for (const algorithms of [['MD5'], ['SHA-256'], ['SHA-256', 'MD5']] as DigestAlgorithm[][]) {
    void it(`registers after a correct answer to a ${algorithms.join('+')} challenge`, TIMEOUT, () => {
      const r = registrar({ algorithms })
      const first = r.handle(register(), EPCSCF)
      const challenges = challengesOf(first.response)
      assert.deepEqual(
        challenges.map((c) => c.algorithm),
        algorithms,
        'one WWW-Authenticate per algorithm, in the configured order (RFC 8760 §2.4)',
      )
      assert.ok(challenges.every((c) => c.qop === 'auth' && c.realm === 'ims.harness.test'))
      // The UAC uses the topmost algorithm it supports.
      const chosen = challenges[0]
      assert.ok(chosen)
      const outcome = r.handle(register({ cseq: 2, authorization: answer(chosen) }), EPCSCF)
      assert.equal(outcome.response.status, 200, outcome.notes.join('; '))
      assert.equal(outcome.result, 'registered')
      assert.equal(outcome.algorithm, chosen.algorithm)
      assert.equal(outcome.authenticatedBy, 'digest')
      assert.equal(r.bindings(ALICE.impu).length, 1)
    })
  }

  void it('also accepts the second-offered algorithm (MD5 after SHA-256)', TIMEOUT, () => {
    const r = registrar({ algorithms: ['SHA-256', 'MD5'] })
    const md5 = challengesOf(r.handle(register(), EPCSCF).response)[1]
    assert.ok(md5)
    assert.equal(md5.algorithm, 'MD5')
    assert.equal(r.handle(register({ cseq: 2, authorization: answer(md5) }), EPCSCF).response.status, 200)
  })

  void it(
    'returns 200 with Contact;expires, Path echoed, Service-Route and P-Associated-URI',
    TIMEOUT,
    () => {
      const r = registrar()
      const c = firstChallenge(r)
      const ok = r.handle(register({ cseq: 2, authorization: answer(c), expires: '600' }), EPCSCF).response
      assert.equal(ok.status, 200)
      const contacts = ok.getAll('Contact')
      assert.equal(contacts.length, 1)
      assert.match(contacts[0] ?? '', /^<sip:k2n8s1@df7jal23ls0d\.invalid;transport=ws;ob>/)
      assert.match(
        contacts[0] ?? '',
        /;\+sip\.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1/,
      )
      assert.match(contacts[0] ?? '', /;expires=600$/)
      assert.deepEqual(ok.getAll('Path'), [PATH])
      assert.equal(ok.get('Service-Route'), '<sip:orig@127.0.0.1:5070;lr>')
      assert.equal(ok.get('P-Associated-URI'), '<sip:alice@ims.harness.test>, <tel:+15550101>')
      assert.equal(ok.has('Require'), false)
      const [binding] = r.bindings('tel:+15550101')
      assert.ok(binding, 'the implicit registration set reaches the tel URI too')
      assert.equal(binding.path[0]?.uri.raw, 'sip:flow42@127.0.0.1:5060;lr;ob')
      assert.equal(binding.instance, '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>')
      assert.equal(binding.regId, '1')
      assert.equal(binding.expires, 600)
      assert.equal(binding.source, EPCSCF)
    },
  )

  void it('caps the expiration at maxExpires and uses defaultExpires when none is asked', TIMEOUT, () => {
    const r = registrar({ maxExpires: 1800, defaultExpires: 900 })
    const c = firstChallenge(r)
    const long = r.handle(register({ cseq: 2, authorization: answer(c), expires: '600000' }), EPCSCF)
    assert.match(long.response.get('Contact') ?? '', /;expires=1800$/)
    const none = r.handle(register({ cseq: 3, authorization: answer(c, { nc: '00000002' }) }), EPCSCF)
    assert.match(none.response.get('Contact') ?? '', /;expires=900$/)
  })

  void it('does not echo Path to a UA that did not indicate path support (RFC 3261 §8.2.4)', TIMEOUT, () => {
    const r = registrar()
    const c = firstChallenge(r)
    const req = register({ cseq: 2, authorization: answer(c) })
    req.remove('Supported')
    req.remove('Require')
    const outcome = r.handle(req, EPCSCF)
    assert.equal(outcome.response.status, 200)
    assert.equal(outcome.response.has('Path'), false)
    assert.ok(outcome.notes.includes('path-without-supported-path'))
  })

  void it(
    'records a missing Path, and rejects it with 421 + Require: path only when requirePath is set',
    TIMEOUT,
    () => {
      const lenient = registrar()
      const c1 = firstChallenge(lenient)
      const ok = lenient.handle(register({ cseq: 2, authorization: answer(c1), path: undefined }), EPCSCF)
      assert.equal(ok.response.status, 200)
      assert.ok(ok.notes.includes('path-missing'))

      const strict = registrar({ requirePath: true })
      const c2 = firstChallenge(strict)
      const no = strict.handle(register({ cseq: 2, authorization: answer(c2), path: undefined }), EPCSCF)
      assert.equal(no.response.status, 421)
      assert.equal(no.response.get('Require'), 'path')
      assert.equal(reasonOfWarning(no.response.get('Warning')), 'path-missing')
      assert.equal(strict.bindings(ALICE.impu).length, 0)
    },
  )
})

void describe('Registrar: failures carry their reason in a Warning (RFC 3261 §20.43)', () => {
  void it(
    'answers a wrong password with 403 and digest-response-mismatch, and keeps no binding',
    TIMEOUT,
    () => {
      const r = registrar()
      const c = firstChallenge(r)
      const outcome = r.handle(register({ cseq: 2, authorization: answer(c, { password: 'wrong' }) }), EPCSCF)
      assert.equal(outcome.response.status, 403)
      assert.equal(outcome.response.get('Warning'), '399 scscf.harness.test "digest-response-mismatch"')
      assert.equal(outcome.reason, 'digest-response-mismatch')
      assert.equal(r.bindings(ALICE.impu).length, 0)
    },
  )

  void it('answers an unknown IMPI with 403 unknown-impi', TIMEOUT, () => {
    const r = registrar()
    const auth = `Digest username="mallory@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""`
    const outcome = r.handle(register({ authorization: auth }), EPCSCF)
    assert.equal(outcome.response.status, 403)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'unknown-impi')
  })

  void it('answers an IMPU of another subscriber with 403 impu-not-bound-to-impi', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(register({ to: 'sip:bob@ims.harness.test' }), EPCSCF)
    assert.equal(outcome.response.status, 403)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'impu-not-bound-to-impi')
  })

  void it('answers a digest uri that is not the Request-URI with 400 (RFC 2617 §3.2.2.5)', TIMEOUT, () => {
    const r = registrar()
    const c = firstChallenge(r)
    const auth = answer(c, { uri: 'sip:other.example' })
    const outcome = r.handle(register({ cseq: 2, authorization: auth }), EPCSCF)
    assert.equal(outcome.response.status, 400)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'digest-uri-mismatch')
  })

  void it('refuses a nonce issued to another IMPI', TIMEOUT, () => {
    const r = registrar()
    const c = firstChallenge(r)
    const bob = `Digest username="bob@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="${c.nonce}", response="00", algorithm=MD5, cnonce="x", qop=auth, nc=00000001`
    const outcome = r.handle(register({ to: 'sip:bob@ims.harness.test', authorization: bob }), EPCSCF)
    assert.equal(outcome.response.status, 403)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'nonce-impi-mismatch')
  })

  void it('re-challenges an unknown nonce', TIMEOUT, () => {
    const r = registrar()
    const forged: Challenge = {
      algorithm: 'MD5',
      nonce: 'never-issued',
      realm: 'ims.harness.test',
      qop: 'auth',
      stale: undefined,
    }
    const outcome = r.handle(register({ authorization: answer(forged) }), EPCSCF)
    assert.equal(outcome.response.status, 401)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'nonce-unknown')
    assert.notEqual(challengesOf(outcome.response)[0]?.nonce, 'never-issued')
  })

  void it('re-challenges a replayed nonce count (RFC 7616 §3.4)', TIMEOUT, () => {
    const r = registrar()
    const c = firstChallenge(r)
    assert.equal(r.handle(register({ cseq: 2, authorization: answer(c) }), EPCSCF).response.status, 200)
    const replay = r.handle(register({ cseq: 3, authorization: answer(c) }), EPCSCF)
    assert.equal(replay.response.status, 401)
    assert.equal(replay.reason, 'nonce-count-replay')
    const next = r.handle(register({ cseq: 4, authorization: answer(c, { nc: '00000002' }) }), EPCSCF)
    assert.equal(next.response.status, 200, 'a higher nc with the same nonce is fine')
  })

  void it('rejects an out-of-order CSeq for the same Call-ID (RFC 3261 §10.3 step 7)', TIMEOUT, () => {
    const r = registrar()
    const c = firstChallenge(r)
    assert.equal(r.handle(register({ cseq: 5, authorization: answer(c) }), EPCSCF).response.status, 200)
    const old = r.handle(register({ cseq: 4, authorization: answer(c, { nc: '00000002' }) }), EPCSCF)
    assert.equal(old.response.status, 500)
    assert.equal(reasonOfWarning(old.response.get('Warning')), 'out-of-order-cseq')
  })
})

void describe('Registrar: stale nonce (RFC 7616 §3.3)', () => {
  void it(
    'answers a correct digest with an expired nonce with 401 stale=true and a fresh nonce',
    TIMEOUT,
    () => {
      const clock = new Clock()
      const r = registrar({ nonceLifetimeMs: 30_000 }, clock)
      const c = firstChallenge(r)
      clock.t += 30_001
      const outcome = r.handle(register({ cseq: 2, authorization: answer(c) }), EPCSCF)
      assert.equal(outcome.response.status, 401)
      assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'nonce-stale')
      const [fresh] = challengesOf(outcome.response)
      assert.ok(fresh)
      assert.equal(fresh.stale, 'true')
      assert.notEqual(fresh.nonce, c.nonce)
      assert.equal(r.handle(register({ cseq: 3, authorization: answer(fresh) }), EPCSCF).response.status, 200)
    },
  )

  void it('answers a wrong digest with an expired nonce with 403, not stale', TIMEOUT, () => {
    const clock = new Clock()
    const r = registrar({ nonceLifetimeMs: 30_000 }, clock)
    const c = firstChallenge(r)
    clock.t += 60_000
    const outcome = r.handle(register({ cseq: 2, authorization: answer(c, { password: 'x' }) }), EPCSCF)
    assert.equal(outcome.response.status, 403)
  })
})

void describe('Registrar: integrity-protected (TS 33.203 Annex U and P.4, TS 24.229 §5.4.1.2.2)', () => {
  const authDone = `Digest username="${ALICE.impi}", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response="", integrity-protected="auth-done"`

  void it('registers an auth-done REGISTER from the trusted eP-CSCF without a challenge', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(register({ authorization: authDone }), EPCSCF)
    assert.equal(outcome.response.status, 200)
    assert.equal(outcome.authenticatedBy, 'auth-done')
    assert.equal(outcome.integrityProtected, 'auth-done')
    assert.equal(r.bindings(ALICE.impu)[0]?.authenticatedBy, 'auth-done')
  })

  void it('accepts the unquoted form integrity-protected=auth-done too', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(
      register({ authorization: authDone.replace('"auth-done"', 'auth-done') }),
      EPCSCF,
    )
    assert.equal(outcome.response.status, 200)
  })

  void it('ignores auth-done from an untrusted source and challenges, saying why', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(register({ authorization: authDone }), ELSEWHERE)
    assert.equal(outcome.response.status, 401)
    assert.equal(outcome.reason, 'auth-done-from-untrusted-node')
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'auth-done-from-untrusted-node')
    assert.equal(r.bindings(ALICE.impu).length, 0)
  })

  void it('still verifies the identity of an auth-done REGISTER from the trusted node', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(register({ authorization: authDone, to: 'sip:bob@ims.harness.test' }), EPCSCF)
    assert.equal(outcome.response.status, 403)
    assert.equal(outcome.reason, 'impu-not-bound-to-impi')
  })

  for (const value of ['yes', 'no', 'tls-connected']) {
    void it(
      `challenges an IMS AKA value integrity-protected="${value}" with Digest and records it`,
      TIMEOUT,
      () => {
        const r = registrar()
        const auth = authDone.replace('auth-done', value)
        const outcome = r.handle(register({ authorization: auth }), EPCSCF)
        assert.equal(outcome.response.status, 401)
        assert.equal(outcome.reason, 'aka-integrity-value-ignored')
        assert.ok(outcome.notes.some((n) => n.includes(value)))
      },
    )
  }

  void it('treats tls-pending like any digest REGISTER', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(
      register({ authorization: authDone.replace('auth-done', 'tls-pending') }),
      EPCSCF,
    )
    assert.equal(outcome.response.status, 401)
    assert.equal(outcome.reason, undefined)
    assert.equal(outcome.response.has('Warning'), false)
  })

  void it('accepts "host:*" and bare-host trusted entries', TIMEOUT, () => {
    assert.equal(
      registrar({ trustedNodes: ['127.0.0.1:*'] }).handle(register({ authorization: authDone }), ELSEWHERE)
        .response.status,
      200,
    )
    assert.equal(
      registrar({ trustedNodes: ['127.0.0.1'] }).handle(register({ authorization: authDone }), ELSEWHERE)
        .response.status,
      200,
    )
    assert.equal(
      registrar({ trustedNodes: ['10.0.0.1'] }).handle(register({ authorization: authDone }), EPCSCF).response
        .status,
      401,
    )
  })
})

void describe('Registrar: de-registration (RFC 3261 §10.3 steps 6 and 7)', () => {
  const authDone = `Digest username="${ALICE.impi}", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response="", integrity-protected="auth-done"`

  function registered(): Registrar {
    const r = registrar()
    assert.equal(r.handle(register({ authorization: authDone }), EPCSCF).response.status, 200)
    assert.equal(r.bindings(ALICE.impu).length, 1)
    return r
  }

  void it('removes the binding on Expires: 0', TIMEOUT, () => {
    const r = registered()
    const outcome = r.handle(register({ cseq: 2, authorization: authDone, expires: '0' }), EPCSCF)
    assert.equal(outcome.response.status, 200)
    assert.equal(outcome.result, 'deregistered')
    assert.equal(outcome.response.has('Contact'), false)
    assert.equal(r.bindings(ALICE.impu).length, 0)
  })

  void it('removes the binding on a contact expires=0', TIMEOUT, () => {
    const r = registered()
    const outcome = r.handle(
      register({ cseq: 2, authorization: authDone, contact: `${CONTACT};expires=0` }),
      EPCSCF,
    )
    assert.equal(outcome.result, 'deregistered')
    assert.equal(r.bindings(ALICE.impu).length, 0)
  })

  void it('removes every binding on Contact: * with Expires: 0', TIMEOUT, () => {
    const r = registered()
    const outcome = r.handle(
      register({ cseq: 2, authorization: authDone, contact: '*', expires: '0' }),
      EPCSCF,
    )
    assert.equal(outcome.response.status, 200)
    assert.equal(r.bindings(ALICE.impu).length, 0)
  })

  void it('answers Contact: * without Expires: 0 with 400', TIMEOUT, () => {
    const r = registered()
    const outcome = r.handle(
      register({ cseq: 2, authorization: authDone, contact: '*', expires: '60' }),
      EPCSCF,
    )
    assert.equal(outcome.response.status, 400)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'star-contact-invalid')
    assert.equal(r.bindings(ALICE.impu).length, 1)
  })

  void it('lists the current bindings on a query without Contact', TIMEOUT, () => {
    const r = registered()
    const outcome = r.handle(register({ cseq: 2, authorization: authDone, contact: undefined }), EPCSCF)
    assert.equal(outcome.result, 'queried')
    assert.equal(outcome.response.getAll('Contact').length, 1)
  })

  void it('forgets a binding once it expires', TIMEOUT, () => {
    const clock = new Clock()
    const r = registrar({}, clock)
    r.handle(register({ authorization: authDone, expires: '60' }), EPCSCF)
    assert.equal(r.bindings(ALICE.impu).length, 1)
    clock.t += 60_000
    assert.equal(r.bindings(ALICE.impu).length, 0)
  })

  void it('refuses a malformed Expires with 400', TIMEOUT, () => {
    const r = registrar()
    const outcome = r.handle(register({ authorization: authDone, expires: 'soon' }), EPCSCF)
    assert.equal(outcome.response.status, 400)
    assert.equal(reasonOfWarning(outcome.response.get('Warning')), 'expires-invalid')
  })
})
