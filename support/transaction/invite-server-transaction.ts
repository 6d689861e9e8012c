import type { SipResponse } from '../sip/message.ts'
import {
  ServerTransactionBase,
  type ServerEvent,
  type ServerTransactionState,
} from './server-transaction-base.ts'

/** INVITE server transaction, RFC 3261 §17.2.1 (Figure 7). */
export class InviteServerTransaction extends ServerTransactionBase {
  state: ServerTransactionState = 'Proceeding'
  protected readonly states = {
    Proceeding: (event: ServerEvent) => this.proceeding(event),
    Completed: (event: ServerEvent) => this.completed(event),
    Confirmed: (event: ServerEvent) => this.confirmed(event),
  }

  private proceeding(event: ServerEvent): void {
    switch (event.type) {
      case 'request':
        // "If a request retransmission is received while in the "Proceeding" state, the most recent provisional
        // response that was received from the TU MUST be passed to the transport layer for retransmission."
        // (An ACK cannot match here: nothing final was sent yet.)
        if (event.request.method !== 'ACK') this.resend()
        return
      case 'respond':
        return this.proceedingRespond(event.response)
      case 'transport-error':
        return this.terminate('transport error')
      default:
        return
    }
  }

  private proceedingRespond(response: SipResponse): void {
    if (response.status < 200) return // "...MUST be passed to the transport layer for transmission."
    if (response.status < 300) {
      // "If, while in the "Proceeding" state, the TU passes a 2xx response to the server transaction, the server
      // transaction MUST pass this response to the transport layer for transmission. [...] The server
      // transaction MUST then transition to the "Terminated" state." (2xx retransmission is the TU's, §13.3.1.4.)
      this.terminate('completed')
      return
    }
    // "While in the "Proceeding" state, if the TU passes a response with status code from 300 to 699 to the
    // server transaction, the response MUST be passed to the transport layer for transmission, and the state
    // machine MUST enter the "Completed" state. For unreliable transports, timer G is set to fire in T1
    // seconds, and is not set to fire for reliable transports." "When the "Completed" state is entered, timer H
    // MUST be set to fire in 64*T1 seconds for all transports."
    this.state = 'Completed'
    if (!this.flow.reliable) this.timers.startRetransmit('G')
    this.timers.start('H')
  }

  private completed(event: ServerEvent): void {
    switch (event.type) {
      case 'request':
        if (event.request.method === 'ACK') {
          // "If an ACK is received while the server transaction is in the "Completed" state, the server
          // transaction MUST transition to the "Confirmed" state. As Timer G is ignored in this state, any
          // retransmissions of the response will cease." "When this state is entered, timer I is set to fire
          // in T4 seconds for unreliable transports, and zero seconds for reliable transports."
          this.state = 'Confirmed'
          this.timers.stop('G', 'H')
          this.timers.arm('I')
        } else {
          // "Furthermore, while in the "Completed" state, if a request retransmission is received, the server
          // SHOULD pass the response to the transport for retransmission."
          this.resend()
        }
        return
      case 'timer':
        if (event.timer === 'G') {
          // "If timer G fires, the response is passed to the transport layer once more for retransmission, and
          // timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when timer G fires, the response is
          // passed to the transport again for transmission, and timer G is reset with a value that doubles,
          // unless that value exceeds T2, in which case it is reset with the value of T2."
          this.resend()
          this.timers.restartDoubled('G', this.settings.T2)
        } else if (event.timer === 'H') {
          // "If timer H fires while in the "Completed" state, it implies that the ACK was never received. In this
          // case, the server transaction MUST transition to the "Terminated" state, and MUST indicate to the TU
          // that a transaction failure has occurred."
          this.terminate('timeout')
        }
        return
      case 'transport-error':
        return this.terminate('transport error')
      default:
        return
    }
  }

  private confirmed(event: ServerEvent): void {
    // "The purpose of the "Confirmed" state is to absorb any additional ACK messages that arrive, triggered
    // from retransmissions of the final response." "Once timer I fires, the server MUST transition to the
    // "Terminated" state."
    if (event.type === 'timer' && event.timer === 'I') this.terminate('completed')
  }
}
