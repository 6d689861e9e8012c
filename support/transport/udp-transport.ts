import dgram from 'node:dgram'
import net from 'node:net'
import { HarnessError } from '../errors.ts'
import { BaseFlow, errorText, nextFlowId } from './base-flow.ts'
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

/** A (socket, remote address:port) pair. Unreliable: the transaction layer retransmits (RFC 3261 §17). */
class UdpFlow extends BaseFlow {
  readonly reliable = false

  constructor(
    private readonly socket: dgram.Socket,
    readonly local: Peer,
    readonly remote: Peer,
    tag: TraceTag,
    hub: InboundHub,
    private readonly forget: (flow: UdpFlow) => void,
  ) {
    super(nextFlowId('udp'), tag, hub)
  }

  /** One datagram holds exactly one message (RFC 3261 §18.3: the body runs to the end of the datagram). */
  datagram(data: Buffer): void {
    this.receive(data)
  }

  async close(): Promise<void> {
    this.shut('closed by the harness')
  }

  shut(reason: string): void {
    if (this.closed) return
    this.forget(this)
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
export class UdpTransport {
  private readonly flows = new Map<string, UdpFlow>()
  private readonly hub: InboundHub
  private isClosed = false

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: Peer,
    private readonly tag: TraceTag,
  ) {
    this.hub = new InboundHub((error) =>
      tag.trace.note(tag.observer, `UDP message handler threw: ${errorText(error)}`),
    )
    socket.on('message', (data, rinfo) => {
      const flow = this.flowFor({ transport: 'UDP', address: rinfo.address, port: rinfo.port })
      flow.datagram(data)
    })
    socket.on('error', (error) =>
      tag.trace.note(tag.observer, `UDP socket ${describePeer(local)}: ${errorText(error)}`),
    )
  }

  /** Binds a socket (port 0: an ephemeral port, see `local.port`). */
  static async listen(opts: { address: string; port: number } & TraceTag): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: net.isIPv6(opts.address) ? 'udp6' : 'udp4' })
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void =>
        reject(
          new HarnessError(
            'TRANSPORT_FAILED',
            `cannot bind UDP ${opts.address}:${opts.port}: ${errorText(error)}`,
            {
              cause: error,
            },
          ),
        )
      socket.once('error', fail)
      socket.bind(opts.port, opts.address, () => {
        socket.off('error', fail)
        resolve()
      })
    })
    const bound = socket.address()
    return new UdpTransport(socket, { transport: 'UDP', address: bound.address, port: bound.port }, opts)
  }

  /** The flow to this peer (one per remote address:port). */
  flowTo(peer: Peer): Flow {
    if (this.isClosed)
      throw new HarnessError('TRANSPORT_CLOSED', `UDP transport ${describePeer(this.local)} is closed`)
    return this.flowFor(peer)
  }

  onMessage(handler: (m: Inbound) => void): void {
    this.hub.onMessage(handler)
  }

  onInvalid(handler: (m: InvalidInbound) => void): void {
    this.hub.onInvalid(handler)
  }

  /** Closes the socket and every flow on it. */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    for (const flow of [...this.flows.values()]) flow.shut('UDP transport closed')
    await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }

  private flowFor(peer: Peer): UdpFlow {
    const key = peerKey(peer.address, peer.port)
    let flow = this.flows.get(key)
    if (!flow) {
      const remote: Peer = { transport: 'UDP', address: peer.address, port: peer.port }
      flow = new UdpFlow(this.socket, this.local, remote, this.tag, this.hub, (f) => {
        if (this.flows.get(key) === f) this.flows.delete(key)
      })
      this.flows.set(key, flow)
    }
    return flow
  }
}
