import type { SipResponse } from '../sip/message.ts'
import {
  ClientTransaction,
  type ClientEvent,
  type ClientTransactionState,
} from './client-transaction-base.ts'

/** Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6). */
export class NonInviteClientTransaction extends ClientTransaction {
  state: ClientTransactionState = 'Trying'
  protected readonly states = {
    Trying: (event: ClientEvent) => this.trying(event),
    Proceeding: (event: ClientEvent) => this.proceeding(event),
    Completed: (event: ClientEvent) => this.completed(event),
  }

  /**
   * "The "Trying" state is entered when the TU initiates a new client transaction with a request. When
   * entering this state, the client transaction SHOULD set timer F to fire in 64*T1 seconds. The request MUST
   * be passed to the transport layer for transmission. If an unreliable transport is in use, the client
   * transaction MUST set timer E to fire in T1 seconds."
   */
  start(): void {
    this.state = 'Trying'
    this.sendRequest('F', 'E')
  }

  private trying(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        if (event.timer === 'E') {
          // "If timer E fires while still in this state, the timer is reset, but this time with a value of
          // MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1, T2)."
          this.retransmit('E', this.settings.T2)
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
    this.timers.stop('E', 'F')
    this.passFinal(response)
    this.timers.arm('K')
  }
}
