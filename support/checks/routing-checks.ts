import { NoAnswer } from '../errors.ts'
import { parseNameAddrList } from '../sip/name-addr.ts'
import { uriTextsEqual } from '../sip/uri-equality.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { adviseThat, expectThat, showHeader, single } from './expectations.ts'
import { REGISTRATION } from './requirements-registration.ts'
import { must, should, type MustRequirement } from './requirement.ts'
import { SERVICE_ROUTE_ENFORCED, UNTRUSTED_ASSERTED_IDENTITY } from './requirements-routing.ts'

/**
 * Checks of requests the eP-CSCF routes between the WIC and the S-CSCF (TR 23.701 X.2.2): origination (TS 24.229
 * §5.2.6.3; a standalone MESSAGE is §5.2.6.3.7 in Rel-18 numbering), identity assertion (RFC 3325 §5 "Proxy
 * Behavior"), termination over the registering flow (RFC 5626 §5.3, RFC 3327). RFC 3608 §6 is the UA's duty to
 * preload the Service-Route; the P-CSCF's is TS 24.229 §5.2.6.3. Quotes marked [R] are recalled.
 */

/** TS 24.229 §5.2.6.3.7 (standalone requests from the UE), as the catalogue read it [V~], and its item 2 [R]. */
const STANDALONE_QUOTE =
  'When the P-CSCF receives from the UE the request for a standalone transaction, and a service route value list ' +
  'exists for the served user of the request, the P-CSCF shall: 1) remove its own SIP URI from the top of the ' +
  'list of Route header fields; …'

const SERVICE_ROUTE = must('TS 24.229 §5.2.6.3.7', { id: 'R53', quote: STANDALONE_QUOTE, source: 'V' })

/**
 * "verify that the list of URIs received in the Service-Route header field … matches the preloaded Route header
 * field … If the verification fails, then the P-CSCF shall either: replace the preloaded Route header field value
 * … or respond to the UE with 400 (Bad Request)" [R]: either outcome conforms.
 */

function uris(values: readonly string[]): string[] {
  return values.flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
}

/** R56: a standalone request from the WIC is routed to the S-CSCF like any other (TS 24.229 §5.2.6.3.7). */
export const STANDALONE_ROUTED = must('TR 23.701 X.2.2; TS 24.229 §5.2.6.3.7', {
  id: 'R56',
  quote:
    'Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the ' +
    'exception that routing of all messages between the WIC and S-CSCF traverse the eP-CSCF.',
  source: 'V',
})

/** R56: the WIC's request reached the S-CSCF through the eP-CSCF, exactly once (its Call-ID). */
export function checkForwardedOnce(atScscf: readonly SipRequest[], what: string): SipRequest {
  return single(atScscf, what, STANDALONE_ROUTED)
}

/**
 * The request at the S-CSCF carries the stored Service-Route as its Route set, in order, on top: R53 when the WIC
 * did not preload it (the eP-CSCF's own duty), R56 when it did (the standalone request routed like any other). URIs
 * are compared by RFC 3261 §19.1.4 (scheme and host case, parameter order, escapes do not matter). `sentByScscf` is
 * the Service-Route of the S-CSCF's 200 OK to REGISTER: a WIC that holds none means the eP-CSCF lost it on the way
 * (R20, TS 24.229 §5.2.2.1), not this requirement; a mock S-CSCF that sent none is a defect of the harness.
 */
