import WebSocket from 'ws'
import { TransportClosed } from '../errors.ts'
import { BaseFlow, closeGracefully, errorText, nextFlowId } from './base-flow.ts'
import { InboundHub } from './inbound-hub.ts'
import { describePeer, type Inbound, type InvalidInbound, type Peer, type TraceTag } from './peer.ts'

/**
 * A flow over one open WebSocket, client or server side (RFC 7118). "Each SIP message MUST be carried within
 * a single WebSocket message, and a WebSocket message MUST NOT contain more than one SIP message"
 * (RFC 7118 §5.1). Messages are sent as text frames; text and binary frames are both accepted.
 * `sendRaw` sends a string as a text frame and a Buffer as a binary frame, bytes as given.
 */
export class WsFlow extends BaseFlow {
  readonly reliable = true
  private closeCode: string | undefined

  constructor(
    private readonly socket: WebSocket,
    readonly local: Peer,
    readonly remote: Peer,
    tag: TraceTag,
  ) {
    const hub = new InboundHub((error) =>
      tag.trace.note(tag.observer, `WebSocket message handler threw: ${errorText(error)}`),
    )
    super(nextFlowId(remote.transport.toLowerCase()), tag, hub)
    socket.on('message', (data: WebSocket.RawData) => this.receive(toBuffer(data)))
    socket.on('error', (error) => {
      this.closeCode ??= `WebSocket error: ${errorText(error)}`
    })
    socket.on('close', (code: number, reason: Buffer) => {
      const text = reason.length > 0 ? ` "${reason.toString('utf8')}"` : ''
      this.markClosed(this.closeCode ?? `WebSocket closed with code ${code}${text}`)
    })
    if (socket.readyState === WebSocket.CLOSED) this.markClosed('WebSocket already closed')
  }

  /** The subprotocol the server selected (`sip` per RFC 7118 §4.1), or '' when none. */
  get protocol(): string {
    return this.socket.protocol
  }

  onMessage(handler: (m: Inbound) => void): void {
    this.hub.onMessage(handler)
  }

  onInvalid(handler: (m: InvalidInbound) => void): void {
    this.hub.onInvalid(handler)
  }

  /** Closing handshake with code 1000 (or the one given); the TCP connection is dropped if it takes too long. */
  async close(code = 1000, reason = ''): Promise<void> {
    if (this.closed) return
    this.closeCode ??= `closed by the harness (code ${code})`
    await closeGracefully(
      this.socket,
      () => this.socket.close(code, reason),
      () => this.socket.terminate(),
    )
  }

  protected write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        reject(new TransportClosed(`WebSocket to ${describePeer(this.remote)} is not open`))
        return
      }
      this.socket.send(data, { binary: typeof data !== 'string' }, (error) =>
        error ? reject(error) : resolve(),
      )
    })
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

/**
 * Wraps an open WebSocket (from `WssClient.connect` or a `ws` server's 'connection' event) as a Flow.
 * Messages received before `onMessage` is called are queued, not lost.
 */
export function wsFlow(socket: WebSocket, opts: { local: Peer; remote: Peer } & TraceTag): WsFlow {
  return new WsFlow(socket, opts.local, opts.remote, opts)
}
