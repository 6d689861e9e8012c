import { parseNameAddrList } from '../sip/name-addr.ts'
import { uriTextsEqual } from '../sip/uri-equality.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { adviseThat, expectThat, showHeader } from './expectations.ts'
import { must, should } from './requirement.ts'
import { SERVICE_ROUTE_ENFORCED } from './requirements-routing.ts'
import { checkServiceRouteEnforced, type OriginatingOutcome } from './routing-checks.ts'

/**
 * Routing rules at the edge that guard the core and the WICs (catalogue B.3 attack families [V]): a preloaded Route
 * to an internal node, Max-Forwards 0, terminating requests to the right WebSocket only, forged flow tokens and
 * sources outside the core. Quotes marked [R] are recalled, not read.
 */

/** R72, RFC 3261 §16.3 step 3 [R]. */
const TOO_MANY_HOPS = must('RFC 3261 §16.3 step 3', {
  id: 'R72',
  quote:
    'If the request contains a Max-Forwards header field with a field value of zero (0), the element MUST NOT ' +
    'forward the request. [...] Otherwise, the element MUST return a 483 (Too many hops) response.',
  source: 'R',
})

/** R72: a request with Max-Forwards 0 is answered 483 and nothing of it reaches Mw. */
export function checkTooManyHops(response: SipResponse, atScscf: readonly SipRequest[]): void {
  expectThat(
    atScscf.length === 0,
    TOO_MANY_HOPS,
    () =>
      `a request with Max-Forwards: 0 was forwarded: ${atScscf.map((r) => `${r.summary()} (${showHeader(r, 'Max-Forwards')})`).join(', ')}`,
  )
  expectThat(
    response.status === 483,
    TOO_MANY_HOPS,
    () => `expected 483 (Too Many Hops) to a request with Max-Forwards: 0, got ${response.summary()}`,
    response,
  )
}

/**
 * R53: a WIC that preloads a Route to an internal node (not its Service-Route) does not reach that node: the
 * eP-CSCF refuses with 400, or routes along the Service-Route with the internal node gone from the Route.
 */
export function checkInternalRouteNotFollowed(
  outcome: OriginatingOutcome,
  internal: string,
  serviceRoute: readonly string[],
): void {
  checkServiceRouteEnforced(outcome, serviceRoute)
  for (const request of outcome.atScscf) {
    const routes = request.getAll('Route').flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
    expectThat(
      !routes.some((uri) => uriTextsEqual(uri, internal)),
      SERVICE_ROUTE_ENFORCED,
      () =>
        `the WIC's preloaded Route <${internal}> (an internal node) reached Mw: ${showHeader(request, 'Route')}`,
      request,
    )
  }
}

/** R57: each registered instance's terminating request reaches that instance's WebSocket, and only it. */
const OWN_FLOW = must('RFC 5626 §5.3; RFC 3327 §5; TR 23.701 X.2.2', {
  id: 'R57',
  quote:
    'two WICs registered for the same IMPU on two connections (different +sip.instance) — forked INVITEs from ' +
    'the mock reach the right socket each (catalogue R57)',
  source: 'R',
})

/** R46: after a registration on a new WebSocket, terminating requests go to the new connection only. */
const NEW_FLOW = must('RFC 5626 §5.3; RFC 3327 §5', {
  id: 'R46',
  quote:
    'on a *new* connection (browser reload) → new flow token, and terminating requests go to the new connection ' +
    'only (catalogue R46)',
  source: 'R',
})

/** Where a terminating request sent to one binding arrived. */
export interface FlowDelivery {
  /** The WIC whose binding the S-CSCF addressed (its name). */
  readonly intended: string
  /** The WICs that received it (by name); empty when none did. */
  readonly receivedBy: readonly string[]
  /** The final response at the S-CSCF, undefined when none came while waiting. */
  readonly answer: SipResponse | undefined
}

function checkDelivered(delivery: FlowDelivery, requirement: typeof OWN_FLOW): void {
  const { intended, receivedBy } = delivery
  expectThat(
    receivedBy.length === 1 && receivedBy[0] === intended,
    requirement,
    () =>
      `expected the terminating request for ${intended}'s binding on ${intended}'s WebSocket only; it reached ` +
      (receivedBy.length === 0
        ? `no WebSocket (the S-CSCF got ${delivery.answer?.summary() ?? 'no answer'})`
        : receivedBy.join(' and ')),
  )
}

/** R57: each instance got its own terminating request. */
export function checkEachInstanceReached(deliveries: readonly FlowDelivery[]): void {
  expectThat(deliveries.length >= 2, OWN_FLOW, () => `expected two instances, ${deliveries.length} addressed`)
  for (const delivery of deliveries) checkDelivered(delivery, OWN_FLOW)
}

/** R46: the terminating request reached the WebSocket of the latest registration. */
export function checkNewFlowReached(delivery: FlowDelivery): void {
  checkDelivered(delivery, NEW_FLOW)
}

/**
 * R52 [R/I]: "Terminating requests are only accepted from the IMS core and only for registered flows. Check: an
 * INVITE from a source not configured as a core peer (spoofed "S-CSCF") → rejected; an INVITE whose Route does not
 * carry a Path URI issued by this eP-CSCF → rejected or not delivered." RFC 5626 §5.3 [V~]: "If the flow token has
 * been tampered with, the proxy SHOULD send a 403 (Forbidden) response."
 */
const NOT_DELIVERED = must('RFC 5626 §5.3; TS 33.203 Annex U trust; catalogue R52', {
  id: 'R52',
  quote:
    'Terminating requests are only accepted from the IMS core and only for registered flows (catalogue R52); the ' +
    'flow token lets the edge proxy detect a token that was tampered with (RFC 5626 §5.2)',
  source: 'R',
})

/** What became of a terminating request the eP-CSCF should not deliver. */
export interface Refusal {
  /** Whether any WIC received it. */
  readonly delivered: boolean
  /** The final response the sender got, undefined when none came while waiting (a silent drop). */
  readonly answer: SipResponse | undefined
  readonly waitedMs: number
}

/** R52: a terminating request with a tampered flow token is not delivered; 403 (or 430) is the SHOULD. */
export function checkTamperedTokenRefused(outcome: Refusal): void {
  checkNotDelivered(outcome, 'with a tampered flow token')
  adviseThat(
    outcome.answer !== undefined && [403, 430].includes(outcome.answer.status),
    should('RFC 5626 §5.3', {
      id: 'R52',
      quote: 'If the flow token has been tampered with, the proxy SHOULD send a 403 (Forbidden) response.',
      source: 'V',
    }),
    () =>
      `a tampered flow token was answered ${outcome.answer?.summary() ?? `with silence for ${outcome.waitedMs} ms`}, not 403 (or 430)`,
  )
}

/** R52: a request from a source outside the core is not delivered (refused or dropped: both allowed). */
export function checkUntrustedNotDelivered(outcome: Refusal): void {
  checkNotDelivered(outcome, 'from a source that is not the S-CSCF')
}

function checkNotDelivered(outcome: Refusal, what: string): void {
  expectThat(
    !outcome.delivered,
    NOT_DELIVERED,
    () => `a terminating request ${what} was delivered on the WIC's WebSocket`,
  )
  expectThat(
    outcome.answer === undefined || outcome.answer.status >= 300,
    NOT_DELIVERED,
    () => `a terminating request ${what} was accepted: ${outcome.answer?.summary() ?? ''}`,
  )
}
