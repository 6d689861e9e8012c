import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { hasParam } from '../sip/params.ts'
import { formatUri } from '../sip/uri.ts'
import { adviseThat, expectThat, showHeader } from './expectations.ts'
import { must, should } from './requirement.ts'
import { TRAVERSES_EPCSCF } from './requirements-routing.ts'

/**
 * Checks of dialogs through the eP-CSCF (RFC 3261 §12–§16, TS 24.229 §5.2.6.3): Record-Route on dialog-forming
 * requests, in-dialog requests along the recorded route, in-dialog requests from a WebSocket that is not party to
 * the dialog, and final responses relayed to the WIC. What the eP-CSCF writes into a Record-Route URI (host, user
 * part, one URI or two, RFC 5658) is its own choice: the checks judge presence, form and behaviour.
 */

const RECORD_ROUTE = must('RFC 3261 §16.6 step 4, TS 24.229 §5.2.6.3.3', {
  id: 'R54',
  quote:
    'If this proxy wishes to remain on the path of future requests in a dialog created by this request [...], it ' +
    'MUST insert a Record-Route header field value into the copy before any existing Record-Route header field ' +
    'values [...] This URI MUST contain an lr parameter',
  source: 'R',
})

const TRAVERSES = must('TR 23.701 X.2.2, RFC 3261 §12.2.1.1', {
  id: 'R55',
  quote:
    'routing of all messages between the WIC and S-CSCF traverse the eP-CSCF (X.2.2); the UAC MUST include a Route ' +
    'header field containing the route set values in order (RFC 3261 §12.2.1.1)',
  source: 'V',
})

const FOREIGN_DIALOG = must('TS 24.229 §5.2.6.3.5, TS 33.203 Annex Q.1', {
  id: 'R50',
  quote:
    'verify if the request relates to a dialog in which the originator of the request is involved: a) if the ' +
    'request does not relate to an existing dialog in which the originator is involved, then the P-CSCF shall ' +
    'answer the request [with an error]',
  source: 'R',
})

const FOREIGN_DIALOG_403 = should('TS 24.229 §5.2.6.3.5 (403 Forbidden, as Kamailio answers)', {
  id: 'R50',
  source: 'R',
})

/**
 * A non-2xx final is not forwarded at once (RFC 3261 §16.7 step 5 forwards provisionals and 2xx only): the proxy
 * stores it, chooses the best final (step 6) and forwards it (step 9). Quoted as SIP stacks quote step 6 [V~].
 */
const RELAYED = must('RFC 3261 §16.7 steps 6 and 9', {
  id: 'R58',
  quote:
    "A stateful proxy MUST send a final response to a response context's server transaction if no final responses " +
    'have been immediately forwarded by the above rules and all client transactions in this response context have ' +
    'been terminated. The stateful proxy MUST choose the "best" final response among those received and stored in ' +
    'the response context.',
  source: 'V',
})

const CANCEL_200 = must('RFC 3261 §16.10', {
  id: 'R58',
  quote:
    'If a matching response context is found, the element MUST immediately return a 200 (OK) response to the CANCEL request.',
  source: 'R',
})

/** Every Record-Route value of a message, top first. */
export function recordRoutesOf(message: SipRequest | SipResponse): NameAddr[] {
  return message.getAll('Record-Route').flatMap((v) => parseNameAddrList(v))
}

/**
 * The eP-CSCF recorded its route on a dialog-forming request it forwarded: `forwarded` (as it arrived at the far
 * side) has more Record-Route values than `sent` (as the near side sent it), on top, and each added value is a
 * SIP or SIPS URI with `lr`.
 */
export function checkRecordRouted(sent: SipRequest, forwarded: SipRequest, where: string): void {
  const before = recordRoutesOf(sent).length
  const after = recordRoutesOf(forwarded)
  const added = after.slice(0, after.length - before)
  expectThat(
    added.length > 0,
    RECORD_ROUTE,
    () =>
      `expected the eP-CSCF's Record-Route on top of the ${forwarded.method} ${where}; it carries ` +
      `${showHeader(forwarded, 'Record-Route')} (${before} value(s) were sent)`,
    forwarded,
  )
  for (const value of added) {
    expectThat(
      (value.uri.scheme === 'sip' || value.uri.scheme === 'sips') && hasParam(value.uri.params, 'lr'),
      RECORD_ROUTE,
      () => `expected a SIP or SIPS URI with lr in the eP-CSCF's Record-Route ${where}, got ${value.raw}`,
    )
  }
}

/**
 * The message that reached the WIC lets the WIC's in-dialog requests cross the eP-CSCF: the Record-Route value the
 * WIC's route set starts with (RFC 3261 §12.1.1: a UAS takes the request's Record-Route "in order", so the `top`
 * one; §12.1.2: a UAC takes the response's "in reverse order", so the `bottom` one) is not one the core recorded
 * itself (`coreRecordRoutes`, URIs): it is the eP-CSCF's.
 */
