import dgram from 'node:dgram'
import net from 'node:net'
import { BaseFlow, errorText, nextFlowId } from './base-flow.ts'
import type { InboundHub } from './inbound-hub.ts'
import { listening, ListeningTransport } from './listening-transport.ts'
import { describePeer, type Flow, type Peer, type TraceTag } from './peer.ts'

/** A (socket, remote address:port) pair. Unreliable: the transaction layer retransmits (RFC 3261 §17). */
class UdpFlow extends BaseFlow {
  readonly reliable = false

  constructor(
    private readonly socket: dgram.Socket,
    readonly local: Peer,
    readonly remote: Peer,
    tag: TraceTag,
    hub: InboundHub,
  ) {
    super(nextFlowId('udp'), tag, hub)
  }

  /** One datagram holds exactly one message (RFC 3261 §18.3: the body runs to the end of the datagram). */
  datagram(data: Buffer): void {
    this.receive(data)
  }

  async close(): Promise<void> {
    this.destroy('closed by the harness')
  }

  /** Closes the flow (the socket is shared: it stays open). */
  destroy(reason: string): void {
    this.markClosed(reason)
  }

  protected write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(data, this.remote.port, this.remote.address, (error) =>
        error ? reject(error) : resolve(),
      )
    })
  }
}

/**
 * SIP over UDP (RFC 3261 §18) on one bound socket. Flows are keyed by the remote address and port; a message
 * that arrives from a source gets the flow to that source, so that answers go back to the datagram's source
 * address and port whatever the Via says (the RFC 3581 rport behaviour).
 */
export class UdpTransport extends ListeningTransport<UdpFlow> {
  private constructor(
    private readonly socket: dgram.Socket,
    local: Peer,
    tag: TraceTag,
  ) {
    super(local, tag)
    socket.on('message', (data, rinfo) => {
      const flow = this.flowFor({ transport: 'UDP', address: rinfo.address, port: rinfo.port })
      flow.datagram(data)
    })
    socket.on('error', (error) =>
      tag.trace.note(tag.observer, `UDP socket ${describePeer(local)}: ${errorText(error)}`),
    )
  }

  /** Binds a socket (port 0: an ephemeral port, see `local.port`). */
  static async listen(
    opts: { address: string; port: number; recvBufferSize?: number } & TraceTag,
  ): Promise<UdpTransport> {
    const socket = dgram.createSocket({
      type: net.isIPv6(opts.address) ? 'udp6' : 'udp4',
      ...(opts.recvBufferSize === undefined ? {} : { recvBufferSize: opts.recvBufferSize }),
    })
    await listening(
      socket,
      (onListening) => socket.bind(opts.port, opts.address, onListening),
      `bind UDP ${opts.address}:${opts.port}`,
    )
    const bound = socket.address()
    return new UdpTransport(socket, { transport: 'UDP', address: bound.address, port: bound.port }, opts)
  }

  /** The flow to this peer (one per remote address:port). */
  flowTo(peer: Peer): Flow {
    this.assertOpen()
    return this.flowFor(peer)
  }

  /** Closes the socket (its flows are closed first, see `close`). */
  protected closeSocket(): Promise<void> {
    return new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }

  private flowFor(peer: Peer): UdpFlow {
    const existing = this.flowAt(peer)
    if (existing) return existing
    const remote: Peer = { transport: 'UDP', address: peer.address, port: peer.port }
    return this.track(new UdpFlow(this.socket, this.local, remote, this.tag, this.hub))
  }
}
