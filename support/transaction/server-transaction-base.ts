import { HarnessError, ScenarioMisuse } from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { Flow } from '../transport/peer.ts'
import { deriveTimers, TimerSet, type TimerName, type TimerSettings } from './timers.ts'
import { transportFailure } from './transport-failure.ts'

export type ServerTransactionState = 'Trying' | 'Proceeding' | 'Completed' | 'Confirmed' | 'Terminated'

/**
 * A server transaction as the TU (mock S-CSCF, reference eP-CSCF, WIC) sees it. The transaction sends nothing
 * on its own initiative except retransmissions: no automatic 100 Trying (the owner decides; RFC 3261 §17.2.1
 * would have the INVITE server transaction send one after 200 ms).
 */
export interface ServerTransaction {
  readonly request: SipRequest
  readonly flow: Flow
  readonly state: ServerTransactionState
  /** Sends a response on the request's flow; retransmits finals on UDP per Timer G/H/J (RFC 3261 §17.2). */
  respond(response: SipResponse): Promise<void>
  /** Called once when the transaction ends: 'completed', 'timeout' (Timer H, no ACK) or 'transport error'. */
  onTerminated(listener: (reason: string) => void): void
}

/** What drives a server transaction: a request retransmission or ACK, a TU response, a timer, a send failure. */
export type ServerEvent =
  | { readonly type: 'request'; readonly request: SipRequest }
  | { readonly type: 'respond'; readonly response: SipResponse }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'transport-error'; readonly error: HarnessError }

/** Shared part of the RFC 3261 §17.2 server transactions. */
export abstract class ServerTransactionBase implements ServerTransaction {
  abstract state: ServerTransactionState
  protected readonly timers: TimerSet
  /** The event handler of each live state; Terminated has none. */
  protected abstract readonly states: Partial<Record<ServerTransactionState, (event: ServerEvent) => void>>
  /** The last response sent: what a retransmitted request gets again. */
  protected lastResponse: SipResponse | undefined
  private readonly listeners: ((reason: string) => void)[] = []
  private endReason: string | undefined

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    protected readonly settings: TimerSettings,
    private readonly onEnd: (tx: ServerTransactionBase) => void,
  ) {
    const durations = deriveTimers(settings, flow.reliable)
    this.timers = new TimerSet(durations, (timer) => this.handle({ type: 'timer', timer }))
  }

  /** Feeds one event to the state machine of the current state. */
  handle(event: ServerEvent): void {
    this.states[this.state]?.(event)
  }

  /** A request that matched this transaction (§17.2.3): a retransmission, or for INVITE the ACK. */
  receive(request: SipRequest): void {
    this.handle({ type: 'request', request })
  }

  async respond(response: SipResponse): Promise<void> {
    if (this.state === 'Completed' || this.state === 'Confirmed' || this.state === 'Terminated') {
      // §17.2.2: "Any other final responses passed by the TU to the server transaction MUST be discarded while
      // in the "Completed" state." Discarding silently would hide a TU bug, so the TU hears about it.
      throw new ScenarioMisuse(
        `cannot send ${response.summary()}: the server transaction for ${this.request.summary()} is ${this.state}` +
          ' (RFC 3261 §17.2 discards it; send on the flow directly to do it anyway)',
      )
    }
    this.lastResponse = response
    const sent = this.send(response)
    this.handle({ type: 'respond', response })
    await sent
  }

  onTerminated(listener: (reason: string) => void): void {
    const reason = this.endReason
    if (reason === undefined) this.listeners.push(listener)
    else queueMicrotask(() => listener(reason))
  }

  /** Ends the transaction from outside (layer closed). */
  abort(reason: string): void {
    this.terminate(reason)
  }

  /** Passes a response to the transport; a failure terminates the transaction (§17.2.4) and is rethrown. */
  protected async send(response: SipResponse): Promise<void> {
    try {
      await this.flow.send(response)
    } catch (error) {
      const failure = transportFailure(error, response)
      this.handle({ type: 'transport-error', error: failure })
      throw failure
    }
  }

  /** Retransmission of the last response: a failure is a transport error, not the TU's rejection. */
  protected resend(): void {
    if (this.lastResponse) this.send(this.lastResponse).catch(() => undefined)
  }

  protected terminate(reason: string): void {
    if (this.state === 'Terminated') return
    this.state = 'Terminated'
    this.timers.clear()
    this.endReason = reason
    this.onEnd(this)
    for (const listener of this.listeners.splice(0)) listener(reason)
  }
}
