import type { SipRequest } from '../sip/message.ts'
import type { Flow } from '../transport/peer.ts'
import type { Faults } from './faults.ts'
import type { MwLink } from './mw-link.ts'
import {
  decrementMaxForwards,
  ownVia,
  removeOwnRoutes,
  stampReceived,
  type SelfAddress,
} from './proxy-rules.ts'
import type { Termination } from './terminating-proxy.ts'
import type { Variants } from './variants.ts'
import type { WicConnections } from './wic-connections.ts'

/**
 * The ACK for a 2xx: no transaction (RFC 3261 §17.1.1.3: "the ACK for a 2xx response is a separate transaction"
 * the UAC core sends), so the proxy forwards it statelessly along the path of its dialog, from a WIC toward Mw or
 * from Mw toward the WIC named by its flow token. It is never answered (RFC 3261 §17.2.3).
 */

export interface AckRelayDeps {
  readonly connections: WicConnections
  readonly self: SelfAddress
  readonly faults: Faults
  readonly variants: Variants
  readonly link: MwLink
  readonly mwVia: (transport: 'UDP' | 'TCP') => { transport: string; host: string; port: number }
  readonly prepareTerminating: (out: SipRequest) => Termination
}

export async function forwardAck(ack: SipRequest, flow: Flow, deps: AckRelayDeps): Promise<void> {
  const { faults, self } = deps
  const out = ack.clone()
  const connection = deps.connections.ofFlow(flow)
  if (connection !== undefined) {
    stampReceived(out, flow.remote)
    removeOwnRoutes(out, self)
    decrementMaxForwards(out, faults)
    const transport = deps.link.transportFor(out)
    const via = deps.mwVia(transport)
    addOwnVias(out, via.transport, via.host, via.port, deps)
    await deps.link.flow(transport).send(out)
    return
  }
  const termination = deps.prepareTerminating(out)
  if (termination.kind !== 'forward') return
  decrementMaxForwards(out, faults)
  addOwnVias(out, 'WSS', self.wssHost, self.wssPort, deps)
  await termination.connection.flow.send(out)
}

/** This proxy's Via (two stages' under the `two-vias` variant, as forwarder.ts), unless the no-own-via fault. */
function addOwnVias(
  out: SipRequest,
  transport: string,
  host: string,
  port: number,
  deps: AckRelayDeps,
): void {
  if (deps.faults.has('no-own-via')) return
  if (deps.variants.has('two-vias')) {
    out.prepend('Via', ownVia(transport, host, port).value)
    decrementMaxForwards(out, deps.faults)
  }
  out.prepend('Via', ownVia(transport, host, port).value)
}