export function checkRoutedAlongServiceRoute(
  request: SipRequest,
  serviceRoute: readonly string[],
  requirement: MustRequirement = SERVICE_ROUTE,
  sentByScscf: readonly string[] = [],
): void {
  const wanted = uris(serviceRoute)
  if (wanted.length === 0) {
    const sent = uris(sentByScscf)
    if (sent.length === 0)
      throw new Error(
        'harness defect: the mock S-CSCF sent no Service-Route to REGISTER; no route can be judged',
      )
    expectThat(
      false,
      REGISTRATION.okRelayed,
      () =>
        `the S-CSCF sent Service-Route ${sent.map((u) => `<${u}>`).join(', ')} in its 200 OK to REGISTER, but the ` +
        'WIC received none to preload',
    )
  }
  const top = uris(request.getAll('Route')).slice(0, wanted.length)
  expectThat(
    top.length === wanted.length && wanted.every((uri, i) => uriTextsEqual(uri, top[i] ?? '')),
    requirement,
    () =>
      `expected Route ${wanted.map((u) => `<${u}>`).join(', ')} (the Service-Route) at the S-CSCF, got ${showHeader(request, 'Route')}`,
    request,
  )
}

/** What the eP-CSCF did with an originating request that did not follow the Service-Route. */
export interface OriginatingOutcome {
  /** The eP-CSCF's final response to the WIC. */
  readonly response: SipResponse
  /** That request (same Call-ID) at the S-CSCF. */
  readonly atScscf: readonly SipRequest[]
}

/**
 * R53, an originating request without the Service-Route: the eP-CSCF replaces the route (the request reaches the
 * S-CSCF along the Service-Route) or refuses it with 400 (then nothing reaches the S-CSCF).
 */
export function checkServiceRouteEnforced(
  outcome: OriginatingOutcome,
  serviceRoute: readonly string[],
  sentByScscf: readonly string[] = [],
): void {
  if (outcome.response.status === 400) {
    expectThat(
      outcome.atScscf.length === 0,
      SERVICE_ROUTE_ENFORCED,
      () =>
        `the eP-CSCF answered 400 but also forwarded the request: ${outcome.atScscf.map((r) => r.summary()).join(', ')}`,
    )
    return
  }
  const request = single(
    outcome.atScscf,
    `the request at the S-CSCF (the eP-CSCF answered ${outcome.response.summary()}, not 400)`,
    SERVICE_ROUTE_ENFORCED,
  )
  checkRoutedAlongServiceRoute(request, serviceRoute, SERVICE_ROUTE, sentByScscf)
}

/**
 * RFC 3325 §5 [R]: "If the proxy received the message from an element that it does not trust and there is a
 * P-Asserted-Identity header present, the proxy MUST replace that header field's contents with a new identity or
 * remove the header field"; TS 24.229 §5.2.6.3.7 [R]: the P-CSCF inserts the P-Preferred-Identity if it is a
 * registered IMPU of the user, else the default IMPU, and removes P-Preferred-Identity. RFC 3325 §9.1 [R]: "If there
 * are two values, one value MUST be a sip or sips URI and the other MUST be a tel URI": besides the default IMPU
 * (compared as URIs, RFC 3261 §19.1.4), the eP-CSCF may assert one tel URI of the user's P-Associated-URI
 * (`associated`, from the 200 OK to REGISTER).
 */
export function checkAssertedIdentity(
  request: SipRequest,
  expected: string,
  claimed: string,
  associated: readonly string[] = [],
): void {
  const asserted = uris(request.getAll('P-Asserted-Identity'))
  expectThat(
    !asserted.some((uri) => uriTextsEqual(uri, claimed)) || uriTextsEqual(claimed, expected),
    UNTRUSTED_ASSERTED_IDENTITY,
    () =>
      `the WIC's own P-Asserted-Identity <${claimed}> reached the S-CSCF: ${showHeader(request, 'P-Asserted-Identity')}`,
    request,
  )
  // The TS 24.229 sentence was not read; the TS 24.228 flow text (informative) says the same [V~].
  const insertion = must('TS 24.229 §5.2.6.3.7; TS 24.228 (flow text quoted); RFC 3325 §9.1', {
    id: 'R48',
    quote:
      'P-Asserted-Identity: P-CSCF inserts the TEL URI in the P-Asserted-Identity header field and it also ' +
      'removes P-Preferred-Identity header field.',
    source: 'V',
  })
  const sip = asserted.filter((uri) => /^sips?:/i.test(uri))
  const others = asserted.filter((uri) => !/^sips?:/i.test(uri))
  const telOfUser = (uri: string): boolean =>
    /^tel:/i.test(uri) && associated.some((a) => uriTextsEqual(a, uri))
  expectThat(
    sip.length === 1 &&
      uriTextsEqual(sip[0] ?? '', expected) &&
      others.length <= 1 &&
      others.every(telOfUser),
    insertion,
    () =>
      `expected P-Asserted-Identity <${expected}> (the default IMPU), optionally with one tel URI of the user's ` +
      `P-Associated-URI (${associated.filter((a) => /^tel:/i.test(a)).join(', ') || 'none'}), at the S-CSCF, got ` +
      showHeader(request, 'P-Asserted-Identity'),
    request,
  )
  expectThat(
    !request.has('P-Preferred-Identity'),
    insertion,
    () => `expected no P-Preferred-Identity on Mw, got ${showHeader(request, 'P-Preferred-Identity')}`,
    request,
  )
}

