import type { SipRequest } from '../sip/message.ts'
import type { NameAddr } from '../sip/name-addr.ts'
import type { Faults } from './faults.ts'
import type { WicConnection } from './wic-connections.ts'

/**
 * In-dialog requests from a WIC (a To tag): accepted only along the route set this eP-CSCF recorded for the
 * dialog, and only from the WebSocket that dialog was recorded for.
 *
 * TS 24.229 §5.2.6.3.5 (as catalogued, R50 [V~]): the P-CSCF shall "verify if the request relates to a dialog in
 * which the originator of the request is involved: a) if the request does not relate to an existing dialog in
 * which the originator is involved, then the P-CSCF shall answer the request" with an error (403; Kamailio:
 * "Forbidden - Originating subsequent requests outside dialog not allowed"). TS 33.203 Annex Q.1 (catalogue B.3
 * [V]): the identity is bound to the flow that registered it, so a request from another WebSocket must not act in
 * that identity's dialogs. This proxy records the flow token of the WIC's connection in its Record-Route
 * (record-route.ts), so the dialog's route set names the one connection that may use it.
 */
export type InDialogRefusal = { readonly kind: 'reject'; readonly status: number; readonly reason: string }

export function inDialogRefusal(
  request: SipRequest,
  connection: WicConnection,
  ownRoutes: readonly NameAddr[],
  faults: Faults,
): InDialogRefusal | undefined {
  if (faults.has('in-dialog-bypass') || request.method === 'ACK') return undefined
  if (ownRoutes.length === 0) {
    return {
      kind: 'reject',
      status: 403,
      reason: 'Forbidden - Originating subsequent requests outside dialog not allowed',
    }
  }
  // A route of this proxy names a connection by its flow token (the user part); one that names another connection
  // is a dialog this WebSocket is not party to.
  const tokens = ownRoutes.map((route) => route.uri.user).filter((user) => user !== undefined)
  if (tokens.length > 0 && !tokens.includes(connection.token)) {
    return { kind: 'reject', status: 403, reason: 'Forbidden - dialog not recorded for this connection' }
  }
  return undefined
}
