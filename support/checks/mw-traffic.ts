import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseUri } from '../sip/uri.ts'
import { viasOf } from '../sip/via.ts'

/**
 * What of the Mw traffic belongs to a scenario. Negative checks ("nothing reached the S-CSCF") read every request
 * the mock S-CSCF received since the scenario began (the mock is reset before each scenario), not only those with
 * a WIC's Call-ID, and leave out only what an eP-CSCF legitimately sends on its own (catalogue Appendix B.1):
 *
 * - `keep-alive`: an OPTIONS the eP-CSCF originated (no WebSocket Via of a WIC) addressed to a node rather than
 *   to a user (a Request-URI without a user part), the probe by which a proxy checks its next hop (Kamailio's
 *   dispatcher, SBCs); nothing forbids it [I].
 * - `reg-event`: a SUBSCRIBE (or NOTIFY) the eP-CSCF originated for the `reg` event package (RFC 3680), which a
 *   P-CSCF sends after a successful registration (TS 24.229 §5.2.3 [R]).
 * - `scenario`: everything else, including any request forwarded from a WIC.
 *
 * The mock S-CSCF flags background traffic by a rule of its own for its own handling (support/scscf/request-log.ts);
 * verdicts read its whole log (`allReceived`) through this one.
 */
export type MwTrafficKind = 'keep-alive' | 'reg-event' | 'scenario'

export function classifyMwRequest(request: SipRequest): MwTrafficKind {
  // A request forwarded from a WIC carries the WIC's WebSocket Via below the eP-CSCF's (RFC 3261 §16.6 step 8,
  // RFC 7118 §5.2): that is the scenario's, whatever it is.
  if (hasWebSocketVia(request)) return 'scenario'
  const method = request.method.toUpperCase()
  if (method === 'OPTIONS' && !addressesUser(request.uri)) return 'keep-alive'
  if ((method === 'SUBSCRIBE' || method === 'NOTIFY') && eventPackage(request) === 'reg') return 'reg-event'
  return 'scenario'
}

/** The requests of `received` that belong to the scenario, in order (see `classifyMwRequest`). */
export function scenarioRequests(received: readonly { readonly request: SipRequest }[]): SipRequest[] {
  return received.map((entry) => entry.request).filter((r) => classifyMwRequest(r) === 'scenario')
}

/** The scenario's REGISTERs on Mw whose To (the address of record, RFC 3261 §10.2) is `impu`. */
export function registersFor(requests: readonly SipRequest[], impu: string): SipRequest[] {
  return requests.filter((r) => r.method.toUpperCase() === 'REGISTER' && sameAor(r.get('To'), impu))
}

/** The responses the mock S-CSCF sent (`sent`, in order) to the dialogs and registrations of `requests` (by Call-ID). */
export function responsesTo(requests: readonly SipRequest[], sent: readonly SipResponse[]): SipResponse[] {
  const callIds = new Set(requests.map((r) => r.get('Call-ID')))
  return sent.filter((r) => callIds.has(r.get('Call-ID')))
}

/** The responses in `sent` to exactly these requests: same Call-ID and CSeq (RFC 3261 §17.1.3 by the dialog). */
export function responsesToEach(
  requests: readonly SipRequest[],
  sent: readonly SipResponse[],
): SipResponse[] {
  const key = (m: SipRequest | SipResponse) =>
    `${m.get('Call-ID')}|${(m.get('CSeq') ?? '').trim().split(/\s+/).join(' ')}`
  const keys = new Set(requests.map(key))
  return sent.filter((r) => keys.has(key(r)))
}

function hasWebSocketVia(request: SipRequest): boolean {
  try {
    return viasOf(request).some((via) => /^WSS?$/i.test(via.transport))
  } catch {
    return true // an unparseable Via is judged as the scenario's, never hidden
  }
}

/** `OPTIONS sip:127.0.0.1:5070` names a node; `OPTIONS sip:bob@ims.test` a user. An unparseable URI: a user. */
function addressesUser(uri: string): boolean {
  try {
    const parsed = parseUri(uri)
    return parsed.scheme === 'tel' || parsed.user !== undefined
  } catch {
    return true
  }
}

/** `Event: reg;id=1` → `reg` (RFC 6665 §8.2.1 event-type; compact form `o`). */
function eventPackage(request: SipRequest): string | undefined {
  return request.get('Event')?.split(';')[0]?.trim().toLowerCase()
}

/** The To URI (in angle brackets or not) compared with `impu`, scheme and host case-insensitively. */
function sameAor(to: string | undefined, impu: string): boolean {
  if (to === undefined) return false
  const uri = (to.match(/<([^>]*)>/)?.[1] ?? to.split(';')[0] ?? '').trim()
  return uri.toLowerCase() === impu.toLowerCase()
}
