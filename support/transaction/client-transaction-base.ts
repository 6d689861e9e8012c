import { HarnessError, TransactionTimeout } from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { describePeer, type Flow } from '../transport/peer.ts'
import { topVia } from './transaction-key.ts'
import {
  deriveTimers,
  TimerSet,
  type TimerName,
  type TimerSettings,
  type TransactionTimers,
} from './timers.ts'
import { transportFailure } from './transport-failure.ts'

export type ClientTransactionState = 'Calling' | 'Trying' | 'Proceeding' | 'Completed' | 'Terminated'

/** What drives a client transaction: a matching response, a timer, or a transport failure (§17.1.4). */
export type ClientEvent =
  | { readonly type: 'response'; readonly response: SipResponse }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'transport-error'; readonly error: HarnessError }

export interface ClientTransactionOptions {
  /** Gets every provisional response passed to the TU. */
  readonly onProvisional?: (response: SipResponse) => void
  /** INVITE only: deadline for a final response once in Proceeding (default 180000 ms, see `deriveTimers`). */
  readonly proceedingTimeoutMs?: number
}

/**
 * Shared part of the RFC 3261 §17.1 client transactions: the request, the flow it goes on (retransmissions and
 * the ACK go "to the same address, port, and transport"), the timers, and the promise of the final response.
 */
export abstract class ClientTransaction {
  abstract state: ClientTransactionState
  /** Settles with the final response, or rejects on timeout (Timer B/F) or transport failure. */
  readonly final: Promise<SipResponse>
  protected readonly t: TransactionTimers
  protected readonly timers: TimerSet
  /** The event handler of each live state; Terminated has none: destroyed, nothing matches it any more. */
  protected abstract readonly states: Partial<Record<ClientTransactionState, (event: ClientEvent) => void>>
  private readonly received: string[] = []
  private settled = false
  private resolveFinal!: (response: SipResponse) => void
  private rejectFinal!: (error: Error) => void

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    protected readonly settings: TimerSettings,
    protected readonly opts: ClientTransactionOptions,
    private readonly onTerminated: (tx: ClientTransaction) => void,
  ) {
    this.t = deriveTimers(settings, flow.reliable, opts.proceedingTimeoutMs)
    this.timers = new TimerSet(this.t, (timer) => this.handle({ type: 'timer', timer }))
    this.final = new Promise<SipResponse>((resolve, reject) => {
      this.resolveFinal = resolve
      this.rejectFinal = reject
    })
  }

  /** Enters the initial state and sends the request. */
  abstract start(): void

  /** Feeds one event to the state machine of the current state. */
  handle(event: ClientEvent): void {
    this.states[this.state]?.(event)
  }

  /** A response that matched this transaction (§17.1.3). */
  receive(response: SipResponse): void {
    this.received.push(`${response.status} ${response.reason}`)
    this.handle({ type: 'response', response })
  }

  /** Ends the transaction from outside (layer closed, flow closed): rejects a pending final response. */
  abort(error: HarnessError): void {
    if (this.state === 'Terminated') return
    this.settle(() => this.rejectFinal(error))
    this.terminate()
  }

  /** Passes a message to the transport; a failure is a transport error event (§17.1.4). */
  protected transmit(message: SipRequest): void {
    this.flow.send(message).catch((error: unknown) => {
      this.handle({ type: 'transport-error', error: transportFailure(error, message) })
    })
  }

  /**
   * Passes the request to the transport and starts the `deadline` timer; on an unreliable transport also the
   * `retransmit` timer at its initial interval T1 (Timers A and B of §17.1.1.2, E and F of §17.1.2.2).
   */
  protected sendRequest(deadline: 'B' | 'F', retransmit: 'A' | 'E'): void {
    this.timers.start(deadline)
    this.transmit(this.request)
    if (!this.flow.reliable) this.timers.startRetransmit(retransmit)
  }

  /** Passes the request to the transport again and restarts `timer` with its interval doubled (capped at `cap`). */
  protected retransmit(timer: 'A' | 'E', cap?: number): void {
    this.transmit(this.request)
    this.timers.restartDoubled(timer, cap)
  }

  protected passProvisional(response: SipResponse): void {
    this.opts.onProvisional?.(response)
  }

  protected passFinal(response: SipResponse): void {
    this.settle(() => this.resolveFinal(response))
  }

  /** "...the client transaction SHOULD inform the TU that a timeout has occurred." */
  protected timeout(timer: TimerName): void {
    const via = topVia(this.request)
    const received = this.received.length > 0 ? this.received.join(', ') : 'nothing'
    const error = new TransactionTimeout(
      `no final response to ${this.request.method} ${this.request.uri} (branch ${via?.branch ?? '?'}) from ` +
        `${describePeer(this.flow.remote)} within Timer ${timer} ${this.t[timer]} ms; received: ${received}`,
    )
    this.settle(() => this.rejectFinal(error))
    this.terminate()
  }

  /**
   * §17.1.4: "...the client transaction SHOULD inform the TU that a transport failure has occurred, and the
   * client transaction SHOULD transition directly to the "Terminated" state."
   */
  protected transportFailure(error: HarnessError): void {
    this.settle(() => this.rejectFinal(error))
    this.terminate()
  }

  /** "Once the transaction is in the Terminated state, it MUST be destroyed immediately." */
  protected terminate(): void {
    this.state = 'Terminated'
    this.timers.clear()
    this.onTerminated(this)
  }

  private settle(action: () => void): void {
    if (this.settled) return
    this.settled = true
    action()
  }
}
