/** One message on the wire, as seen by one harness component. */
export interface TraceEndpoint {
  /** Transport as in a Via sent-protocol: UDP, TCP, TLS, WS, WSS; or HTTP/HTTPS for W1 and handshakes. */
  readonly transport: string
  readonly address: string
  readonly port: number
}

export type TraceDirection = 'sent' | 'received' | 'note'

export interface TraceEvent {
  /** Milliseconds since the epoch, with sub-millisecond precision where the clock gives it. */
  readonly at: number
  /** Which component saw it: `WIC alice`, `mock S-CSCF`, `reference eP-CSCF`, `WWSF`. */
  readonly observer: string
  readonly direction: TraceDirection
  readonly from?: TraceEndpoint | undefined
  readonly to?: TraceEndpoint | undefined
  /** Reference point: W1 (WIC-WWSF), W2 (WIC-eP-CSCF), Mw (eP-CSCF-CSCF), or `harness` for notes. */
  readonly leg: 'W1' | 'W2' | 'Mw' | 'harness'
  /** The raw text exactly as sent or received (a WebSocket handshake, a SIP message, an HTTP exchange). */
  readonly raw: string
  /** One line: `REGISTER sip:ims.harness.test`, `401 Unauthorized (REGISTER)`, `WS upgrade refused 403`. */
  readonly summary: string
}
