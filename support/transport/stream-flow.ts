import type net from 'node:net'
import { OversizeMessage, TransportClosed } from '../errors.ts'
import { BaseFlow, closeGracefully, errorText, nextFlowId } from './base-flow.ts'
import type { InboundHub } from './inbound-hub.ts'
import { describePeer, type Peer, type TraceTag } from './peer.ts'
import { StreamFramer, type FramedItem } from './stream-framer.ts'
import { formatBytes } from './limits.ts'

/** Strips the IPv4-mapped prefix a dual-stack socket reports (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

/**
 * One TCP connection (RFC 3261 §18): reliable, messages delimited by Content-Length (see StreamFramer).
 * A framing error is recorded as invalid input and closes the connection, since the stream cannot be
 * resynchronised. An outbound flow is usable at once; sends wait for the connection (`ready`).
 */
export class StreamFlow extends BaseFlow {
  readonly reliable = true
  private readonly framer = new StreamFramer()
  private lastError: string | undefined

  constructor(
    private readonly socket: net.Socket,
    private readonly fallbackLocal: Peer,
    readonly remote: Peer,
    tag: TraceTag,
    hub: InboundHub,
    private readonly ready: Promise<void>,
  ) {
    super(nextFlowId(remote.transport.toLowerCase()), tag, hub)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('end', () => {
      const leftover = this.framer.end()
      if (leftover?.kind === 'error') this.receiveInvalid(leftover.data.toString('utf8'), leftover.error)
      socket.end()
    })
    socket.on('error', (error) => {
      this.lastError = errorText(error)
    })
    socket.on('close', () =>
      this.markClosed(this.lastError ?? `connection closed by ${describePeer(remote)}`),
    )
    // A failed connect closes the flow at once (before a waiting send rejects), and an unused failed flow
    // raises no unhandled rejection.
    ready.catch((error: unknown) => this.markClosed(errorText(error)))
  }

  get local(): Peer {
    const address = this.socket.localAddress
    const port = this.socket.localPort
    if (address === undefined || port === undefined) return this.fallbackLocal
    return { transport: this.fallbackLocal.transport, address: plainAddress(address), port }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.lastError ??= 'closed by the harness'
    await closeGracefully(
      this.socket,
      () => this.socket.end(),
      () => this.socket.destroy(),
    )
  }

  /** Destroys the connection at once (transport shutdown). */
  destroy(reason: string): void {
    this.lastError ??= reason
    this.socket.destroy()
  }

  protected async write(data: string | Buffer): Promise<void> {
    await this.ready
    await new Promise<void>((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new TransportClosed(`connection to ${describePeer(this.remote)} is closed`))
        return
      }
      this.socket.write(data, (error) => (error ? reject(error) : resolve()))
    })
  }

  private onData(chunk: Buffer): void {
    for (const item of this.framer.push(chunk)) {
      if (item.kind === 'message') {
        this.receive(item.data)
      } else if (item.oversize !== undefined) {
        this.oversize(item, item.oversize)
      } else {
        this.receiveInvalid(item.data.toString('utf8'), item.error)
        this.destroy(`framing error: ${item.error.reason}`)
      }
    }
  }

  /** A message over the limit: cut (the first bytes kept in the trace, with a marker) and the connection closed. */
  private oversize(
    item: Extract<FramedItem, { kind: 'error' }>,
    oversize: { bytes: number | undefined; limit: number },
  ): void {
    const size =
      oversize.bytes === undefined ? `more than ${formatBytes(oversize.limit)}` : formatBytes(oversize.bytes)
    const error = new OversizeMessage(
      `${describePeer(this.remote)} sent a message of ${size} on a stream (${item.error.reason}); the limit is ` +
        `${formatBytes(oversize.limit)}; it was cut and the connection closed`,
      { ...(oversize.bytes === undefined ? {} : { bytes: oversize.bytes }), limit: oversize.limit },
    )
    const head = item.data.subarray(0, 2048).toString('utf8')
    this.violate(
      error,
      `oversize message: ${size} (limit ${formatBytes(oversize.limit)}), cut`,
      `${head}\n[message cut: ${size}; ${formatBytes(Math.min(item.data.length, 2048))} kept here]`,
    )
    this.destroy(error.message)
  }
}