export function checkRouteSetAtWic(
  message: SipRequest | SipResponse,
  coreRecordRoutes: readonly string[],
  end: 'top' | 'bottom',
): void {
  const core = new Set(coreRecordRoutes.map((u) => u.toLowerCase()))
  const values = recordRoutesOf(message)
  const first = end === 'top' ? values[0] : values.at(-1)
  expectThat(
    first !== undefined && !core.has(formatUri(first.uri).toLowerCase()),
    RECORD_ROUTE,
    () =>
      `expected the ${message.summary()} at the WIC to carry the eP-CSCF's Record-Route as the ${end} value (where ` +
      `the WIC's route set starts); it carries ${showHeader(message, 'Record-Route')}`,
    message,
  )
}

/**
 * An in-dialog request one side sent (`request`) reached the other side through the eP-CSCF (`arrived`: what the
 * other side received), and its 2xx came back. The same request is found by Call-ID and CSeq (a proxy keeps both,
 * RFC 3261 §16.6 step 1); under topology hiding (profile epcscf.topology.hiding) the eP-CSCF may map them, so it is
 * found by method, `arrived` holding what reached the other side in order.
 */
export function checkInDialogCrossed(
  request: SipRequest,
  arrived: readonly SipRequest[],
  response: SipResponse | undefined,
  where: string,
  hiding = false,
): void {
  const cseq = request.get('CSeq')
  const got = response === undefined ? 'no final response' : response.summary()
  const same = arrived.filter((r) =>
    hiding
      ? r.method === request.method
      : r.get('Call-ID') === request.get('Call-ID') && r.get('CSeq') === cseq,
  )
  expectThat(
    same.length > 0,
    TRAVERSES,
    () =>
      `expected the ${request.method} (CSeq ${cseq ?? '?'}) of the dialog to reach ${where} through the eP-CSCF; ` +
      `none arrived, and the sender got ${got}`,
  )
  expectThat(
    response !== undefined && response.status >= 200 && response.status < 300,
    TRAVERSES,
    () => `expected the 200 OK to the ${request.method} back at the sender through the eP-CSCF, got ${got}`,
    response,
  )
}

/**
 * An in-dialog request sent from a WebSocket that is not party to the dialog is refused (4xx) and reaches nothing:
 * `arrived` are the requests of that dialog's Call-ID and CSeq that reached the far side.
 */
export function checkForeignInDialogRefused(
  request: SipRequest,
  response: SipResponse | undefined,
  arrived: readonly SipRequest[],
): void {
  const got = response === undefined ? 'no response' : response.summary()
  expectThat(
    arrived.length === 0,
    FOREIGN_DIALOG,
    () =>
      `expected the ${request.method} of a dialog its sender is not party to to stop at the eP-CSCF; ${arrived.length} ` +
      `reached the S-CSCF, and the sender got ${got}`,
  )
  expectThat(
    response !== undefined && response.status >= 400 && response.status < 500,
    FOREIGN_DIALOG,
    () => `expected a 4xx refusal of the ${request.method} from the eP-CSCF, got ${got}`,
    response,
  )
  adviseThat(response.status === 403, FOREIGN_DIALOG_403, () => `403 expected, got ${got}`)
}

/** A final response of the far side (486, 487...) reached the WIC; `final` undefined: none arrived in time. */
export function checkFinalRelayed(final: SipResponse | undefined, status: number, withinMs: number): void {
  expectThat(
    final !== undefined,
    RELAYED,
    () =>
      `expected the ${status} of the far side relayed to the WIC within ${withinMs} ms; no final response arrived`,
  )
  expectThat(
    final.status === status,
    RELAYED,
    () => `expected ${status} at the WIC, got ${final.summary()}`,
    final,
  )
}

/** The CANCEL is answered 200 by the eP-CSCF and the INVITE ends with 487 (RFC 3261 §9.2, relayed per §16.7). */
export function checkCancelled(
  cancelResponse: SipResponse,
  inviteFinal: SipResponse | undefined,
  withinMs: number,
): void {
  expectThat(
    cancelResponse.status === 200,
    CANCEL_200,
    () => `expected 200 OK to the CANCEL, got ${cancelResponse.summary()}`,
    cancelResponse,
  )
  checkFinalRelayed(inviteFinal, 487, withinMs)
}

/** R55: the network's BYE went through the eP-CSCF to `callee` and its 200 came back the same way. */
export function checkByeAnswered(answer: SipResponse, callee: string): void {
  expectThat(
    answer.status === 200,
    TRAVERSES_EPCSCF,
    () => `expected 200 to the network's BYE (relayed from ${callee}), got ${answer.summary()}`,
    answer,
  )
}
