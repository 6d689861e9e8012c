/**
 * Each variant switch of the reference eP-CSCF (support/epcscf/variants.ts) does what it says, against the real
 * reference and the real mock S-CSCF on free loopback ports: the variation is visible on the wire, and the
 * registration or request it touches still works end to end (a variant is a conformant eP-CSCF, not a broken one).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { VARIANT_NAMES, parseVariants, type VariantName } from '../../support/epcscf/variants.ts'
import { ProfileError } from '../../support/errors.ts'
import { parseAuthValue } from '../../support/sip/auth.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseNameAddrList } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseUri } from '../../support/sip/uri.ts'
import { parseViaList } from '../../support/sip/via.ts'
import { NETWORK_PARTY } from '../../support/scscf/network-ua.ts'
import { WicCall } from '../../support/wic/wic-calls.ts'
import { webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'
import type { Wic } from '../../support/wic/wic.ts'
import { checkCorsHeaders } from '../../support/checks/handshake-checks.ts'
import { headerValues, rawHandshake } from '../../support/probe/handshake.ts'
import { localPki } from '../helpers/pki.ts'
import { warnings } from '../helpers/verdicts.ts'
import { ORIGIN, startBench, withBench, type Bench } from './bench.ts'

const TIMEOUT = { timeout: 20_000 }
const tested = new Set<VariantName>()

/** A test of one variant (recorded, so that the last test can tell which variants have none). */
function variant(name: VariantName, title: string, body: () => Promise<void>): void {
  tested.add(name)
  void it(`${name}: ${title}`, TIMEOUT, body)
}

/** The S-CSCF sends a MESSAGE along alice's Path; the WIC gets it and answers 200, which comes back. */
async function terminatingReaches(bench: Bench, wic: Wic): Promise<SipRequest> {
  const sent = bench.scscf.sendTerminating({
    method: 'MESSAGE',
    to: 'sip:alice@ims.harness.test',
    body: 'hi',
  })
  const delivered = await wic.expectRequest('MESSAGE')
  await wic.respond(delivered, 200)
  assert.equal((await sent.response).status, 200, 'the 200 of the WIC reaches the S-CSCF')
  return delivered
}

function pathUris(register: SipRequest) {
  return register
    .getAll('Path')
    .flatMap(parseNameAddrList)
    .map((n) => n.uri)
}

function vias(request: SipRequest) {
  return request.getAll('Via').flatMap(parseViaList)
}

async function registeredWic(bench: Bench): Promise<Wic> {
  const wic = await bench.wic()
  const outcome = await wic.register()
  assert.equal(outcome.final.status, 200, 'alice registers')
  return wic
}

