import { TransportClosed } from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { describePeer, type Flow, type Inbound } from '../transport/peer.ts'
import {
  ClientTransaction,
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransactionOptions,
} from './client-transaction.ts'
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  type ServerTransaction,
} from './server-transaction.ts'
import { clientKeyOfRequest, clientKeyOfResponse, serverKey } from './transaction-key.ts'
import type { TimerSettings } from './timers.ts'

export type { ServerTransaction } from './server-transaction.ts'
export type { TimerSettings } from './timers.ts'
export type { ClientTransactionOptions } from './client-transaction.ts'

type AnyServerTransaction = InviteServerTransaction | NonInviteServerTransaction

/**
 * Server transactions awaiting the TU's final response at once. RFC 3261 gives an unanswered server transaction
 * no end (the TU must answer), so a peer flooding requests nobody answers (a NOTIFY flood toward a WIC) would grow
 * the map without bound (issue 7): beyond this many the oldest unanswered one is aborted. Answered transactions
 * (Completed, Confirmed) do not count: their own timer ends them (J, H, I: 64·T1 on UDP), so their number is
 * bounded by the arrival rate, and evicting them would turn a retransmitted request into a new one (§17.2.2 says
 * the retransmission gets the last response again).
 */
export const MAX_OPEN_SERVER_TRANSACTIONS = 1000

/**
 * The RFC 3261 §17 transaction layer of one harness component. Transports feed it every inbound message
 * (`receive`); it matches responses to client transactions (§17.1.3) and requests to server transactions
 * (§17.2.3), creates server transactions for new requests, and hands the rest to `onStray`.
 */
export class TransactionLayer {
  readonly observer: string
  private readonly settings: TimerSettings
  private readonly clients = new Map<string, ClientTransaction>()
  private readonly servers = new Map<string, AnyServerTransaction>()
  /** The server transactions in creation order, pruned of answered ones only when the cap is passed. */
  private readonly unanswered = new Map<string, AnyServerTransaction>()
  private readonly requestHandlers: ((tx: ServerTransaction) => void)[] = []
  private readonly strayHandlers: ((inbound: Inbound) => void)[] = []
  private readonly watchedFlows = new WeakSet<Flow>()
  private unkeyed = 0
  private closed = false

  constructor(opts: { timers: TimerSettings; observer: string }) {
    this.settings = { ...opts.timers }
    this.observer = opts.observer
  }

  /**
   * Starts a client transaction: sends `request` over `flow`, retransmits on unreliable flows (Timer A/E),
   * resolves with the final response, passes provisionals to `onProvisional`, rejects with
   * HarnessError('SIP_TRANSACTION_TIMEOUT') at Timer B/F naming the request and the peer. INVITE client
   * transactions ACK 300-699 finals themselves (§17.1.1.3); the ACK for a 2xx is the caller's.
   * The request must carry its top Via with a branch (the caller knows the sent-by of its transport).
   */
  request(request: SipRequest, flow: Flow, opts: ClientTransactionOptions = {}): Promise<SipResponse> {
    if (this.closed) {
      return Promise.reject(new TransportClosed(`transaction layer of ${this.observer} is closed`))
    }
    if (request.method === 'ACK') {
      // RFC 3261 §17: an ACK for a 2xx is not a transaction; one for a non-2xx is sent by the INVITE transaction.
      return Promise.reject(
        new TypeError('ACK is not sent through a client transaction: send it on the flow'),
      )
    }
    const key = clientKeyOfRequest(request)
    if (key === undefined) {
      return Promise.reject(new TypeError(`${request.summary()} has no top Via with a branch parameter`))
    }
    if (this.clients.has(key)) {
      return Promise.reject(new TypeError(`a client transaction ${key} is already running`))
    }
    const Kind = request.method === 'INVITE' ? InviteClientTransaction : NonInviteClientTransaction
    const tx = new Kind(key, request.clone(), flow, this.settings, opts, (done) => {
      if (this.clients.get(key) === done) this.clients.delete(key)
    })
    this.clients.set(key, tx)
    this.watch(flow)
    tx.start()
    return tx.final
  }

  /**
   * Feed every inbound message from the transports here. Returns true when a transaction took it (a response
   * or request that matched one, or a new request that started a server transaction), false when it went to
   * `onStray`.
   */
  receive(inbound: Inbound): boolean {
    if (this.closed) return false
    const message = inbound.message
    return message.isRequest()
      ? this.receiveRequest(message, inbound)
      : this.receiveResponse(message, inbound)
  }

