import type { SipRequest } from '../sip/message.ts'
import type { Faults } from './faults.ts'
import { insertBeforeLength } from './proxy-rules.ts'

/**
 * P-header fields a WIC may write but only the network may assert (issue 9 §6, catalogue B.3). The WIC is outside
 * the trust domain of RFC 3325 §2.3 / RFC 7315 §4: what it writes in these fields is the user's word, never the
 * network's. Charging (P-Charging-Vector, charging.ts) and P-Preferred-Identity (originating-proxy.ts) are decided
 * where they are written; this is the rest, for every request a WIC sends (REGISTER and originating alike).
 */

/** The `network-provided` access-info parameter of P-Access-Network-Info (RFC 7315 §5.4). */
const NETWORK_PROVIDED = /(^|;)\s*network-provided\s*(;|$)/i

/**
 * Removes from a request received from a WIC:
 * - P-Asserted-Identity: RFC 3325 §5 (as quoted in routing-checks.ts): "If the proxy received the message from an element that
 *   it does not trust and there is a P-Asserted-Identity header present, the proxy MUST replace that header
 *   field's contents with a new identity or remove the header field." Originating requests get the eP-CSCF's own
 *   assertion afterwards (originating-proxy.ts); a REGISTER gets none (TS 24.229 §5.2.2.1).
 * - P-Visited-Network-ID: TS 24.229 §5.2.2.1: the P-CSCF inserts it "with the value of a pre-provisioned string
 *   that identifies the visited domain at a home network level" (register-proxy.ts); a value the UE wrote is
 *   not that string (RFC 7315 §4.3, trust domain; reasoned from memory).
 * - P-Access-Network-Info values marked `network-provided`: only a network node may say that the access
 *   information comes from the network (RFC 7315 §5.4, TS 24.229 §5.2.6.3; the P-CSCF removes a UE's claim,
 *   reasoned from memory). UE-provided values without the marker pass (TS 24.229 §7.2A.4).
 */
export function dropWicAssertions(request: SipRequest, faults: Faults): void {
  if (!faults.has('trust-wic-asserted-identity')) request.remove('P-Asserted-Identity')
  if (!faults.has('trust-wic-visited-network')) request.remove('P-Visited-Network-ID')
  if (!faults.has('trust-wic-access-network-info')) dropNetworkProvided(request)
}

/** Keeps only the P-Access-Network-Info values without `network-provided` (comma-joined lines split). */
function dropNetworkProvided(request: SipRequest): void {
  const values = request
    .getAll('P-Access-Network-Info')
    .flatMap((line) => line.split(','))
    .map((value) => value.trim())
  if (!values.some((value) => NETWORK_PROVIDED.test(value))) return
  request.remove('P-Access-Network-Info')
  for (const value of values.filter((v) => v !== '' && !NETWORK_PROVIDED.test(v)))
    insertBeforeLength(request, 'P-Access-Network-Info', value)
}
