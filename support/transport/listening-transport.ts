import type { EventEmitter } from 'node:events'
import { TransportClosed, TransportFailed } from '../errors.ts'
import { errorText, type BaseFlow } from './base-flow.ts'
import { InboundHub } from './inbound-hub.ts'
import {
  describePeer,
  peerKey,
  type Flow,
  type Inbound,
  type InvalidInbound,
  type Peer,
  type TraceTag,
} from './peer.ts'

/** A flow its transport can end at once, when the transport closes. */
export interface DestroyableFlow extends BaseFlow {
  destroy(reason: string): void
}

/**
 * What the TCP and UDP transports share: the open flows keyed by remote address:port, the fan-out of inbound
 * messages to the handlers, and closing once (every flow, then the socket).
 */
export abstract class ListeningTransport<F extends DestroyableFlow> {
  private readonly flows = new Map<string, F>()
  protected readonly hub: InboundHub
  private isClosed = false

  protected constructor(
    readonly local: Peer,
    protected readonly tag: TraceTag,
  ) {
    this.hub = new InboundHub((error) =>
      tag.trace.note(tag.observer, `${local.transport} message handler threw: ${errorText(error)}`),
    )
  }

  /** The flow to this peer, reused or opened. Throws TRANSPORT_CLOSED once the transport is closed. */
  abstract flowTo(peer: Peer): Flow

  onMessage(handler: (m: Inbound) => void): void {
    this.hub.onMessage(handler)
  }

  onInvalid(handler: (m: InvalidInbound) => void): void {
    this.hub.onInvalid(handler)
  }

  /** Stops listening and ends every flow. */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    for (const flow of [...this.flows.values()]) flow.destroy(`${this.local.transport} transport closed`)
    await this.closeSocket()
  }

  /** Closes the listening socket. */
  protected abstract closeSocket(): Promise<void>

  protected assertOpen(): void {
    if (this.isClosed)
      throw new TransportClosed(`${this.local.transport} transport ${describePeer(this.local)} is closed`)
  }

  /** The tracked flow to this address:port, if any. */
  protected flowAt(peer: Peer): F | undefined {
    return this.flows.get(peerKey(peer.address, peer.port))
  }

  /** Keeps `flow` under its remote address:port until it closes. */
  protected track(flow: F): F {
    const key = peerKey(flow.remote.address, flow.remote.port)
    this.flows.set(key, flow)
    flow.onClose(() => {
      if (this.flows.get(key) === flow) this.flows.delete(key)
    })
    return flow
  }
}

/**
 * Starts a server or binds a socket: `start` gets the callback to call once listening. An 'error' before that
 * rejects with TRANSPORT_FAILED `cannot <what>: <error>`.
 */
export function listening(
  emitter: EventEmitter,
  start: (onListening: () => void) => void,
  what: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void =>
      reject(new TransportFailed(`cannot ${what}: ${errorText(error)}`, { cause: error }))
    emitter.once('error', fail)
    start(() => {
      emitter.off('error', fail)
      resolve()
    })
  })
}
