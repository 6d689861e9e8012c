/**
 * RFC 3261 §17.2 server transactions: the INVITE state machine (§17.2.1, Figure 7) and the non-INVITE one
 * (§17.2.2, Figure 8), and the `ServerTransaction` view the TU gets.
 */
export {
  ServerTransactionBase,
  type ServerEvent,
  type ServerTransaction,
  type ServerTransactionState,
} from './server-transaction-base.ts'
export { InviteServerTransaction } from './invite-server-transaction.ts'
export { NonInviteServerTransaction } from './non-invite-server-transaction.ts'
