import { HarnessError, TransportClosed, TransportFailed, type SutProtocolError } from '../errors.ts'
import { parseMessage } from '../sip/parse.ts'
import { SipParseError } from '../sip/parse-error.ts'
import type { EventEmitter } from 'node:events'
import type { SipMessage } from '../sip/message.ts'
import type { InboundHub } from './inbound-hub.ts'
import { describePeer, traceEndpoint, type Flow, type Peer, type TraceTag } from './peer.ts'

let counter = 0

/** How long a graceful close (TCP FIN, WebSocket closing handshake) may take before the connection is dropped. */
const CLOSE_GRACE_MS = 2000

/**
 * Starts a graceful close of `socket` and resolves on its 'close' event; `force` drops the connection when that
 * has not come within the grace period.
 */
export function closeGracefully(socket: EventEmitter, begin: () => void, force: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(force, CLOSE_GRACE_MS)
    timer.unref()
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    begin()
  })
}

/** A process-unique flow id: `udp-3`, `tcp-7`, `wss-12`. */
export function nextFlowId(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** One line describing bytes sent with `sendRaw`, for the trace summary. */
export function rawSummary(data: string | Buffer): string {
  const text = typeof data === 'string' ? data : data.toString('utf8')
  const firstLine = text.split(/\r?\n/, 1)[0] ?? ''
  const shown = firstLine.length > 80 ? `${firstLine.slice(0, 80)}…` : firstLine
  return `raw ${Buffer.byteLength(data)} bytes: ${shown}`
}

/** A message-sized input that holds only CR/LF: a keep-alive (RFC 5626 §3.5.1), not a message. */
export function isKeepAlive(text: string): boolean {
  return /^[\r\n]+$/.test(text)
}

/**
 * What all flows share: trace recording of every message sent and received (RFC 3261 §18 framing is the
 * subclass's), parsing of inbound messages, and the once-only close notification.
 */
export abstract class BaseFlow implements Flow {
  abstract readonly reliable: boolean
  abstract get local(): Peer
  abstract get remote(): Peer

  private closeReason: string | undefined
  private readonly closeListeners: ((reason: string) => void)[] = []
  private readonly keepAliveListeners = new Set<(bytes: string) => void>()
  private firstViolation: SutProtocolError | undefined

  /**
   * The first protocol violation the peer committed on this flow that the harness had to act on (a message over
   * the size limit, cut and never buffered), or undefined. A failure seen afterwards on this flow (the connection
   * closed, an answer that never came) is a consequence of it: `HarnessWorld.guard` reports this instead.
   */
  get violation(): SutProtocolError | undefined {
    return this.firstViolation
  }

  protected constructor(
    readonly id: string,
    protected readonly tag: TraceTag,
    protected readonly hub: InboundHub,
  ) {}

  get closed(): boolean {
    return this.closeReason !== undefined
  }

  async send(message: SipMessage): Promise<void> {
    await this.transmit(message.toString(), message.summary())
  }

  async sendRaw(data: string | Buffer): Promise<void> {
    const text = typeof data === 'string' ? data : data.toString('latin1')
    await this.transmit(data, isKeepAlive(text) ? keepAliveSummary(text) : rawSummary(data))
  }

  /**
   * Called with the bytes of each CR/LF-only input (a keep-alive "ping" or "pong", RFC 5626 §3.5.1 and §4.4.1),
   * which is recorded in the trace but is not a message. Returns the unsubscribe function.
   */
  onKeepAlive(listener: (bytes: string) => void): () => void {
    this.keepAliveListeners.add(listener)
    return () => this.keepAliveListeners.delete(listener)
  }

  onClose(listener: (reason: string) => void): void {
    const reason = this.closeReason
    if (reason === undefined) this.closeListeners.push(listener)
    else queueMicrotask(() => listener(reason))
  }

  abstract close(): Promise<void>

  /** Puts bytes on the wire; rejects when the transport refuses them. */
  protected abstract write(data: string | Buffer): Promise<void>

  /** Parses one complete message (a datagram, a framed stream message, a WebSocket message) and dispatches it. */
  protected receive(data: string | Buffer): void {
    const raw = typeof data === 'string' ? data : data.toString('utf8')
    if (isKeepAlive(raw)) {
      this.record('received', raw, keepAliveSummary(raw))
      for (const listener of [...this.keepAliveListeners]) listener(raw)
      return
    }
    let message
    try {
      message = parseMessage(raw)
    } catch (error) {
      this.receiveInvalid(raw, asParseError(error))
      return
    }
    this.record('received', raw, message.summary())
    this.hub.message({ message, flow: this })
  }

  /** Records input that is not a SIP message and hands it to the onInvalid handlers. */
  protected receiveInvalid(raw: string, error: SipParseError): void {
    this.record('received', raw, `unparseable: ${error.reason}`)
    this.hub.invalid({ raw, error, flow: this })
  }

  /**
   * Records a protocol violation of the peer: the trace gets `summary` with `marker` as its raw text (what was
   * cut, and how much), and `violation` keeps the first one. The subclass closes the connection.
   */
  protected violate(error: SutProtocolError, summary: string, marker: string): void {
    this.firstViolation ??= error
    this.record('received', marker, summary)
  }

  /** Marks the flow closed and tells the listeners, once. Later calls are ignored. */
  protected markClosed(reason: string): void {
    if (this.closeReason !== undefined) return
    this.closeReason = reason
    const listeners = this.closeListeners.splice(0)
    for (const listener of listeners) {
      try {
        listener(reason)
      } catch (error) {
        this.tag.trace.note(this.tag.observer, `flow ${this.id} close listener threw: ${String(error)}`)
      }
    }
  }

  /** One trace entry, from the sender's end to the receiver's. */
  private record(direction: 'sent' | 'received', raw: string, summary: string): void {
    const [from, to] = direction === 'sent' ? [this.local, this.remote] : [this.remote, this.local]
    this.tag.trace.record({
      observer: this.tag.observer,
      direction,
      leg: this.tag.leg,
      from: traceEndpoint(from),
      to: traceEndpoint(to),
      raw,
      summary,
    })
  }

  private async transmit(data: string | Buffer, summary: string): Promise<void> {
    if (this.closeReason !== undefined) {
      throw new TransportClosed(
        `cannot send ${summary} to ${describePeer(this.remote)}: flow ${this.id} is closed (${this.closeReason})`,
      )
    }
    // Recorded before the write so that the trace order matches the wire order when the answer is quick.
    this.record('sent', typeof data === 'string' ? data : data.toString('utf8'), summary)
    try {
      await this.write(data)
    } catch (error) {
      if (error instanceof HarnessError) throw error
      throw new TransportFailed(
        `sending ${summary} to ${describePeer(this.remote)} on flow ${this.id} failed: ${errorText(error)}`,
        { cause: error },
      )
    }
  }
}

/** `CRLF keep-alive ping (4 bytes)`: RFC 5626 §4.4.1 names the double CRLF the ping and the single CRLF the pong. */
export function keepAliveSummary(raw: string): string {
  const kind = raw === '\r\n\r\n' ? 'ping' : raw === '\r\n' ? 'pong' : 'line breaks'
  return `CRLF keep-alive ${kind} (${Buffer.byteLength(raw)} bytes)`
}

/** Any parser failure as a SipParseError (a parser bug must not escape as an unrelated error type). */
export function asParseError(error: unknown): SipParseError {
  if (error instanceof SipParseError) return error
  return new SipParseError(errorText(error), 0)
}

/** `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5060`: the error code first when there is one. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message
  }
  return String(error)
}