  /** New server transactions (retransmitted requests are absorbed and answered with the last response). */
  onRequest(handler: (tx: ServerTransaction) => void): void {
    this.requestHandlers.push(handler)
  }

  /** Responses that match no client transaction (2xx retransmissions), and ACKs that match no transaction. */
  onStray(handler: (inbound: Inbound) => void): void {
    this.strayHandlers.push(handler)
  }

  /**
   * Ends every pending client transaction now (its final response rejects with `error`), the layer staying open:
   * a test double's reset, so that no transaction of one scenario runs on into the next (Timer B is 32 s).
   */
  abortClients(error: TransportClosed): number {
    const pending = [...this.clients.values()]
    for (const tx of pending) tx.abort(error)
    this.clients.clear()
    return pending.length
  }

  /** Cancels all timers; pending client transactions reject with TRANSPORT_CLOSED. */
  close(): void {
    this.closed = true
    const error = new TransportClosed(`transaction layer of ${this.observer} closed`)
    for (const tx of [...this.clients.values()]) tx.abort(error)
    for (const tx of [...this.servers.values()]) tx.abort('transaction layer closed')
    this.clients.clear()
    this.servers.clear()
    this.unanswered.clear()
  }

  private receiveResponse(response: SipResponse, inbound: Inbound): boolean {
    // §17.1.3: matched on the top Via branch and the CSeq method (see clientKeyOfResponse).
    const key = clientKeyOfResponse(response)
    const tx = key === undefined ? undefined : this.clients.get(key)
    if (!tx) return this.stray(inbound)
    tx.receive(response)
    return true
  }

  private receiveRequest(request: SipRequest, inbound: Inbound): boolean {
    // §17.2.3: matched on the top Via branch, sent-by and method, ACK matching INVITE (see serverKey).
    const key = serverKey(request)
    const existing = key === undefined ? undefined : this.servers.get(key)
    if (existing) {
      existing.receive(request)
      return true
    }
    // An ACK that matches no INVITE server transaction is the ACK for a 2xx (§17.2.3, §13.3.1.4): the TU's.
    if (request.method === 'ACK') return this.stray(inbound)
    // A request without a usable top Via still gets a transaction (so the TU can answer 400), matched by nothing.
    const txKey = key ?? `unmatched|${(this.unkeyed += 1)}`
    const Kind = request.method === 'INVITE' ? InviteServerTransaction : NonInviteServerTransaction
    const tx = new Kind(txKey, request, inbound.flow, this.settings, (done) => {
      if (this.servers.get(txKey) === done) this.servers.delete(txKey)
      if (this.unanswered.get(txKey) === done) this.unanswered.delete(txKey)
    })
    this.servers.set(txKey, tx)
    this.unanswered.set(txKey, tx)
    if (this.unanswered.size > MAX_OPEN_SERVER_TRANSACTIONS) this.dropOldestUnanswered()
    for (const handler of [...this.requestHandlers]) handler(tx)
    return true
  }

  /**
   * Forgets the answered transactions in `unanswered` (their timers end them), then, if still over the cap,
   * aborts the oldest unanswered one. A full pass, but only once per MAX_OPEN_SERVER_TRANSACTIONS answered ones.
   */
  private dropOldestUnanswered(): void {
    for (const [key, tx] of this.unanswered)
      if (tx.state !== 'Trying' && tx.state !== 'Proceeding') this.unanswered.delete(key)
    if (this.unanswered.size <= MAX_OPEN_SERVER_TRANSACTIONS) return
    const [key, oldest] = this.unanswered.entries().next().value!
    this.unanswered.delete(key)
    oldest.abort(
      `more than ${MAX_OPEN_SERVER_TRANSACTIONS} unanswered server transactions: the oldest is dropped`,
    )
    if (this.servers.get(key) === oldest) this.servers.delete(key)
  }

  private stray(inbound: Inbound): boolean {
    for (const handler of [...this.strayHandlers]) handler(inbound)
    return false
  }

  /**
   * A closed flow cannot carry the response back (reliable transports answer on the same connection,
   * RFC 3261 §18.2.2), so pending client transactions on it fail now instead of at Timer B/F.
   */
  private watch(flow: Flow): void {
    if (this.watchedFlows.has(flow)) return
    this.watchedFlows.add(flow)
    flow.onClose((reason) => {
      for (const tx of [...this.clients.values()]) {
        if (tx.flow !== flow || tx.state === 'Completed') continue
        tx.abort(
          new TransportClosed(
            `flow ${flow.id} to ${describePeer(flow.remote)} closed (${reason}) while awaiting the final response ` +
              `to ${tx.request.summary()}`,
          ),
        )
      }
    })
  }
}
