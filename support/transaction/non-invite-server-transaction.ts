import {
  ServerTransactionBase,
  type ServerEvent,
  type ServerTransactionState,
} from './server-transaction-base.ts'

/** Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8). */
export class NonInviteServerTransaction extends ServerTransactionBase {
  state: ServerTransactionState = 'Trying'
  protected readonly states = {
    Trying: (event: ServerEvent) => this.trying(event),
    Proceeding: (event: ServerEvent) => this.proceeding(event),
    Completed: (event: ServerEvent) => this.completed(event),
  }

  private trying(event: ServerEvent): void {
    switch (event.type) {
      case 'request':
        // "If a retransmission of the request is received while in the "Trying" state, the request MUST be
        // discarded."
        return
      case 'respond':
        // "While in the "Trying" state, if the TU passes a provisional response to the server transaction, the
        // server transaction MUST enter the "Proceeding" state."
        if (event.response.status < 200) this.state = 'Proceeding'
        else this.complete()
        return
      case 'transport-error':
        return this.terminate('transport error')
      default:
        return
    }
  }

  private proceeding(event: ServerEvent): void {
    switch (event.type) {
      case 'request':
        // "If a retransmission of the request is received while in the "Proceeding" state, the most recently
        // sent provisional response MUST be passed to the transport layer for retransmission."
        return this.resend()
      case 'respond':
        // "Any further provisional responses that are received from the TU while in the "Proceeding" state MUST
        // be passed to the transport layer for transmission. If the TU passes a final response (status codes
        // 200-699) to the server while in the "Proceeding" state, the transaction MUST enter the "Completed"
        // state, and the response MUST be passed to the transport layer for transmission."
        if (event.response.status >= 200) this.complete()
        return
      case 'transport-error':
        return this.terminate('transport error')
      default:
        return
    }
  }

  private completed(event: ServerEvent): void {
    switch (event.type) {
      case 'request':
        // "While in the "Completed" state, the server transaction MUST pass the final response to the transport
        // layer for retransmission whenever a retransmission of the request is received."
        return this.resend()
      case 'timer':
        // "The server transaction remains in this state until Timer J fires, at which point it MUST transition
        // to the "Terminated" state."
        if (event.timer === 'J') this.terminate('completed')
        return
      case 'transport-error':
        return this.terminate('transport error')
      default:
        return
    }
  }

  /**
   * "When the server transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds
   * for unreliable transports, and zero seconds for reliable transports."
   */
  private complete(): void {
    this.state = 'Completed'
    this.timers.arm('J')
  }
}