/** TS 24.229 §5.2.6.3 [R] (sentence not read); Kamailio's IMS P-CSCF answers so [V]. */
const UNREGISTERED_QUOTE = 'send_reply("403", "Forbidden - You must register first with a S-CSCF")'

/** R49: an unregistered WIC's request is refused and does not reach Mw. */
export const UNREGISTERED_NOT_FORWARDED = must(
  'TS 24.229 §5.2.6.3 [R]; Kamailio IMS P-CSCF mo.cfg (quoted)',
  {
    id: 'R49',
    quote: UNREGISTERED_QUOTE,
    source: 'V',
  },
)

/**
 * R49: a request from a WIC with no registration on its WebSocket is refused: an error response (MUST, TS 24.229
 * §5.2.6.3 [R]); 403 Forbidden as Kamailio's IMS P-CSCF answers ("Forbidden - You must register first with a
 * S-CSCF" [V]) is what the catalogue expects, held as a SHOULD since the code was not read in the text.
 */
export function checkRefusedUnregistered(response: SipResponse): void {
  expectThat(
    response.status >= 400,
    UNREGISTERED_NOT_FORWARDED,
    () => `expected the eP-CSCF to refuse a request from an unregistered WIC, got ${response.summary()}`,
    response,
  )
  adviseThat(
    response.status === 403,
    should('TS 24.229 §5.2.6.3 [R]; Kamailio IMS P-CSCF mo.cfg (quoted)', {
      id: 'R49',
      quote: UNREGISTERED_QUOTE,
      source: 'V',
    }),
    () => `the eP-CSCF refused the unregistered WIC's request with ${response.summary()}, not 403 Forbidden`,
  )
}

/** R49: nothing of the scenario reached the S-CSCF (keep-alive probes and reg-event traffic left out). */
export function checkNothingForwarded(atMw: readonly SipRequest[], requirement: MustRequirement): void {
  expectThat(
    atMw.length === 0,
    requirement,
    () => `expected nothing at the S-CSCF, got ${atMw.map((r) => r.summary()).join(', ')}`,
  )
}

/**
 * How long to wait for the eP-CSCF's answer to a request for a closed flow before silence may be judged: Timer F
 * (Timer B for an INVITE) is 64·T1 (RFC 3261 §17.1.2.2, §17.1.1.2; T1 from profile `timers`), after which the
 * eP-CSCF's own client transaction toward the closed flow has ended and it must answer; `waitMs` is the margin.
 */
export function flowFailedWaitMs(t1: number, waitMs: number): number {
  return 64 * t1 + waitMs
}

