/**
 * Each fault switch of the reference eP-CSCF (support/epcscf/faults.ts) really injects its defect: a probe runs
 * against the real reference and the real mock S-CSCF and reports the defect it observed, and the same probe
 * against the reference without the fault observes none (so the probe can fail, and the defect is the fault's).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from 'jose'
import { FAULT_NAMES, type FaultName } from '../../support/epcscf/faults.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseNameAddrList } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseViaList } from '../../support/sip/via.ts'
import { cancelFor } from '../../support/dialog/cancel.ts'
import { webrtcAnswer, webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'
import type { Wic } from '../../support/wic/wic.ts'
import { WebSocket } from 'ws'
import { ORIGIN, withBench, type Bench, type BenchOptions } from './bench.ts'
import { SECURITY_DEFECT_PROBES } from './security-probes.ts'
import { IDENTITY_DEFECT_PROBES } from './identity-probes.ts'
import { TOKEN_DEFECT_PROBES, TOKEN_LIFECYCLE_PROBES } from './token-probes.ts'

/** What a probe saw: a description of the defect, or undefined when the eP-CSCF behaved. */
type Probe = (bench: Bench) => Promise<string | undefined>

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n'

/** Resolves with `promise`'s value, or `undefined` when it has not settled within `ms` (a rejection too). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([promise.catch(() => undefined), late])
  } finally {
    clearTimeout(timer)
  }
}

/** The first REGISTER the S-CSCF receives for a registration the WIC starts (not awaited: it may never end). */
async function firstRegister(bench: Bench, start: (wic: Wic) => Promise<unknown>): Promise<SipRequest> {
  const wic = await bench.wic()
  start(wic).catch(() => undefined)
  return (await bench.scscf.expectRequest({ method: 'REGISTER' }, { withinMs: 2000 })).request
}

async function registered(bench: Bench, user: 'alice' | 'bob' = 'alice'): Promise<Wic> {
  const wic = await bench.wic(user)
  const outcome = await wic.register()
  assert.equal(outcome.final.status, 200, `${user} registers`)
  return wic
}

/** A request of a registered WIC; returns what the S-CSCF received of it, if anything. */
async function originated(
  bench: Bench,
  wic: Wic,
  method: string,
  options: Parameters<Wic['createRequest']>[2] = {},
): Promise<{ status: number; atMw: SipRequest | undefined }> {
  bench.scscf.setOriginatingHandler(() => 200)
  const request = wic.createRequest(method, 'sip:bob@ims.harness.test', { body: 'x', ...options })
  const status = (await wic.request(request)).status
  const atMw = bench.atScscf(method).find((r) => r.get('Call-ID') === request.get('Call-ID'))
  return { status, atMw }
}

/** Registration with a token; the defect is that it reached the core at all. */
const tokenProbe =
  (token: (bench: Bench) => Promise<string>, user: 'alice' | 'bob' = 'alice'): Probe =>
  async (bench) => {
    const wic = await bench.wic(user)
    await wic.register({ authorization: { bearer: await token(bench), carriage: 'rfc8898' } })
    const atMw = bench.atScscf('REGISTER')
    return atMw.length > 0 ? `the REGISTER reached Mw (${atMw.length})` : undefined
  }

/** A 200 with a WebRTC answer from the core to Alice's INVITE; the defect is an attribute missing at the WIC. */
const sdpTowardWicProbe =
  (attribute: RegExp, defect: string): Probe =>
  async (bench) => {
    const wic = await registered(bench)
    bench.scscf.setOriginatingHandler((incoming) => {
      const ok = incoming.response(200)
      ok.append('Contact', '<sip:core@127.0.0.1>').append('Content-Type', 'application/sdp')
      ok.body = webrtcAnswer(incoming.request.body)
      return ok.updateContentLength()
    })
    const offer = { body: webrtcOffer(), contentType: 'application/sdp' }
    const response = await wic.request(wic.createRequest('INVITE', 'sip:bob@ims.harness.test', offer))
    return response.status === 200 && !attribute.test(response.body) ? defect : undefined
  }

const contactOf = (r: SipRequest) => parseNameAddrList(r.get('Contact') ?? '')[0]
const integrityOf = (r: SipRequest) =>
  /integrity-protected="?([\w-]+)/i.exec(r.get('Authorization') ?? '')?.[1]

/**
 * One probe per fault switch. Keyed by name (not `Record<FaultName, ...>`), so that a fault added to faults.ts
 * without a probe is reported by the last test here, by name, rather than breaking the type check of this file.
 */
