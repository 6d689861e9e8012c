import { ScenarioMisuse } from '../errors.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should } from './requirement.ts'

/**
 * The Origin matrix's handshakes that a WebSocket library cannot write (issue 9 §3): the authorized origin in
 * capitals, two Origin header fields, Sec-WebSocket-Version 8, and what a 101 says in Access-Control-Allow-Origin.
 * Quotes marked V were read in the text (RFC 6454 §4, §5, §7.3 and RFC 6455 §4.2.1, §4.2.2 /version/, §4.4 on
 * rfcinfo.com and RFC mirrors, 2026-12-04); R are recalled.
 */

/** The head of the eP-CSCF's answer to one handshake (support/probe/handshake.ts reads it). */
export interface HandshakeHead {
  readonly status: number
  readonly statusLine: string
  /** Header fields, names in lower case, in order, repeats kept. */
  readonly headers: readonly (readonly [string, string])[]
}

function values(head: HandshakeHead, name: string): string[] {
  return head.headers
    .filter(([n]) => n === name)
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

function answered(head: HandshakeHead): string {
  return head.statusLine === '' ? `HTTP ${head.status}` : head.statusLine
}

function required(head: HandshakeHead | undefined): HandshakeHead {
  if (head === undefined)
    throw new ScenarioMisuse('no hand-written WebSocket handshake was sent in this scenario')
  return head
}

/**
 * R11: the origin is a scheme/host/port triple and the host is case-insensitive, so the authorized origin written
 * in capitals is the authorized origin, and a WIC page of it gets its SIP WebSocket.
 * Review note (2026-12-04): every sentence read says what a user agent sends (lower case) or how origins compare;
 * none obliges a server to case-fold the header's value, and no conformant browser sends capitals (RFC 6454 §4
 * step 5, §6.2). The MUST rests on reading the header as an origin (RFC 6455 §4.2.2 /origin/, catalogue [V]: "The
 * origin is serialized to ASCII and converted to lowercase"); kept, and reported as arguable.
 */
const SAME_ORIGIN = must(
  'RFC 6454 §4 step 5, §5 (with RFC 3986 §3.2.2); RFC 6455 §4.2.2 /origin/; TS 33.203 X.2.2.3 step 2',
  {
    id: 'R11',
    quote:
      'Two origins are "the same" if, and only if, they are identical. In particular: If the two origins are ' +
      'scheme/host/port triples, the two origins are the same if, and only if, they have identical schemes, hosts, ' +
      'and ports. [§5] Let uri-host be the host component of the URI, converted to lower case (using the ' +
      'i;ascii-casemap collation defined in [RFC4790]). [§4 step 5] The host subcomponent is case-insensitive. ' +
      '[RFC 3986 §3.2.2]',
    source: 'V',
  },
)

export function checkSameOriginAccepted(head: HandshakeHead | undefined, origin: string): void {
  const h = required(head)
  const protocol = values(h, 'sec-websocket-protocol').join(', ')
  expectThat(
    h.status === 101 && protocol === 'sip',
    SAME_ORIGIN,
    () =>
      `expected the eP-CSCF to upgrade the authorized origin written as ${origin} (the same origin: the host is ` +
      `case-insensitive) with Sec-WebSocket-Protocol: sip, but it answered ${answered(h)}` +
      (h.status === 101 ? ` with Sec-WebSocket-Protocol: ${protocol || 'none'}` : ''),
  )
}

/**
 * R12: a handshake with two Origin header fields is no handshake a user agent sends (RFC 6454 §7.3), and not of the
 * form RFC 6455 §4.2.1 describes; whichever field the eP-CSCF would read, it must not upgrade. Any 4xx passes: 400
 * is the code §4.2.1 names (Kamailio answers 400), 403 the one §10.2 names for a refused origin.
 */
const ONE_ORIGIN = must('RFC 6455 §4.2.1 (with RFC 6454 §7.1, §7.3)', {
  id: 'R12',
  quote:
    'The user agent MUST NOT include more than one Origin header field in any HTTP request. [RFC 6454 §7.3, read] ' +
    'If the server, while reading the handshake, finds that the client did not send a handshake that matches the ' +
    "description below ..., the server MUST stop processing the client's handshake and return an HTTP response " +
    'with an appropriate error code (such as 400 Bad Request). [RFC 6455 §4.2.1, read]',
  source: 'V',
})

export function checkTwoOriginsRefused(head: HandshakeHead | undefined, origins: readonly string[]): void {
  const h = required(head)
  expectThat(
    h.status >= 400 && h.status < 500,
    ONE_ORIGIN,
    () =>
      `expected an HTTP 4xx to a handshake with two Origin header fields (${origins.join(' and ')}), but the ` +
      `eP-CSCF answered ${answered(h)}`,
  )
}

/**
 * R05: a version the server does not speak is refused with an HTTP error and Sec-WebSocket-Version naming what it
 * speaks (13). The code is "such as 426": §4.4's own example answers 400, so any 4xx passes.
 * The MUST is conditional ("If this version does not match a version understood by the server"), and §4.4 lets a
 * server speak several ("If the server supports the requested version and the handshake message is otherwise
 * valid, the server will accept that version"; its example lists "13, 8, 7"). A server that also speaks hybi-08 (as
 * `ws` does) may upgrade version 8, so the scenario offers 25 (§4.4's example), which no server understands.
 */
const VERSION = must('RFC 6455 §4.2.2 /version/, §4.4', {
  id: 'R05',
  quote:
    'If this version does not match a version understood by the server, the server MUST abort the WebSocket ' +
    'handshake described in this section and instead send an appropriate HTTP error code (such as 426 Upgrade ' +
    'Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of ' +
    "understanding. [§4.2.2 /version/] If the server doesn't support the requested version, it MUST respond with a " +
    '|Sec-WebSocket-Version| header field (or multiple |Sec-WebSocket-Version| header fields) containing all ' +
    'versions it is willing to use. [§4.4]',
  source: 'V',
})

export function checkVersionRefused(head: HandshakeHead | undefined, offered: string): void {
  const h = required(head)
  const versions = values(h, 'sec-websocket-version')
  expectThat(
    h.status >= 400 && h.status < 500 && versions.includes('13'),
    VERSION,
    () =>
      `expected an HTTP 4xx (426 Upgrade Required, as RFC 6455 §4.2.2 suggests) with Sec-WebSocket-Version: 13 to ` +
      `a handshake with Sec-WebSocket-Version: ${offered}, but the eP-CSCF answered ${answered(h)}` +
      ` with ${versions.length === 0 ? 'no Sec-WebSocket-Version' : `Sec-WebSocket-Version: ${versions.join(', ')}`}`,
  )
}

/**
 * R14: CORS headers are not the Origin check. No clause was found that asks for or forbids
 * Access-Control-Allow-Origin on a WebSocket upgrade (RFC 6455 and RFC 7118 define none; browsers do not apply CORS
 * to WebSocket, recalled), so this is a SHOULD of the harness's own reasoning, reported as WARN: a 101 that says
 * `*`, or names any origin but the authorized one that asked, advertises an allow-list it does not have; an answer
 * to a refused origin that names it (or `*`) contradicts the refusal.
 */
const CORS_NOT_WIDER = should(
  'RFC 6455 §10.2 (reasoned: no clause forbids CORS headers on a WebSocket upgrade)',
  {
    id: 'R14',
    source: 'R',
  },
)

/** One handshake and its answer, for the CORS check. */
export interface CorsSample {
  readonly origin: string
  /** Whether the origin is the authorized one (the eP-CSCF should accept it) or one it should refuse. */
  readonly authorized: boolean
  readonly head: HandshakeHead
}

export function checkCorsHeaders(samples: readonly CorsSample[]): void {
  if (samples.length === 0) throw new ScenarioMisuse('no handshake was sent for the CORS check')
  for (const { origin, authorized, head } of samples) {
    const acao = values(head, 'access-control-allow-origin')
    const wrong = acao.filter((v) => v === '*' || !authorized || v.toLowerCase() !== origin.toLowerCase())
    adviseThat(
      wrong.length === 0,
      CORS_NOT_WIDER,
      () =>
        `the eP-CSCF answered the ${authorized ? 'authorized' : 'refused'} origin ${origin} with ${answered(head)} ` +
        `and Access-Control-Allow-Origin: ${wrong.join(', ')} (expected none, or exactly the authorized origin)`,
    )
  }
}
