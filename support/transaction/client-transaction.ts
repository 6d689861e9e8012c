import { HarnessError } from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { describePeer, type Flow } from '../transport/peer.ts'
import { ackForFailure } from './ack-for-failure.ts'
import { topVia } from './transaction-key.ts'
import { backoff, deriveTimers, TimerSet, type TimerName, type TimerSettings, type TransactionTimers } from './timers.ts'

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
    settings: TimerSettings,
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
          : new HarnessError('TRANSPORT_FAILED', `sending ${message.summary()}: ${String(error)}`, { cause: error })
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

/** Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6). */
export class NonInviteClientTransaction extends ClientTransaction {
  state: ClientTransactionState = 'Trying'
  private intervalE = 0

  /**
   * "The "Trying" state is entered when the TU initiates a new client transaction with a request. When
   * entering this state, the client transaction SHOULD set timer F to fire in 64*T1 seconds. The request MUST
   * be passed to the transport layer for transmission. If an unreliable transport is in use, the client
   * transaction MUST set timer E to fire in T1 seconds."
   */
  start(): void {
    this.state = 'Trying'
    this.timers.start('F', this.t.F)
    this.transmit(this.request)
    if (!this.flow.reliable) {
      this.intervalE = this.t.E
      this.timers.start('E', this.intervalE)
    }
  }

  handle(event: ClientEvent): void {
    switch (this.state) {
      case 'Trying':
        return this.trying(event)
      case 'Proceeding':
        return this.proceeding(event)
      case 'Completed':
        return this.completed(event)
      default:
        return // Terminated: destroyed, nothing matches it any more
    }
  }

  private trying(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        if (event.timer === 'E') {
          // "If timer E fires while still in this state, the timer is reset, but this time with a value of
          // MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1, T2)."
          this.transmit(this.request)
          this.intervalE = backoff(this.intervalE, this.settings.T2)
          this.timers.start('E', this.intervalE)
        } else if (event.timer === 'F') {
          // "If Timer F fires while the client transaction is still in the "Trying" state, the client
          // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the "Terminated" state."
          this.timeout('F')
        }
        return
      case 'response':
        if (event.response.status < 200) {
          // "If a provisional response is received while in the "Trying" state, the response MUST be passed to
          // the TU, and then the client transaction SHOULD move to the "Proceeding" state."
          this.state = 'Proceeding'
          this.passProvisional(event.response)
        } else {
          // "If a final response (status codes 200-699) is received while in the "Trying" state, the response
          // MUST be passed to the TU, and the client transaction MUST transition to the "Completed" state."
          this.complete(event.response)
        }
        return
      case 'transport-error':
        return this.transportFailure(event.error)
    }
  }

  private proceeding(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        if (event.timer === 'E') {
          // "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the transport layer
          // for retransmission, and Timer E MUST be reset with a value of T2 seconds."
          this.transmit(this.request)
          this.timers.start('E', this.settings.T2)
        } else if (event.timer === 'F') {
          // "If timer F fires while in the "Proceeding" state, the TU MUST be informed of a timeout, and the
          // client transaction MUST transition to the terminated state."
          this.timeout('F')
        }
        return
      case 'response':
        // "If a provisional response is received while in the "Proceeding" state, the response MUST be passed to
        // the TU. If a final response (status codes 200-699) is received while in the "Proceeding" state, the
        // response MUST be passed to the TU, and the client transaction MUST transition to the "Completed" state."
        if (event.response.status < 200) this.passProvisional(event.response)
        else this.complete(event.response)
        return
      case 'transport-error':
        return this.transportFailure(event.error)
    }
  }

  private completed(event: ClientEvent): void {
    // "The "Completed" state exists to buffer any additional response retransmissions that may be received."
    // Retransmitted responses are absorbed; timers E and F are no longer running.
    if (event.type === 'timer' && event.timer === 'K') {
      // "If Timer K fires while in this state, the client transaction MUST transition to the "Terminated" state."
      this.terminate()
    }
  }

  /**
   * "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in T4 seconds for
   * unreliable transports, and zero seconds for reliable transports."
   */
  private complete(response: SipResponse): void {
    this.state = 'Completed'
    this.timers.stop('E')
    this.timers.stop('F')
    this.passFinal(response)
    this.arm('K')
  }

  private get settings(): { T2: number } {
    return { T2: this.t.G === 0 ? Infinity : this.maxInterval }
  }
}