const PROBES: Readonly<Record<string, Probe>> = {
  // The SA3 attack matrix's faults (issue 9 §4–§6): the checks of its scenarios, as defect probes (H7).
  ...SECURITY_DEFECT_PROBES,
  // Identity, edge routing and the media profiles (issue 8, H9).
  ...IDENTITY_DEFECT_PROBES,
  // The JWS pitfalls of the WWSF token (issue 9 §2, H11).
  ...TOKEN_DEFECT_PROBES,
  ...TOKEN_LIFECYCLE_PROBES,
  'legacy-tls-allowed': async (bench) => {
    const outcome = await bench.tryWic({
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    })
    return outcome.ok ? 'a TLS 1.1 WIC connected' : undefined
  },
  'weak-tls12-ciphers': async (bench) => {
    // RFC 9325 §4.1: NULL encryption is never negotiated; a WIC offering only a NULL suite must be refused.
    const outcome = await bench.tryWic({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0' })
    return outcome.ok ? 'a TLS 1.2 WIC with a NULL-encryption suite connected' : undefined
  },
  'plain-ws-listener': async (bench) => {
    // The fault's ws:// listener is on the WSS port + 1 (websocket-edge.ts); no plain-text W2 may upgrade.
    const port = Number(new URL(bench.epcscf.wssUrl).port) + 1
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, ['sip'], { headers: { Origin: ORIGIN } })
      ws.on('open', () => {
        ws.terminate()
        resolve(true)
      })
      ws.on('error', () => resolve(false))
    })
    return opened ? `a plain-text ws:// SIP WebSocket opened on port ${port}` : undefined
  },
  'no-origin-check': async (bench) =>
    (await bench.tryWic({ origin: 'https://evil.example:8443' })).ok
      ? 'an unauthorized origin upgraded'
      : undefined,
  'origin-substring-match': async (bench) =>
    (await bench.tryWic({ origin: 'https://wwsf.harness.test:8443.evil.test' })).ok
      ? 'a look-alike origin upgraded'
      : undefined,
  'subprotocol-not-required': async (bench) => {
    const outcome = await bench.tryWic({ protocols: [] })
    if (!outcome.ok) return undefined
    const answer = await within(outcome.wic.register(), 1500)
    return answer === undefined
      ? undefined
      : `SIP processed without the sip subprotocol (${answer.final.status})`
  },
  'no-own-via': async (bench) => {
    const top = parseViaList((await firstRegister(bench, (w) => w.register())).get('Via') ?? '')[0]
    return top?.host.endsWith('.invalid') === true ? `the WIC's Via on top (${top.host})` : undefined
  },
  'max-forwards-untouched': async (bench) =>
    (await firstRegister(bench, (w) => w.register())).get('Max-Forwards') === '70'
      ? 'Max-Forwards 70'
      : undefined,
  'no-path': async (bench) =>
    (await firstRegister(bench, (w) => w.register())).get('Path') === undefined ? 'no Path' : undefined,
  'no-require-path': async (bench) => {
    const register = await firstRegister(bench, (w) => w.register())
    return register.get('Path') !== undefined && !/\bpath\b/i.test(register.get('Require') ?? '')
      ? 'Path without Require: path'
      : undefined
  },
  'no-p-charging-vector': async (bench) =>
    (await firstRegister(bench, (w) => w.register())).get('P-Charging-Vector') === undefined
      ? 'no P-Charging-Vector'
      : undefined,
  'contact-rewritten': async (bench) => {
    const contact = contactOf(await firstRegister(bench, (w) => w.register()))
    return contact !== undefined && getParam(contact.params, '+sip.instance') === undefined
      ? `+sip.instance lost: ${contact.raw}`
      : undefined
  },
  'forward-wic-integrity-protected': async (bench) => {
    const register = await firstRegister(bench, (w) => w.register({ integrityProtected: 'auth-done' }))
    return integrityOf(register) === 'auth-done' ? "the WIC's auth-done reached Mw" : undefined
  },
  'integrity-protected-yes': async (bench) =>
    integrityOf(await firstRegister(bench, (w) => w.register())) === 'yes'
      ? 'integrity-protected="yes"'
      : undefined,
  'no-service-route': async (bench) => {
    const { atMw } = await originated(bench, await registered(bench), 'MESSAGE', { route: [] })
    return atMw !== undefined && atMw.get('Route') === undefined
      ? 'forwarded without the Service-Route'
      : undefined
  },
  'trust-wic-asserted-identity': async (bench) => {
    const wic = await registered(bench)
    const { atMw } = await originated(bench, wic, 'MESSAGE', {
      headers: [['P-Asserted-Identity', '<sip:bob@ims.harness.test>']],
    })
    return /bob@/.test(atMw?.get('P-Asserted-Identity') ?? '')
      ? "the WIC's P-Asserted-Identity reached Mw"
      : undefined
  },
  'accept-unregistered': async (bench) => {
    const { status, atMw } = await originated(bench, await bench.wic(), 'MESSAGE')
    return atMw !== undefined ? `an unregistered WIC's MESSAGE reached Mw (${status})` : undefined
  },
  'challenge-altered': async (bench) => {
    const wic = await bench.wic()
    const outcome = await wic.register()
    const challenge = outcome.challenge ?? outcome.attempts.find((r) => r.status === 401)
    return challenge !== undefined && !/qop/i.test(challenge.get('WWW-Authenticate') ?? '')
      ? 'the challenge lost qop'
      : undefined
  },
  'leak-charging-vector-to-wic': async (bench) => {
    const wic = await bench.wic()
    const outcome = await wic.register()
    return outcome.final.get('P-Charging-Function-Addresses') !== undefined
      ? 'P-CFA reached the WIC'
      : undefined
  },
  'drop-responses': async (bench) => {
    const wic = await bench.wic()
    const outcome = await within(wic.register(), 1500)
    return outcome === undefined && bench.scscf.sentResponses.length > 0
      ? 'the S-CSCF answered, the WIC heard nothing'
      : undefined
  },
  'response-to-wrong-flow': async (bench) => {
    const alice = await bench.wic('alice')
    const bob = await bench.wic('bob')
    alice.register().catch(() => undefined)
    const stray = await within(
      bob.expectMessage({ description: 'a response', predicate: (m) => !m.isRequest() }, 1500),
      1600,
    )
    return stray === undefined ? undefined : "alice's response arrived on bob's WebSocket"
  },
  'no-flow-failed': async (bench) => {
    const wic = await registered(bench)
    await wic.close()
    const sent = bench.scscf.sendTerminating({ method: 'MESSAGE', to: 'sip:alice@ims.harness.test' })
    const response = await within(sent.response, 1000)
    return response === undefined ? 'no answer for a closed flow' : undefined
  },
  'no-record-route': async (bench) => {
    const { atMw } = await originated(bench, await registered(bench), 'INVITE', {
      body: SDP,
      contentType: 'application/sdp',
    })
    return atMw !== undefined && atMw.get('Record-Route') === undefined
      ? 'an INVITE without Record-Route'
      : undefined
  },
  'in-dialog-bypass': async (bench) => {
    const { atMw } = await originated(bench, await registered(bench), 'MESSAGE', {
      to: '<sip:bob@ims.harness.test>;tag=forged',
      route: [],
    })
    return atMw !== undefined ? 'a request outside any recorded dialog reached Mw' : undefined
  },
  'sdp-stripped': async (bench) => {
    const { atMw } = await originated(bench, await registered(bench), 'INVITE', {
      body: SDP,
      contentType: 'application/sdp',
    })
    return atMw !== undefined && atMw.body === '' ? 'the offer lost its SDP' : undefined
  },
  'invite-failure-rewritten': async (bench) => {
    const wic = await registered(bench)
    bench.scscf.setOriginatingHandler(() => 486)
    const request = wic.createRequest('INVITE', 'sip:bob@ims.harness.test', {
      body: SDP,
      contentType: 'application/sdp',
    })
    const status = (await wic.request(request)).status
    return status !== 486 ? `486 (Busy Here) reached the WIC as ${status}` : undefined
  },
  'cancel-ignored': async (bench) => {
    const wic = await registered(bench)
    bench.scscf.setOriginatingHandler(async (incoming) => {
      await incoming.send(incoming.response(180))
    })
    const invite = wic.createRequest('INVITE', 'sip:bob@ims.harness.test', {
      body: SDP,
      contentType: 'application/sdp',
    })
    const ringing = new Promise<void>(
      (resolve) => void wic.request(invite, { onProvisional: () => resolve() }).catch(() => undefined),
    )
    await within(ringing, 2000)
    const status = (await wic.request(cancelFor(invite))).status
    return status !== 200 ? `the CANCEL got ${status}` : undefined
  },
  'wic-sdp-without-ice': sdpTowardWicProbe(/^a=ice-ufrag:/m, 'the answer reached the WIC without ICE'),
  'wic-sdp-without-dtls': sdpTowardWicProbe(/^a=fingerprint:/m, 'the answer reached the WIC without DTLS'),
  'wic-sdp-without-rtcp-mux': sdpTowardWicProbe(
    /^a=rtcp-mux/m,
    'the answer reached the WIC without rtcp-mux',
  ),
  'token-signature-unchecked': tokenProbe(async (bench) => {
    const foreign = await generateKeyPair('ES256')
    return bench.token('alice', {}, foreign.privateKey)
  }),
  'token-expiry-unchecked': tokenProbe((bench) =>
    bench.token('alice', { exp: Math.floor(Date.now() / 1000) - 60 }),
  ),
  'token-audience-unchecked': tokenProbe((bench) => bench.token('alice', { aud: 'sip:other.example' })),
  'token-identity-unbound': tokenProbe((bench) => bench.token('bob'), 'alice'),
  'trust-wic-visited-network': async (bench) => {
    const register = await firstRegister(bench, (w) =>
      w.register({ extraHeaders: [['P-Visited-Network-ID', '"evil.example"']] }),
    )
    return /evil\.example/.test(register.getAll('P-Visited-Network-ID').join(','))
      ? "the WIC's P-Visited-Network-ID reached Mw"
      : undefined
  },
  'trust-wic-charging-vector': async (bench) => {
    const register = await firstRegister(bench, (w) =>
      w.register({ extraHeaders: [['P-Charging-Vector', 'icid-value=wic-chosen-icid']] }),
    )
    return /wic-chosen-icid/.test(register.getAll('P-Charging-Vector').join(','))
      ? "the WIC's P-Charging-Vector reached Mw"
      : undefined
  },
  'trust-wic-access-network-info': async (bench) => {
    const register = await firstRegister(bench, (w) =>
      w.register({
        extraHeaders: [
          ['P-Access-Network-Info', '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100000001; network-provided'],
        ],
      }),
    )
    return /network-provided/i.test(register.getAll('P-Access-Network-Info').join(','))
      ? "the WIC's network-provided P-Access-Network-Info reached Mw"
      : undefined
  },
  'forward-bearer-token': async (bench) => {
    const register = await firstRegister(bench, async (w) =>
      w.register({ authorization: { bearer: await bench.token(), carriage: 'rfc8898' } }),
    )
    return /bearer/i.test(register.getAll('Authorization').join(' '))
      ? 'the Bearer token reached Mw'
      : undefined
  },
  'deregister-answered-locally': async (bench) => {
    const wic = await registered(bench)
    const outcome = await wic.deregister()
    const kept = bench.scscf.bindings('sip:alice@ims.harness.test').length
    return outcome.final.status === 200 && kept > 0
      ? `the S-CSCF still holds ${kept} binding(s) after a de-registration answered 200`
      : undefined
  },
  'no-auth-done': async (bench) => {
    const register = await firstRegister(bench, async (w) =>
      w.register({ authorization: { bearer: await bench.token(), carriage: 'rfc8898' } }),
    )
    return integrityOf(register) !== 'auth-done' ? 'a token REGISTER without auth-done' : undefined
  },
}

