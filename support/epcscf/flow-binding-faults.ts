import { createResponse } from '../sip/builders.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { Faults } from './faults.ts'
import type { Registrations } from './registrations.ts'
import type { WicConnection, WicConnections } from './wic-connections.ts'

/**
 * Three defects of how an eP-CSCF binds identities and flows, injected by fault switches at the one place each is
 * decided (reference-epcscf.ts and terminating-proxy.ts call these). The clean reference binds an IMPU to the
 * WebSocket that registered it, and only on a 2xx (TS 33.203 Annex Q.1 as catalogued in B.3 [V]: the identity is
 * bound to the registering flow; TS 24.229 §5.2.6.3: requests from an unregistered UE are refused [R]); it
 * delivers a terminating request on the flow its flow token names (RFC 5626 §5.3), refusing a tampered token.
 */

/**
 * `identity-bound-before-200`: a REGISTER whose final response is an error still binds its To IMPU to the
 * connection (as if the eP-CSCF bound the identity when it forwarded the REGISTER), with no Service-Route.
 */
export function bindDespiteFailure(
  registrations: Registrations,
  connection: WicConnection,
  register: SipRequest,
  final: SipResponse,
  faults: Faults,
): void {
  if (!faults.has('identity-bound-before-200') || final.status < 300) return
  const granted = createResponse(register, 200)
  for (const contact of register.getAll('Contact')) granted.append('Contact', contact)
  registrations.update(connection.id, register, granted)
}

/**
 * `terminating-to-first-flow`: a terminating request goes to the oldest open WebSocket on which the same IMPU is
 * registered, not to the one its flow token names (an eP-CSCF that keys flows by address-of-record).
 */
export function firstFlowOfAor(
  named: WicConnection,
  registrations: Registrations,
  connections: WicConnections,
  faults: Faults,
): WicConnection {
  if (!faults.has('terminating-to-first-flow')) return named
  const aors = new Set(registrations.forConnection(named.id).map((r) => r.aor.toLowerCase()))
  const first = connections
    .all()
    .filter((c) => !c.flow.closed)
    .sort((a, b) => a.id - b.id)
    .find((c) => registrations.forConnection(c.id).some((r) => aors.has(r.aor.toLowerCase())))
  return first ?? named
}
