import { ScenarioMisuse } from '../errors.ts'
import { SipResponse, type SipMessage, type SipRequest } from '../sip/message.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should, type MustRequirement } from './requirement.ts'

/**
 * Checks of the WIC's WebSocket to the eP-CSCF on W2: the opening handshake (RFC 6455 §4.2.2, RFC 7118 §4.1), the
 * Origin policy (RFC 6455 §10.2, TS 33.203 Annex X; R11–R13), the `sip` subprotocol (R03, R04) and CRLF
 * keep-alives. Quotes marked [R] are recalled, not read in the text; [V] were read (catalogue §0.1).
 */

/** What the WIC saw of one opening handshake (HarnessWorld.tryHandshake records it). */
export interface HandshakeView {
  /** A 101 the client accepted: the WebSocket is open. */
  readonly ok: boolean
  /** The HTTP status of the answer (101 also when the client had to reject the 101). */
  readonly status: number | undefined
  /** The subprotocol the server selected (Sec-WebSocket-Protocol of its answer), '' or undefined when none. */
  readonly protocol: string | undefined
}

/**
 * R01: the eP-CSCF is the WebSocket server of the WIC. The eP-CSCF sentence of TS 24.371 §5.5 is cut in the
 * catalogue's copy; the WIC's counterpart in §5.2 is quoted [V].
 */
const SERVER = must('TS 24.371 §5.2, §5.5; RFC 6455 §4.2.2', {
  id: 'R01',
  quote:
    'When the WebSocket protocol is used, the WIC shall act as a WebSocket Client, as defined in RFC 6455',
  source: 'V',
})

/** RFC 7118 §4.1 [R] (the same sentences, for another subprotocol, in a derived text read [V~]). */
const SIP_SUBPROTOCOL = must('RFC 7118 §4.1', {
  id: 'R03',
  quote:
    'The 101 reply from the server MUST contain "sip" in its corresponding Sec-WebSocket-Protocol header.',
  source: 'R',
})

const ORIGIN_QUOTE =
  'If the server does not wish to accept this connection, it MUST return an appropriate HTTP error code ' +
  '(e.g., 403 Forbidden) and abort the WebSocket handshake described in this section.'
const FORBIDDEN_QUOTE =
  'If the origin indicated is unacceptable to the server, then it SHOULD respond to the WebSocket handshake with ' +
  'a reply containing HTTP 403 Forbidden status code.'

/** R12 (an Origin not on the allow-list) or R13 (no Origin, refused by the profile's policy). */
export type OriginCase = 'R12' | 'R13'

/**
 * Whether to refuse: TS 33.203 X.2.2.3 step 2 (the eP-CSCF checks the origin) with RFC 6455 §10.2 (a SHOULD of its
 * own); how to refuse, once refusing: RFC 6455 §4.2.2 /origin/ ("an appropriate HTTP error code"), quoted.
 */
function originRefusal(id: OriginCase): MustRequirement {
  return must('TS 33.203 X.2.2.3 step 2, RFC 6455 §10.2 (whether); RFC 6455 §4.2.2 /origin/ (how)', {
    id,
    quote: ORIGIN_QUOTE,
    source: 'V',
  })
}

function what(view: HandshakeView): string {
  if (view.ok) return `it upgraded (101, subprotocol "${view.protocol ?? ''}")`
  return view.status === 101
    ? `it answered 101 (Sec-WebSocket-Protocol: ${view.protocol || 'none'}), which the WIC had to reject`
    : `it answered HTTP ${view.status ?? '(none)'}`
}

/** R01/R03: the authorized origin, offering `sip`, gets a WebSocket with `sip` selected. */
export function checkSipWebSocketOpen(view: HandshakeView | undefined): void {
  if (view === undefined) throw new ScenarioMisuse('no WebSocket handshake was attempted in this scenario')
  expectThat(
    view.ok,
    SERVER,
    () => `expected the eP-CSCF to accept the WebSocket of the authorized origin (101), but ${what(view)}`,
  )
  expectThat(
    view.protocol === 'sip',
    SIP_SUBPROTOCOL,
    () => `expected Sec-WebSocket-Protocol: sip in the 101, got ${view.protocol || 'none'}`,
  )
}

/**
 * R12/R13: a refused origin gets an HTTP error and no WebSocket. Any 4xx meets the MUST ("an appropriate HTTP
 * error code"); 403 is the SHOULD of RFC 6455 §10.2, so another 4xx passes with a WARN (B.1).
 */
export function checkOriginRefused(view: HandshakeView | undefined, id: OriginCase): void {
  const requirement = originRefusal(id)
  if (view === undefined) throw new ScenarioMisuse('no WebSocket handshake was attempted in this scenario')
  const status = view.status
  expectThat(
    !view.ok && status !== undefined && status >= 400 && status < 500,
    requirement,
    () =>
      `expected the eP-CSCF to refuse the handshake with an HTTP 4xx (403 recommended), but ${what(view)}`,
  )
  adviseThat(
    status === 403,
    should('RFC 6455 §10.2', { id, quote: FORBIDDEN_QUOTE, source: 'V' }),
    () => `the eP-CSCF refused the origin with HTTP ${status}, not 403 Forbidden`,
  )
}

const NO_SUBPROTOCOL = must('RFC 6455 §4.2.2 /subprotocol/; RFC 7118 §4.1', {
  id: 'R04',
  quote:
    'if the server does not wish to agree to one of the suggested subprotocols, it MUST NOT send back a ' +
    '|Sec-WebSocket-Protocol| header field in its response',
  source: 'V',
})

/**
 * R04, the handshake: without `sip` offered, the eP-CSCF either refuses (any HTTP answer but 101) or upgrades
 * without selecting a subprotocol; a 101 that selects one the WIC never offered breaks RFC 6455 §4.2.2. Returns
 * whether a WebSocket is open (then `checkNoSipProcessed` must hold on it).
 */