/**
 * Faults that break a policy the profile states (support/world/environment-holder.ts implies it from the fault):
 * both runs of their probe are under that policy, so that only the fault differs.
 */
const POLICIES: Readonly<Record<string, BenchOptions>> = {
  'token-only-digest-allowed': { epcscf: { missingOrigin: 'token-only' } },
  'token-jti-replay-accepted': { variants: ['token-jti-one-time'] },
}

void describe('reference eP-CSCF fault switches inject their defect (issue 6 §4)', () => {
  for (const fault of FAULT_NAMES) {
    const probe = PROBES[fault]
    if (probe === undefined) continue // reported below
    void it(
      `${fault}: the defect is seen with the fault, and not without it`,
      { timeout: 20_000 },
      async () => {
        const policy = POLICIES[fault] ?? {}
        const without = await withBench({ tokens: true, ...policy }, probe)
        assert.equal(without, undefined, `without ${fault} the probe already sees a defect: ${without ?? ''}`)
        const seen = await withBench({ tokens: true, ...policy, faults: [fault] }, probe)
        assert.ok(seen !== undefined, `${fault} injected no defect this probe sees`)
      },
    )
  }

  void it('every fault switch has a probe', () => {
    assert.deepEqual(
      FAULT_NAMES.filter((name: FaultName) => PROBES[name] === undefined),
      [],
    )
  })
})
