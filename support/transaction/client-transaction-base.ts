import { HarnessError } from '../errors.ts'
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
  protected readonly timers = new TimerSet((timer) => this.handle({ type: 'timer', timer }))
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
    this.final = new Promise<SipResponse>((resolve, reject) => {
      this.resolveFinal = resolve
      this.rejectFinal = reject
    })
  }

  /** Enters the initial state and sends the request. */
  abstract start(): void

  /** Feeds one event to the state machine of the current state. */
  abstract handle(event: ClientEvent): void

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
      const failure =
        error instanceof HarnessError
          ? error
          : new HarnessError('TRANSPORT_FAILED', `sending ${message.summary()}: ${String(error)}`, {
              cause: error,
            })
      this.handle({ type: 'transport-error', error: failure })
    })
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
    const error = new HarnessError(
      'SIP_TRANSACTION_TIMEOUT',
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

  /** Starts a timer, or fires it at once when its value is zero (reliable transports). */
  protected arm(timer: TimerName, ms = this.t[timer]): void {
    if (ms <= 0) this.handle({ type: 'timer', timer })
    else this.timers.start(timer, ms)
  }

  private settle(action: () => void): void {
    if (this.settled) return
    this.settled = true
    action()
  }
}
