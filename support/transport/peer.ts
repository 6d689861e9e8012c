import type { SipRequest, SipResponse, SipMessage } from '../sip/message.ts'
import type { SipParseError } from '../sip/parse-error.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { TraceEndpoint } from '../trace/trace-event.ts'

/** Transports as written in a Via sent-protocol (RFC 3261 §18, RFC 7118 §5.2 for WS/WSS). */
export type TransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS'

/** One transport endpoint: the transport and the IP address and port it is reached on. */
export interface Peer {
  readonly transport: TransportProtocol
  readonly address: string
  readonly port: number
}

/**
 * One path to one remote peer: a UDP (socket, remote) pair, a TCP connection or a WebSocket (RFC 3261 §18,
 * RFC 7118 §5). Every message sent or received on a flow is recorded in the trace.
 */
export interface Flow {
  readonly id: string
  readonly local: Peer
  readonly remote: Peer
  /** False for UDP only: the transaction layer retransmits on unreliable flows (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean
  readonly closed: boolean
  /** Serialises and sends one message; recorded in the trace as 'sent'. */
  send(message: SipMessage): Promise<void>
  /** Sends the bytes exactly as given (negative tests); recorded too. */
  sendRaw(data: string | Buffer): Promise<void>
  close(): Promise<void>
  /** Called once, with a reason, when the flow closes for whatever cause. */
  onClose(listener: (reason: string) => void): void
}

/** A parsed message and the flow it arrived on (responses to it go back on that flow). */
export interface Inbound {
  readonly message: SipRequest | SipResponse
  readonly flow: Flow
}

/** Input that did not parse or frame as a SIP message; recorded as `unparseable: <reason>`. */
export interface InvalidInbound {
  readonly raw: string
  readonly error: SipParseError
  readonly flow: Flow
}

/** Where and under which name a component records its traffic. */
export interface TraceTag {
  readonly trace: TraceRecorder
  readonly observer: string
  readonly leg: 'W1' | 'W2' | 'Mw'
}

/** `udp:127.0.0.1:5070`, `wss:[::1]:443`: a peer as named in error messages. */
export function describePeer(peer: Peer): string {
  const host = peer.address.includes(':') ? `[${peer.address}]` : peer.address
  return `${peer.transport.toLowerCase()}:${host}:${peer.port}`
}

/** `address:port` key of a peer, transport left out (flows are looked up per transport). */
export function peerKey(address: string, port: number): string {
  return `${address}|${port}`
}

/** The trace endpoint of a peer. */
export function traceEndpoint(peer: Peer): TraceEndpoint {
  return { transport: peer.transport, address: peer.address, port: peer.port }
}
