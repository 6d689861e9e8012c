import net from 'node:net'
import { TransportFailed } from '../errors.ts'
import { errorText } from './base-flow.ts'
import { listening, ListeningTransport } from './listening-transport.ts'
import { describePeer, type Flow, type Peer, type TraceTag } from './peer.ts'
import { plainAddress, StreamFlow } from './stream-flow.ts'

const DEFAULT_CONNECT_TIMEOUT_MS = 3000

/**
 * SIP over TCP (RFC 3261 §18): a listening server plus client connections. `flowTo(peer)` reuses an open
 * connection to that address:port (RFC 3261 §18.1.1: "...the client transport uses an existing connection
 * if one is open") or opens one; messages are delimited by Content-Length (RFC 3261 §18.3).
 */
export class TcpTransport extends ListeningTransport<StreamFlow> {
  private constructor(
    private readonly server: net.Server,
    local: Peer,
    tag: TraceTag,
    private readonly connectTimeoutMs: number,
  ) {
    super(local, tag)
    server.on('error', (error) =>
      tag.trace.note(tag.observer, `TCP server ${describePeer(local)}: ${errorText(error)}`),
    )
    server.on('connection', (socket) => {
      const remote: Peer = {
        transport: 'TCP',
        address: plainAddress(socket.remoteAddress ?? ''),
        port: socket.remotePort ?? 0,
      }
      this.track(new StreamFlow(socket, this.local, remote, this.tag, this.hub, Promise.resolve()))
    })
  }

  /** Starts listening (port 0: an ephemeral port, see `local.port`). `connectTimeoutMs` bounds `flowTo`. */
  static async listen(
    opts: { address: string; port: number; connectTimeoutMs?: number } & TraceTag,
  ): Promise<TcpTransport> {
    const server = net.createServer()
    await listening(
      server,
      (onListening) => server.listen(opts.port, opts.address, onListening),
      `listen on TCP ${opts.address}:${opts.port}`,
    )
    const bound = server.address() as net.AddressInfo
    const local: Peer = { transport: 'TCP', address: plainAddress(bound.address), port: bound.port }
    return new TcpTransport(server, local, opts, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
  }

  /** An open connection to this peer, or a new one (sends wait for it to connect, within the connect timeout). */
  flowTo(peer: Peer): Flow {
    this.assertOpen()
    const existing = this.flowAt(peer)
    if (existing && !existing.closed) return existing
    const remote: Peer = { transport: 'TCP', address: peer.address, port: peer.port }
    const socket = net.connect({ host: peer.address, port: peer.port })
    const ready = this.connected(socket, remote)
    return this.track(new StreamFlow(socket, this.local, remote, this.tag, this.hub, ready))
  }

  /** Stops listening (the connections are destroyed first, see `close`). */
  protected closeSocket(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private connected(socket: net.Socket, remote: Peer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TransportFailed(
          `TCP connection to ${describePeer(remote)} did not open within ${this.connectTimeoutMs} ms`,
        )
        socket.destroy(error)
        reject(error)
      }, this.connectTimeoutMs)
      timer.unref()
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(
          new TransportFailed(`TCP connection to ${describePeer(remote)} failed: ${errorText(error)}`, {
            cause: error,
          }),
        )
      })
    })
  }
}
