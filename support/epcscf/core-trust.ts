import type { Peer } from '../transport/peer.ts'
import type { Faults } from './faults.ts'

/**
 * Which Mw sources the reference eP-CSCF takes requests from: only the IMS core it is configured with (its next
 * hop, the I/S-CSCF). Catalogue R52 [R/I]: "Terminating requests are only accepted from the IMS core and only for
 * registered flows. Check: an INVITE from a source not configured as a core peer (spoofed "S-CSCF") → rejected".
 * TS 33.210 (network domain security) puts the eP-CSCF and the S-CSCF in one security domain; a request from any
 * other Mw source is outside it (reasoned from memory: TS 33.203 Annex U "trust between entities" as the SA3
 * editor's note asks, not a quoted sentence).
 *
 * The core is known by its host: over UDP the mock S-CSCF sends from its listening port, over TCP from an ephemeral
 * one, so the port is not part of the identity (catalogue B.1: "trusted-node identity = host (ports optional)").
 * The `untrusted-mw-source` fault takes requests from any source.
 */
export function fromTrustedCore(source: Peer, core: { readonly address: string }, faults: Faults): boolean {
  if (faults.has('untrusted-mw-source')) return true
  return normalise(source.address) === normalise(core.address)
}

function normalise(address: string): string {
  return address
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/, '')
}
