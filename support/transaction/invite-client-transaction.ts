import type { SipRequest, SipResponse } from '../sip/message.ts'
import { ackForFailure } from './ack-for-failure.ts'
import {
  ClientTransaction,
  type ClientEvent,
  type ClientTransactionState,
} from './client-transaction-base.ts'

/** INVITE client transaction, RFC 3261 §17.1.1 (Figure 5). Generates the ACK for 300-699 finals itself. */
export class InviteClientTransaction extends ClientTransaction {
  state: ClientTransactionState = 'Calling'
  protected readonly states = {
    Calling: (event: ClientEvent) => this.calling(event),
    Proceeding: (event: ClientEvent) => this.proceeding(event),
    Completed: (event: ClientEvent) => this.completed(event),
  }
  private ack: SipRequest | undefined

  /**
   * "The client transaction MUST pass the request to the transport layer for transmission. If an unreliable
   * transport is being used, the client transaction MUST start timer A with a value of T1. If a reliable
   * transport is being used, the client transaction SHOULD NOT start timer A [...]. For any transport, the
   * client transaction MUST start timer B with a value of 64*T1 seconds."
   */
  start(): void {
    this.state = 'Calling'
    this.sendRequest('B', 'A')
  }

  private calling(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        if (event.timer === 'A') {
          // "When timer A fires, the client transaction MUST retransmit the request by passing it to the
          // transport layer, and MUST reset the timer with a value of 2*T1. [...] This process MUST continue so
          // that the request is retransmitted with intervals that double after each transmission."
          this.retransmit('A')
        } else if (event.timer === 'B') {
          // "If the client transaction is still in the "Calling" state when timer B fires, the client
          // transaction SHOULD inform the TU that a timeout has occurred. The client transaction MUST NOT
          // generate an ACK."
          this.timeout('B')
        }
        return
      case 'response':
        if (event.response.status < 200) {
          // "If the client transaction receives a provisional response while in the "Calling" state, it
          // transitions to the "Proceeding" state. In the "Proceeding" state, the client transaction SHOULD NOT
          // retransmit the request any longer. Furthermore, the provisional response MUST be passed to the TU."
          this.state = 'Proceeding'
          this.timers.stop('A', 'B')
          this.timers.arm('C')
          this.passProvisional(event.response)
        } else {
          this.finalResponse(event.response)
        }
        return
      case 'transport-error':
        return this.transportFailure(event.error)
    }
  }

  private proceeding(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        // Harness deadline, not in RFC 3261 §17.1.1 (see deriveTimers): reset on each provisional like the
        // proxy's Timer C (§16.6 step 11), so a peer that never sends a final response cannot hang a test.
        if (event.timer === 'C') this.timeout('C')
        return
      case 'response':
        if (event.response.status < 200) {
          // "Any further provisional responses MUST be passed up to the TU while in the "Proceeding" state."
          this.timers.arm('C')
          this.passProvisional(event.response)
        } else {
          this.finalResponse(event.response)
        }
        return
      case 'transport-error':
        return this.transportFailure(event.error)
    }
  }

  private completed(event: ClientEvent): void {
    switch (event.type) {
      case 'timer':
        // "If timer D fires while the client transaction is in the "Completed" state, the client transaction
        // MUST move to the terminated state."
        if (event.timer === 'D') this.terminate()
        return
      case 'response':
        // "Any retransmissions of the final response that are received while in the "Completed" state MUST
        // cause the ACK to be re-passed to the transport layer for retransmission, but the newly received
        // response MUST NOT be passed up to the TU."
        if (event.response.status >= 300 && this.ack) this.transmit(this.ack)
        return
      case 'transport-error':
        return this.transportFailure(event.error)
    }
  }

  private finalResponse(response: SipResponse): void {
    this.timers.clear()
    if (response.status < 300) {
      // "When in either the "Calling" or "Proceeding" states, reception of a 2xx response MUST cause the client
      // transaction to enter the "Terminated" state, and the response MUST be passed up to the TU."
      // (The ACK for a 2xx is the TU's, RFC 3261 §13.2.2.4; 2xx retransmissions then reach the TU as strays.)
      this.passFinal(response)
      this.terminate()
      return
    }
    // "When in either the "Calling" or "Proceeding" states, reception of a response with status code from
    // 300-699 MUST cause the client transaction to transition to "Completed". The client transaction MUST pass
    // the received response up to the TU, and the client transaction MUST generate an ACK request, even if the
    // transport is reliable [...] The client transaction SHOULD start timer D when it enters the "Completed"
    // state, with a value of at least 32 seconds for unreliable transports, and a value of zero seconds for
    // reliable transports."
    this.state = 'Completed'
    this.ack = ackForFailure(this.request, response)
    this.transmit(this.ack)
    this.passFinal(response)
    this.timers.arm('D')
  }
}
