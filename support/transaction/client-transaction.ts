/**
 * RFC 3261 §17.1 client transactions: the INVITE state machine (§17.1.1, Figure 5) and the non-INVITE one
 * (§17.1.2, Figure 6), over a shared base that holds the request, flow, timers and the final-response promise.
 */
export {
  ClientTransaction,
  type ClientEvent,
  type ClientTransactionOptions,
  type ClientTransactionState,
} from './client-transaction-base.ts'
export { InviteClientTransaction } from './invite-client-transaction.ts'
export { NonInviteClientTransaction } from './non-invite-client-transaction.ts'