export function checkNoSubprotocolHandshake(view: HandshakeView | undefined): boolean {
  if (view === undefined) throw new ScenarioMisuse('no WebSocket handshake was attempted in this scenario')
  expectThat(
    !(view.status === 101 && !!view.protocol),
    NO_SUBPROTOCOL,
    () =>
      `expected no Sec-WebSocket-Protocol in a 101 to a handshake that offered none, got "${view.protocol ?? ''}"`,
  )
  return view.ok
}

/** What came of a REGISTER sent on a WebSocket opened without the `sip` subprotocol. */
export interface UnnegotiatedProbe {
  /** SIP the eP-CSCF sent back on that WebSocket within the wait. */
  readonly answered: readonly SipMessage[]
  /** Requests of the scenario at the S-CSCF (Mw), keep-alive probes and reg-event traffic left out. */
  readonly atMw: readonly SipRequest[]
  readonly waitedMs: number
}

/**
 * R04, the 101-without-subprotocol variation: "no SIP is processed" on that WebSocket. The MUST is that nothing of
 * it reaches Mw: the SIP subprotocol is the one of RFC 7118, and a WebSocket that did not negotiate it carries no
 * SIP into the network [R]. An answer on that WebSocket is not forbidden by RFC 7118 §4.1 or RFC 6455 §4.2.2 (an
 * eP-CSCF may answer 4xx/5xx to say it will not serve it), so a non-2xx answer passes; a 2xx would say the request
 * was served, which is held as a SHOULD only (no text was found that forbids it) and reported as a WARN.
 */
export function checkNoSipProcessed(probe: UnnegotiatedProbe): void {
  const requirement = must('RFC 7118 §4.1', {
    id: 'R04',
    quote:
      'The SIP WebSocket Client and SIP WebSocket Server negotiate usage of the WebSocket SIP subprotocol during ' +
      'the WebSocket handshake procedure as defined in section 1.3 of [RFC6455].',
    source: 'R',
  })
  expectThat(
    probe.atMw.length === 0,
    requirement,
    () =>
      `expected no SIP processed on a WebSocket without the sip subprotocol, but the REGISTER sent on it reached ` +
      `the S-CSCF: ${probe.atMw.map((r) => r.summary()).join(', ')}`,
  )
  const served = probe.answered.filter((m) => m instanceof SipResponse && m.status >= 200 && m.status < 300)
  adviseThat(
    served.length === 0,
    should('RFC 7118 §4.1 (reasoned: a 2xx says SIP was served without the sip subprotocol)', {
      id: 'R04',
      source: 'R',
    }),
    () =>
      `the eP-CSCF answered the REGISTER on a WebSocket without the sip subprotocol with ` +
      `${served.map((m) => m.summary()).join(', ')} within ${probe.waitedMs} ms (nothing reached the S-CSCF)`,
  )
}

/**
 * CRLF keep-alive on the WebSocket, where the profile says the eP-CSCF supports it (`epcscf.keepalive.crlf`):
 * RFC 5626 §5.4 for the server's answer (§4.4.1 is the client's side: "ping" a double CRLF, "pong" a single CRLF);
 * SIP.js sends the double CRLF on its WebSocket and expects the single CRLF. No catalogue id covers it yet, so the
 * clause tag of keepalive.feature (`@RFC5626-5.4`) is its id, for the fault matrix (crlf-keepalive-unanswered). The
 * sentence was read as quoted in an implementation's source (IBM WebSphere SIP container), not in the RFC itself.
 */
export function checkKeepAlivePong(pong: KeepAliveView): void {
  const requirement = must('RFC 5626 §5.4 (client side §4.4.1), applied to the WebSocket by the profile', {
    id: 'RFC5626-5.4',
    quote:
      'When a server receives a double CRLF sequence between SIP messages on a connection-oriented transport ' +
      'such as TCP or SCTP, it MUST immediately respond with a single CRLF over the same connection.',
    source: 'R',
  })
  expectThat(
    pong.answered,
    requirement,
    () => `expected a single CRLF (pong) from the eP-CSCF after a double CRLF, but ${pong.description}`,
  )
}

/** What came back after the WIC's double CRLF (support/wic/keep-alive.ts measures it). */
export interface KeepAliveView {
  readonly answered: boolean
  /** What happened, in one sentence (`no single CRLF (pong) within 4000 ms; …`). */
  readonly description: string
}

/**
 * R12 at the browser (issue 11): nothing of a page whose WebSocket the eP-CSCF refused reaches Mw. `onMw` are the
 * scenario's Mw requests that arrived since the page opened (keep-alive probes and reg-event traffic left out); what
 * arrived before it (an earlier scenario's de-registration the SUT forwards late) is no page's.
 */
/**
 * TS 33.203 X.2.2.3 step 2 is flow text (informative per X.1, catalogue R11); the MUST is RFC 6455's: a refused
 * handshake is aborted, so no SIP of that page is processed (quote as the catalogue read it, R12 [V]).
 */
const REFUSED_PAGE = must('RFC 6455 §4.2.2 /origin/; TS 33.203 X.2.2.3 step 2', {
  id: 'R12',
  quote:
    'If the server does not wish to accept this connection, it MUST return an appropriate HTTP error code (e.g., ' +
    '403 Forbidden) and abort the WebSocket handshake described in this section.',
  source: 'V',
})

export function checkNothingOnMwFromRefusedPage(onMw: readonly SipRequest[]): void {
  expectThat(
    onMw.length === 0,
    REFUSED_PAGE,
    () => `expected nothing on Mw from a refused page, got ${onMw.map((r) => r.summary()).join(', ')}`,
  )
}
