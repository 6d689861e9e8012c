import type { SipRequest } from '../sip/message.ts'
import type { Faults } from './faults.ts'
import { hostPort, insertTop, type SelfAddress } from './proxy-rules.ts'
import type { Variants } from './variants.ts'
import type { WicConnection } from './wic-connections.ts'

/**
 * The one place the reference eP-CSCF records its route on a dialog-forming request, in either direction.
 *
 * RFC 3261 §16.6 step 4: "If this proxy wishes to remain on the path of future requests in a dialog created by this
 * request (assuming the request creates a dialog), it MUST insert a Record-Route header field value into the copy
 * before any existing Record-Route header field values, even if a Route header field is already present." and "The
 * URI placed in the Record-Route header field value MUST be a SIP or SIPS URI. This URI MUST contain an lr
 * parameter". TS 24.229 §5.2.6.3.3 (originating) and its terminating counterpart in §5.2.6.4 (reasoned from memory;
 * catalogue R54 [R]): the P-CSCF inserts its own SIP URI into Record-Route, so that every request of the dialog
 * crosses it (TR 23.701 X.2.2: "routing of all messages between the WIC and S-CSCF traverse the eP-CSCF").
 *
 * By default one URI serves both sides (`mw`): its host and port are the Mw address (the core reaches it), its user
 * part the flow token of the WIC's WebSocket (RFC 5626 §5.2), so a request from the core is delivered on that
 * WebSocket and a request from a WIC is checked against it (in-dialog-guard.ts). The `double-record-route` variant
 * records two URIs instead, one per side (RFC 5658 §4, as Kamailio does for WebSocket clients): the one facing the
 * next hop on top, the one facing the previous hop below it; both carry the flow token. The `no-record-route` fault
 * records nothing.
 */
export interface RecordRouteSwitches {
  readonly faults: Faults
  readonly variants: Variants
}

export function insertRecordRoute(
  request: SipRequest,
  mw: string,
  toward: 'mw' | 'wic',
  context: { readonly connection: WicConnection; readonly self: SelfAddress } & RecordRouteSwitches,
): void {
  if (context.faults.has('no-record-route')) return
  if (!context.variants.has('double-record-route')) {
    insertTop(request, 'Record-Route', mw)
    return
  }
  const wic = wicFacingRecordRoute(context.connection, context.self)
  const [top, below] = toward === 'mw' ? [mw, wic] : [wic, mw]
  insertTop(request, 'Record-Route', below)
  insertTop(request, 'Record-Route', top)
}

/** The URI facing the WIC: the W2 listener's address, `transport=ws`, the connection's flow token (RFC 7118 §5). */
export function wicFacingRecordRoute(connection: WicConnection, self: SelfAddress): string {
  return `<sip:${connection.token}@${hostPort(self.wssHost, self.wssPort)};transport=ws;lr>`
}
