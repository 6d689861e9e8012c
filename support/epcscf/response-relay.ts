import { canonicalHeaderName } from '../sip/compact-names.ts'
import { formatAuthValue, parseAuthValue } from '../sip/auth.ts'
import type { SipResponse } from '../sip/message.ts'
import { formatParam } from '../sip/params.ts'
import type { ServerTransaction } from '../transaction/transaction-layer.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import { stripChargingHeaders } from './charging.ts'
import { applyFailureFault } from './failure-relay.ts'
import { applyMediaPolicyTowardWic } from './media-policy.ts'
import { anchorAnswerTowardCore, anchorAnswerTowardWic } from './media-anchoring.ts'
import type { Faults } from './faults.ts'
import type { Variants } from './variants.ts'
import { removeTopVia } from './proxy-rules.ts'
import type { WicConnection, WicConnections } from './wic-connections.ts'

/** Responses on their way back upstream (RFC 3261 §16.7), and what changes when upstream is a WIC. */

/**
 * The copy of a downstream response that goes upstream: own Via removed (§16.7 step 3), and toward a WIC the
 * trust-domain headers removed and challenge parameters meant for a P-CSCF with IPsec dropped.
 */
export function relayedResponse(
  response: SipResponse,
  towardWic: boolean,
  switches: { readonly faults: Faults; readonly variants: Variants },
): SipResponse {
  const { faults, variants } = switches
  const out = response.clone()
  // The proxy removes the topmost Via header field value from the response.
  // https://www.rfc-editor.org/rfc/rfc3261#section-16.7  (step 3; both stages' under the `two-vias` variant)
  removeTopVia(out)
  if (variants.has('two-vias')) removeTopVia(out)
  if (!towardWic) {
    anchorAnswerTowardCore(out, switches)
    return out
  }
  stripChargingHeaders(out, faults)
  applyFailureFault(out, faults)
  anchorAnswerTowardWic(out, switches)
  applyMediaPolicyTowardWic(out, faults)
  if (out.status === 401 || out.status === 407) adjustChallenges(out, faults, variants)
  return out
}

/**
 * The challenge reaches the WIC as the S-CSCF wrote it: the eP-CSCF does not take part in digest authentication
 * (TS 33.203 X.2.2.3: the SIP Digest messages between WIC, eP-CSCF and I/S-CSCF are those of Annex N). The only
 * exception is `ck`/`ik`, keys a P-CSCF takes out of an AKA challenge before it goes to the UE (TS 24.229
 * §5.2.2.1 and §7.2A.1); a digest challenge has neither, so it is passed byte for byte.
 */
function adjustChallenges(response: SipResponse, faults: Faults, variants: Variants): void {
  const names = new Set(['www-authenticate', 'proxy-authenticate'].map(canonicalHeaderName))
  response.headers.forEach((field, index) => {
    if (!names.has(canonicalHeaderName(field.name))) return
    let challenge
    try {
      challenge = parseAuthValue(field.value)
    } catch {
      return
    }
    const drop = new Set(['ck', 'ik'])
    if (faults.has('challenge-altered')) drop.add('qop')
    const params = challenge.params.filter((p) => !drop.has(p.name.toLowerCase()))
    if (variants.has('challenge-reserialised')) {
      // The `challenge-reserialised` variant: the same scheme and parameters in another order and spacing, as an
      // eP-CSCF that parses and re-writes every header would send them (RFC 3261 §7.3.1: LWS around the comma is
      // not part of the value; RFC 7235 §2.1: auth-params are unordered).
      response.headers[index] = {
        name: field.name,
        value: `${challenge.scheme}  ${[...params].reverse().map(formatParam).join(' ,  ')}`,
      }
      return
    }
    if (params.length === challenge.params.length) return
    response.headers[index] = {
      name: field.name,
      value: formatAuthValue({ scheme: challenge.scheme, params }),
    }
  })
}

export interface WicDelivery {
  readonly faults: Faults
  readonly variants: Variants
  readonly connections: WicConnections
  readonly trace: TraceRecorder
  readonly observer: string
}

/**
 * Sends a relayed response to the WIC on the server transaction of its request (so on the WebSocket the request
 * came over, RFC 7118 §5 and RFC 3261 §18.2.2), except under the two delivery faults.
 */
export async function deliverToWic(
  tx: ServerTransaction,
  response: SipResponse,
  connection: WicConnection | undefined,
  deps: WicDelivery,
): Promise<void> {
  const final = response.status >= 200
  if (final && deps.faults.has('drop-responses')) {
    deps.trace.note(deps.observer, `fault drop-responses: ${response.summary()} not relayed to the WIC`)
    return
  }
  if (deps.faults.has('response-to-wrong-flow')) {
    const other = deps.connections.others(connection)[0]
    deps.trace.note(
      deps.observer,
      `fault response-to-wrong-flow: ${response.summary()} sent on ${other ? `flow ${other.flow.id}` : 'no flow'}`,
    )
    if (other !== undefined) await other.flow.send(response)
    return
  }
  await tx.respond(response)
}
