import { parseNameAddrList } from '../sip/name-addr.ts'
import { uriTextsEqual } from '../sip/uri-equality.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { expectThat, showHeader, single } from './expectations.ts'
import { must } from './requirement.ts'

/**
 * The identity the eP-CSCF asserts for a WIC is one of the identities that WIC registered on its own WebSocket
 * (TS 33.203 Annex Q.1 as catalogued in B.3 [V]: the identity is bound to the registering flow; TS 24.229
 * §5.2.6.3.7, RFC 3325 §9.1). The quotes marked [R] are recalled, not read.
 */

/**
 * TS 24.229 §5.2.6.3.7 [R] (the P-CSCF on a request from the UE, Rel-18 numbering): "if the request contains a
 * P-Preferred-Identity header field that matches one of the registered public user identities, the P-CSCF shall
 * identify the initiator of the request by that public user identity; if the request does not contain a
 * P-Preferred-Identity header field, or the P-Preferred-Identity header field does not match one of the
 * registered public user identities, the P-CSCF shall identify the initiator of the request by the default public
 * user identity". RFC 3325 §9.1 [R]: "If there are two values, one value MUST be a sip or sips URI and the other
 * MUST be a tel URI."
 */
const PREFERRED = must('TS 24.229 §5.2.6.3.7; RFC 3325 §9.1', {
  id: 'R48',
  quote:
    'if the request contains a P-Preferred-Identity header field that matches one of the registered public user ' +
    'identities, the P-CSCF shall identify the initiator of the request by that public user identity',
  source: 'R',
})

const NOT_ANOTHER_USER = must('TS 24.229 §5.2.6.3.7; RFC 3325 §5; TS 33.203 Q.1', {
  id: 'R48',
  quote:
    'if the request does not contain a P-Preferred-Identity header field, or the P-Preferred-Identity header field ' +
    'does not match one of the registered public user identities, the P-CSCF shall identify the initiator of the ' +
    'request by the default public user identity',
  source: 'R',
})

function assertedUris(request: SipRequest): string[] {
  return request.getAll('P-Asserted-Identity').flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
}

/**
 * R48: a P-Preferred-Identity that is one of the user's registered IMPUs (`registered`: the P-Associated-URI of the
 * 200 OK to REGISTER) is what the eP-CSCF asserts; every asserted value is one of the user's, and no
 * P-Preferred-Identity reaches Mw.
 */
export function checkPreferredAsserted(
  atScscf: SipRequest,
  preferred: string,
  registered: readonly string[],
): void {
  expectThat(
    registered.some((uri) => uriTextsEqual(uri, preferred)),
    PREFERRED,
    () =>
      `precondition of the check: <${preferred}> is not among the registered IMPUs (${registered.join(', ') || 'none'})`,
  )
  const asserted = assertedUris(atScscf)
  expectThat(
    asserted.some((uri) => uriTextsEqual(uri, preferred)) &&
      asserted.every((uri) => registered.some((own) => uriTextsEqual(own, uri))),
    PREFERRED,
    () =>
      `expected P-Asserted-Identity <${preferred}> (the registered identity the WIC preferred) at the S-CSCF, got ` +
      showHeader(atScscf, 'P-Asserted-Identity'),
    atScscf,
  )
  expectThat(
    !atScscf.has('P-Preferred-Identity'),
    PREFERRED,
    () => `expected no P-Preferred-Identity on Mw, got ${showHeader(atScscf, 'P-Preferred-Identity')}`,
    atScscf,
  )
}

/** What the eP-CSCF did with a request claiming an identity the sender did not register. */
export interface ClaimOutcome {
  /** The eP-CSCF's final response to the WIC. */
  readonly response: SipResponse
  /** That request (same Call-ID) at the S-CSCF. */
  readonly atScscf: readonly SipRequest[]
}

/**
 * R48: a WIC that claims another user's identity (in P-Preferred-Identity, or in From without one) is refused with
 * nothing forwarded, or its request reaches the S-CSCF asserting only identities it registered itself (its default
 * IMPU, optionally with its tel URI): never the claimed one. Exactly one copy at the S-CSCF.
 */
export function checkClaimNotAsserted(
  outcome: ClaimOutcome,
  claimed: string,
  registered: readonly string[],
): void {
  // Refused by the eP-CSCF: nothing reached the S-CSCF and the WIC got an error. (An error the S-CSCF itself
  // answered, e.g. 480 for a callee without binding, says nothing of the eP-CSCF: the request is judged at Mw.)
  if (outcome.atScscf.length === 0) {
    expectThat(
      outcome.response.status >= 300,
      NOT_ANOTHER_USER,
      () => `nothing reached the S-CSCF, yet the WIC got ${outcome.response.summary()}`,
    )
    return
  }
  const request = single(outcome.atScscf, 'the request at the S-CSCF', NOT_ANOTHER_USER)
  const asserted = assertedUris(request)
  expectThat(
    asserted.length > 0 &&
      !asserted.some((uri) => uriTextsEqual(uri, claimed)) &&
      asserted.every((uri) => registered.some((own) => uriTextsEqual(own, uri))),
    NOT_ANOTHER_USER,
    () =>
      `expected only the sender's own registered identities (${registered.join(', ')}) asserted at the S-CSCF, ` +
      `never the claimed <${claimed}>; got ${showHeader(request, 'P-Asserted-Identity')}`,
    request,
  )
}
