import WebSocket from 'ws'
import { OversizeMessage, TransportClosed } from '../errors.ts'
import { BaseFlow, closeGracefully, errorText, nextFlowId } from './base-flow.ts'
import { InboundHub } from './inbound-hub.ts'
import { formatBytes } from './limits.ts'
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
      if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.oversize()
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

  /**
   * The peer sent a message over `maxPayload`: `ws` stopped reading at the frame header, so nothing of it is
   * buffered, and closes with 1009 ("message too big", RFC 6455 §7.4.1). The size announced by the frame headers
   * is read from `ws`'s receiver (an internal field of ws 8: absent, the message says "more than").
   */
  private oversize(): void {
    const receiver = (this.socket as unknown as { _receiver?: { _totalPayloadLength?: unknown } })._receiver
    const announced = receiver?._totalPayloadLength
    const bytes = typeof announced === 'number' && announced > 0 ? announced : undefined
    const limit = maxPayloadOf(this.socket)
    const size = bytes === undefined ? `more than ${formatBytes(limit)}` : formatBytes(bytes)
    const error = new OversizeMessage(
      `${describePeer(this.remote)} sent a WebSocket message of ${size}; the limit is ${formatBytes(limit)} ` +
        `(one SIP message per WebSocket message, RFC 7118 §5.1); it was cut at the frame header and the ` +
        `connection closed with 1009`,
      { ...(bytes === undefined ? {} : { bytes }), limit },
    )
    this.closeCode ??= error.message
    this.violate(
      error,
      `oversize WebSocket message: ${size} (limit ${formatBytes(limit)}), cut`,
      `[message cut: ${size} announced by the frame header(s); the harness keeps at most ${formatBytes(limit)} ` +
        `of one message; nothing of this one was kept]`,
    )
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

function maxPayloadOf(socket: WebSocket): number {
  const limit = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver?._maxPayload
  return typeof limit === 'number' ? limit : 0
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