void describe('reference eP-CSCF variant switches (catalogue Appendix B.1)', () => {
  variant(
    'options-probes',
    'OPTIONS probes at start and then periodically, answered 200, never scenario traffic',
    () =>
      withBench({ variants: ['options-probes'], epcscf: { probeIntervalMs: 60 } }, async (bench) => {
        await new Promise((resolve) => setTimeout(resolve, 250))
        const probes = bench.scscf.allReceived.filter((r) => r.request.method === 'OPTIONS')
        assert.ok(probes.length >= 2, `at least two probes in 250 ms, got ${probes.length}`)
        assert.ok(probes.every((p) => p.kind === 'keep-alive'))
        assert.equal(vias(probes[0]!.request).length, 1, 'a probe carries the eP-CSCF Via only')
        assert.ok(
          bench.scscf.sentResponses.some((r) => r.status === 200 && /OPTIONS/.test(r.get('CSeq') ?? '')),
        )
        assert.deepEqual(bench.scscf.received, [], 'no scenario traffic')
      }),
  )

  variant(
    'mw-tcp',
    'Mw over TCP from an ephemeral port, Path transport=tcp, terminating over TCP, idle close',
    () =>
      withBench({ variants: ['mw-tcp'], epcscf: { mwTcpIdleMs: 300 } }, async (bench) => {
        const wic = await registeredWic(bench)
        const forwarded = bench.scscf.received.find((r) => r.request.method === 'REGISTER')!
        assert.equal(forwarded.flow.remote.transport, 'TCP')
        assert.notEqual(forwarded.flow.remote.port, bench.epcscf.mwPort, 'an ephemeral source port')
        assert.equal(vias(forwarded.request)[0]?.transport, 'TCP')
        assert.equal(getParam(pathUris(forwarded.request)[0]!.params, 'transport'), 'tcp')
        const delivered = await terminatingReaches(bench, wic)
        assert.equal(delivered.method, 'MESSAGE')
        await new Promise((resolve) => setTimeout(resolve, 600))
        assert.ok(forwarded.flow.closed, 'the idle Mw TCP connection was closed')
      }),
  )

  void it(
    'without a variant, a request larger than 1300 bytes goes over TCP (RFC 3261 §18.1.1)',
    TIMEOUT,
    () =>
      withBench({}, async (bench) => {
        const wic = await registeredWic(bench)
        bench.scscf.setOriginatingHandler(() => 200)
        const big = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', {
          body: 'x'.repeat(1400),
          contentType: 'text/plain',
        })
        assert.equal((await wic.request(big)).status, 200, 'answered by the S-CSCF, not 503')
        const message = bench.scscf.received.find((r) => r.request.method === 'MESSAGE')!
        assert.equal(message.flow.remote.transport, 'TCP')
        const register = bench.scscf.received.find((r) => r.request.method === 'REGISTER')!
        assert.equal(register.flow.remote.transport, 'UDP', 'small requests stay on UDP')
      }),
  )

  variant(
    'origin-refusal-400',
    'an unauthorized or missing Origin gets 400, the authorized one upgrades',
    () =>
      withBench({ variants: ['origin-refusal-400'] }, async (bench) => {
        const evil = await bench.tryWic({ origin: 'https://evil.example:8443' })
        assert.equal(evil.ok ? 101 : evil.status, 400)
        const none = await bench.tryWic({ origin: undefined })
        assert.equal(none.ok ? 101 : none.status, 400)
        assert.equal((await bench.wic()).protocol, 'sip')
      }),
  )

  variant(
    'cors-echo-origin',
    'the 101 names exactly the requesting authorized origin in Access-Control-Allow-Origin; no WARN',
    () =>
      withBench({ variants: ['cors-echo-origin'] }, async (bench) => {
        const url = new URL(bench.epcscf.wssUrl)
        const head = await rawHandshake({
          ...{ host: url.hostname, port: Number(url.port), path: '/', servername: 'epcscf.harness.test' },
          ...{ ca: (await localPki()).ca.cert, timeoutMs: 2000, trace: bench.trace },
          headers: [
            ['Origin', ORIGIN],
            ['Sec-WebSocket-Version', '13'],
            ['Sec-WebSocket-Protocol', 'sip'],
          ],
        })
        assert.deepEqual(headerValues(head, 'access-control-allow-origin'), [ORIGIN])
        assert.deepEqual(
          warnings(() => checkCorsHeaders([{ origin: ORIGIN, authorized: true, head }])),
          [],
        )
      }),
  )

  variant(
    'subprotocol-ignored',
    '101 without Sec-WebSocket-Protocol, then the first message closes it unprocessed',
    () =>
      withBench({ variants: ['subprotocol-ignored'] }, async (bench) => {
        const wic = await bench.wic('alice', { protocols: [] })
        assert.equal(wic.protocol, '', 'no subprotocol echoed (RFC 6455 §4.2.2)')
        const closed = wic.expectClose()
        await wic.send(wic.createRequest('OPTIONS', 'sip:ims.harness.test'))
        await closed
        assert.deepEqual(bench.scscf.received, [], 'no SIP was processed')
        assert.equal((await bench.wic()).protocol, 'sip', 'a WIC offering sip is served')
      }),
  )

  variant(
    'refuse-wic-integrity-protected',
    'a WIC-chosen integrity-protected, or Bearer with Digest, gets 403',
    () =>
      withBench({ variants: ['refuse-wic-integrity-protected'], tokens: true }, async (bench) => {
        const wic = await bench.wic()
        const hostile = await wic.register({ integrityProtected: 'auth-done' })
        assert.equal(hostile.final.status, 403)
        const both = await wic.register({
          authorization: { bearer: await bench.token(), carriage: 'rfc8898' },
          integrityProtected: 'tls-yes',
        })
        assert.equal(both.final.status, 403)
        assert.deepEqual(bench.atScscf('REGISTER'), [], 'nothing reached Mw')
        assert.equal((await wic.register()).final.status, 200, 'a clean REGISTER still registers')
      }),
  )

  variant('token-refusal-400', 'a bad token gets 400', () =>
    withBench({ variants: ['token-refusal-400'], tokens: true }, async (bench) => {
      const wic = await bench.wic()
      const outcome = await wic.register({ authorization: { bearer: 'not.a.jwt', carriage: 'rfc8898' } })
      assert.equal(outcome.final.status, 400)
      assert.deepEqual(bench.atScscf('REGISTER'), [])
    }),
  )

  variant(
    'token-refusal-no-error-attribute',
    'a bad token gets 401 whose Bearer challenge has no error',
    () =>
      withBench({ variants: ['token-refusal-no-error-attribute'], tokens: true }, async (bench) => {
        const wic = await bench.wic()
        const expired = await bench.token('alice', { exp: Math.floor(Date.now() / 1000) - 60 })
        const outcome = await wic.register({ authorization: { bearer: expired, carriage: 'rfc8898' } })
        assert.equal(outcome.final.status, 401)
        const challenge = parseAuthValue(outcome.final.get('WWW-Authenticate') ?? '')
        assert.equal(challenge.scheme.toLowerCase(), 'bearer')
        assert.equal(getParam(challenge.params, 'error'), undefined)
      }),
  )

  variant('flow-failed-480', 'a request for a closed WebSocket gets 480', () =>
    withBench({ variants: ['flow-failed-480'] }, async (bench) => {
      const wic = await registeredWic(bench)
      await wic.close()
      const sent = bench.scscf.sendTerminating({ method: 'MESSAGE', to: 'sip:alice@ims.harness.test' })
      assert.equal((await sent.response).status, 480)
    }),
  )

  variant(
    'flow-token-per-refresh',
    'each REGISTER has a new flow token, all reaching the same WebSocket',
    () =>
      withBench({ variants: ['flow-token-per-refresh'] }, async (bench) => {
        const wic = await registeredWic(bench)
        assert.equal((await wic.reRegister()).final.status, 200)
        const tokens = bench.atScscf('REGISTER').map((r) => pathUris(r)[0]?.user)
        assert.equal(new Set(tokens).size, tokens.length, `a new token per REGISTER: ${tokens.join(', ')}`)
        await terminatingReaches(bench, wic)
      }),
  )

  variant(
    'path-hostname',
    'the Path host is the eP-CSCF name; the core resolves it and reaches the WIC',
    () =>
      withBench({ variants: ['path-hostname'] }, async (bench) => {
        const wic = await registeredWic(bench)
        const register = bench.atScscf('REGISTER').at(-1)!
        assert.equal(pathUris(register)[0]?.host, 'epcscf.harness.test')
        await terminatingReaches(bench, wic)
      }),
  )

  variant('two-vias', 'two eP-CSCF Vias and Max-Forwards down by two; responses still reach the WIC', () =>
    withBench({ variants: ['two-vias'] }, async (bench) => {
      const wic = await registeredWic(bench)
      const register = bench.atScscf('REGISTER').at(-1)!
      const list = vias(register)
      assert.equal(list.length, 3)
      assert.equal(list[0]?.host, '127.0.0.1')
      assert.equal(list[1]?.host, '127.0.0.1')
      assert.equal(register.get('Max-Forwards'), '68')
      await terminatingReaches(bench, wic)
    }),
  )

  variant(
    'contact-alias',
    'Contact gets ;alias=, +sip.instance and reg-id kept, the WIC gets its own URI back',
    () =>
      withBench({ variants: ['contact-alias'] }, async (bench) => {
        const wic = await registeredWic(bench)
        const register = bench.atScscf('REGISTER').at(-1)!
        const [contact] = parseNameAddrList(register.get('Contact') ?? '')
        assert.match(getParam(contact!.uri.params, 'alias') ?? '', /^127\.0\.0\.1~\d+~6$/)
        assert.ok(getParam(contact!.params, '+sip.instance') !== undefined)
        assert.equal(getParam(contact!.params, 'reg-id'), '1')
        const delivered = await terminatingReaches(bench, wic)
        assert.equal(getParam(parseUri(delivered.uri).params, 'alias'), undefined)
      }),
  )

  variant(
    'challenge-reserialised',
    'the 401 differs as text, same scheme and parameters; digest still works',
    () =>
      withBench({ variants: ['challenge-reserialised'] }, async (bench) => {
        const wic = await bench.wic()
        const outcome = await wic.register()
        assert.equal(outcome.final.status, 200)
        const relayed = outcome.challenge!.get('WWW-Authenticate') ?? ''
        const sent = bench.scscf.sentResponses.find((r) => r.status === 401)!.get('WWW-Authenticate') ?? ''
        assert.notEqual(relayed, sent, 'the text differs')
        const norm = (v: string) => {
          const a = parseAuthValue(v)
          return [a.scheme.toLowerCase(), ...a.params.map((p) => `${p.name}=${p.value}`).sort()]
        }
        assert.deepEqual(norm(relayed), norm(sent))
      }),
  )

  variant(
    'reg-event-subscribe',
    'after registration a reg-event SUBSCRIBE, answered 200, then a NOTIFY answered 200',
    () =>
      withBench({ variants: ['reg-event-subscribe'] }, async (bench) => {
        await registeredWic(bench)
        const subscribe = await bench.scscf.expectRequest(
          { method: 'SUBSCRIBE', kinds: ['reg-event'] },
          { withinMs: 2000 },
        )
        assert.equal(subscribe.request.get('Event'), 'reg')
        assert.equal(subscribe.request.uri, 'sip:alice@ims.harness.test')
        const deadline = Date.now() + 2000
        const notified = () =>
          bench.trace
            .all()
            .some(
              (e) =>
                e.observer === 'reference eP-CSCF' && /^SIP\/2\.0 200/.test(e.raw) && /NOTIFY/.test(e.raw),
            )
        while (!notified() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
        assert.ok(notified(), 'the eP-CSCF answered the NOTIFY with 200 within 2 s')
        assert.deepEqual(bench.atScscf('SUBSCRIBE'), [], 'not scenario traffic')
      }),
  )

  variant(
    'enforce-service-route',
    'a request without the Service-Route gets 400; the preloaded one is forwarded',
    () =>
      withBench({ variants: ['enforce-service-route'] }, async (bench) => {
        const wic = await registeredWic(bench)
        bench.scscf.setOriginatingHandler(() => 200)
        const bare = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', { route: [], body: 'a' })
        assert.equal((await wic.request(bare)).status, 400)
        const preloaded = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', { body: 'b' })
        assert.deepEqual(
          preloaded.getAll('Route'),
          [...wic.serviceRoute],
          'the WIC preloads its Service-Route',
        )
        assert.equal((await wic.request(preloaded)).status, 200)
        const forwarded = bench.atScscf('MESSAGE')
        assert.equal(forwarded.length, 1)
        assert.equal(forwarded[0]!.getAll('Route').length, 1, 'the Service-Route once, not doubled')
      }),
  )

  void it(
    'without the variant, the reference replaces a missing preloaded route by the Service-Route',
    TIMEOUT,
    () =>
      withBench({}, async (bench) => {
        const wic = await registeredWic(bench)
        bench.scscf.setOriginatingHandler(() => 200)
        for (const route of [[], undefined]) {
          const request = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', { route, body: 'c' })
          assert.equal((await wic.request(request)).status, 200)
        }
        assert.ok(bench.atScscf('MESSAGE').every((m) => m.getAll('Route').length === 1))
      }),
  )

  variant(
    'media-anchored',
    'no ICE, DTLS or BUNDLE toward Mw; the WIC gets a WebRTC answer (TS 23.228 U.1.1)',
    () =>
      withBench({ variants: ['media-anchored'] }, async (bench) => {
        const wic = await registeredWic(bench)
        bench.scscf.setOriginatingHandler((incoming) => {
          const ok = incoming.response(200)
          ok.append('Contact', '<sip:bob@127.0.0.1:5999>')
          ok.append('Content-Type', 'application/sdp')
          ok.body = incoming.request.body // the core answers what it was offered (the anchored, plain RTP offer)
          return ok.updateContentLength()
        })
        const offer = webrtcOffer()
        const invite = wic.createRequest('INVITE', 'sip:bob@ims.harness.test', {
          body: offer,
          contentType: 'application/sdp',
        })
        const answer = await wic.request(invite)
        assert.equal(answer.status, 200)
        const atMw = bench.atScscf('INVITE').at(-1)!.body
        for (const attribute of [/^a=ice-ufrag:/m, /^a=fingerprint:/m, /^a=group:BUNDLE/m, /^a=candidate:/m])
          assert.doesNotMatch(atMw, attribute, `${String(attribute)} must not reach Mw`)
        assert.match(answer.body, /^a=fingerprint:/m, 'a DTLS answer toward the WIC')
        assert.match(answer.body, /^a=ice-ufrag:/m, 'ICE toward the WIC')
      }),
  )

  void it('an unknown variant is a profile error naming the field and the known names', () => {
    assert.throws(
      () => parseVariants(['options-probes', 'no-such-variant']),
      (error: unknown) =>
        error instanceof ProfileError &&
        /launcher\.variants\.1: unknown variant "no-such-variant"/.test(error.message) &&
        error.message.includes('enforce-service-route'),
    )
  })

  variant(
    'double-record-route',
    'two Record-Route values of the eP-CSCF, the Mw one on top toward Mw; the call and its BYE still cross it',
    () =>
      withBench({ variants: ['double-record-route'] }, async (bench) => {
        const wic = await registeredWic(bench)
        const call = WicCall.place(wic, NETWORK_PARTY)
        assert.equal((await call.answered()).status, 200)
        const invite = bench.atScscf('INVITE').at(-1)!
        const routes = invite.getAll('Record-Route').flatMap(parseNameAddrList)
        assert.equal(routes.length, 2)
        assert.equal(getParam(routes[1]!.uri.params, 'transport'), 'ws', 'the WIC-facing one below')
        assert.equal(routes[0]!.uri.user, routes[1]!.uri.user, 'both carry the flow token')
        assert.equal((await call.hangUp()).status, 200)
      }),
  )

  variant(
    'token-jti-one-time',
    'a token registers on its first WebSocket, and is refused with 401 invalid_token on another one',
    () =>
      withBench({ tokens: true, variants: ['token-jti-one-time'] }, async (bench) => {
        const token = await bench.token('alice', { jti: 'variant-jti' })
        const first = await bench.wic('alice')
        const bearer = { authorization: { bearer: token, carriage: 'rfc8898' as const } }
        assert.equal((await first.register(bearer)).final.status, 200, 'the first WebSocket registers')
        const replay = await (await bench.wic('alice', { name: 'alice-replay' })).register(bearer)
        assert.equal(replay.final.status, 401, 'the replay on another WebSocket is refused')
        assert.match(replay.final.get('WWW-Authenticate') ?? '', /error="invalid_token"/)
      }),
  )

  variant(
    'missing-origin-token-only',
    'a WebSocket without Origin registers by token (auth-done on Mw), its digest REGISTER gets 403 and never reaches Mw',
    () =>
      withBench({ tokens: true, epcscf: { missingOrigin: 'token-only' } }, async (bench) => {
        const noOrigin = await bench.wic('alice', { origin: undefined })
        assert.equal((await noOrigin.register()).final.status, 403, 'digest refused')
        assert.equal(bench.atScscf('REGISTER').length, 0, 'nothing of it on Mw')
        const bearer = { authorization: { bearer: await bench.token('alice'), carriage: 'rfc8898' as const } }
        assert.equal((await noOrigin.register(bearer)).final.status, 200, 'the token registers')
        assert.match(
          bench.atScscf('REGISTER')[0]?.get('Authorization') ?? '',
          /integrity-protected="auth-done"/,
        )
      }),
  )

  void it('every variant has a test here', () => {
    assert.deepEqual(
      VARIANT_NAMES.filter((name) => !tested.has(name)),
      [],
    )
  })

  void it('the bench stops cleanly even when a variant probes', TIMEOUT, async () => {
    const bench = await startBench({ variants: ['options-probes', 'reg-event-subscribe', 'mw-tcp'] })
    await bench.stop()
  })
})