/**
 * R45: a terminating request for a WebSocket that has closed gets an error response. The eP-CSCF cannot forward it:
 * RFC 3261 §16.9 [V~, as quoted by SIP stacks]: "If the transport layer notifies a proxy of an error when it tries
 * to forward a request (see Section 18.4), the proxy MUST behave as if the forwarded request received a 503
 * (Service Unavailable) response"; §16.7 step 6 [V~]: "A stateful proxy MUST send a final response to a response
 * context's server transaction if no final responses have been immediately forwarded by the above rules and all
 * client transactions in this response context have been terminated" (with 408 when it holds none). RFC 5626 §5.3
 * [V~]: "If the flow no longer exists, the proxy SHOULD send a 430 (Flow Failed) response to the request." An error
 * response is >= 400 (a 3xx is not one); 430 is the SHOULD, 480, 477, 503 or 408 pass with a WARN (B.1). Silence
 * (`response` undefined) is a FAIL only after `waitedMs` >= 64·T1 (`t1`, Timer F/B), when the eP-CSCF's own
 * transaction has certainly ended; before that it is inconclusive. The mock's own client transaction ends at its
 * Timer F/B (the same 64·T1): an answer later than that is only noted in the trace as a stray response.
 */
export function checkFlowFailed(response: SipResponse | undefined, waitedMs: number, t1: number): void {
  const timer = 64 * t1
  if (response === undefined && waitedMs < timer)
    throw new NoAnswer(
      `no answer from the eP-CSCF to a request for a closed WebSocket within ${waitedMs} ms; silence is judged ` +
        `only after 64·T1 = ${timer} ms (Timer F/B, profile timers.T1), when its own transaction has ended`,
    )
  expectThat(
    response !== undefined && response.status >= 400,
    must('RFC 3261 §16.9 and §16.7 step 6; RFC 5626 §5.3', {
      id: 'R45',
      quote:
        "A stateful proxy MUST send a final response to a response context's server transaction if no final " +
        'responses have been immediately forwarded by the above rules and all client transactions in this ' +
        'response context have been terminated.',
      source: 'V',
    }),
    () =>
      response === undefined
        ? `expected an error response (430 Flow Failed recommended) from the eP-CSCF for a closed WebSocket, none arrived within ${waitedMs} ms (64·T1 = ${timer} ms)`
        : `expected an error response (>= 400, 430 Flow Failed recommended) for a closed WebSocket, got ${response.summary()}`,
    response,
  )
  adviseThat(
    response.status === 430,
    should('RFC 5626 §5.3', {
      id: 'R45',
      quote:
        'If the flow no longer exists, the proxy SHOULD send a 430 (Flow Failed) response to the request.',
      source: 'V',
    }),
    () => `the eP-CSCF answered ${response.summary()} for a closed flow, not 430 (Flow Failed)`,
  )
}

/** How a terminating request along the Path ended (HarnessWorld / session steps observe it). */
export interface TerminatingDelivery {
  /** The WIC received the request on its WebSocket. */
  readonly delivered: boolean
  /** The final response that reached the S-CSCF. */
  readonly answerAtScscf: SipResponse
}

/**
 * R57: the terminating request along the Path reaches the WIC over the WebSocket it registered on, and the WIC's
 * answer returns to the S-CSCF (RFC 3327 §5 [R]: the registrar routes along the Path; RFC 3261 §16.7 [R]: the
 * proxy forwards the best response).
 */
export function checkTerminatingDelivered(outcome: TerminatingDelivery): void {
  const requirement = must('TR 23.701 X.2.2; RFC 3327 §5; RFC 5626 §5.3', {
    id: 'R57',
    quote:
      'Origination and termination flows for WebRTC IMS clients follow standard IMS procedures with the ' +
      'exception that routing of all messages between the WIC and S-CSCF traverse the eP-CSCF.',
    source: 'V',
  })
  expectThat(
    outcome.delivered,
    requirement,
    () =>
      `expected the eP-CSCF to deliver the terminating request on the WIC's WebSocket, but it answered the S-CSCF ${outcome.answerAtScscf.summary()}`,
  )
  expectThat(
    outcome.answerAtScscf.status === 200,
    requirement,
    () => `expected the WIC's 200 OK at the S-CSCF, got ${outcome.answerAtScscf.summary()}`,
  )
}
