import { connect, type Socket } from 'node:net'

/**
 * Half-open TLS connections to the W2 port (issue 9 §5): TCP connections that never finish a TLS handshake, half of
 * them silent after the TCP handshake, half stopping inside a ClientHello (a TLS record header announcing 512 bytes
 * and a few of them). They are opened a batch at a time, each with a connect deadline, held until `close()`, and
 * counted: how many connected, how many the peer refused, and how many it has closed since.
 */

export interface HalfOpenOptions {
  readonly host: string
  readonly port: number
  readonly count: number
  /** Connections attempted at once. */
  readonly batch?: number
  /** Deadline of each TCP connect. */
  readonly connectTimeoutMs: number
}

/** The start of a TLS 1.2 ClientHello record: handshake record of 512 bytes, ClientHello of 508, version 3.3. */
const PARTIAL_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])

export class HalfOpenConnections {
  private readonly sockets: Socket[] = []
  private refusedCount = 0
  private closedByPeerCount = 0
  private closing = false

  private constructor(private readonly opts: HalfOpenOptions) {}

  /** Opens `count` half-open connections; a connection that fails or times out is counted as refused. */
  static async open(opts: HalfOpenOptions): Promise<HalfOpenConnections> {
    const held = new HalfOpenConnections(opts)
    const batch = opts.batch ?? 100
    for (let first = 0; first < opts.count; first += batch) {
      const size = Math.min(batch, opts.count - first)
      await Promise.all(Array.from({ length: size }, (_, i) => held.openOne(first + i)))
    }
    return held
  }

  get attempted(): number {
    return this.opts.count
  }

  /** Connections that completed the TCP handshake. */
  get connected(): number {
    return this.sockets.length
  }

  get refused(): number {
    return this.refusedCount
  }

  /** Connected ones the eP-CSCF has closed or reset since (a handshake timeout, a connection limit). */
  get closedByPeer(): number {
    return this.closedByPeerCount
  }

  /** One line for the report. */
  describe(): string {
    return (
      `${this.opts.count} half-open TLS connections to ${this.opts.host}:${this.opts.port} attempted: ` +
      `${this.connected} connected (half silent, half stopped inside a ClientHello), ${this.refused} refused or ` +
      `timed out, ${this.closedByPeer} closed by the eP-CSCF so far`
    )
  }

  /** Destroys every connection. */
  close(): void {
    this.closing = true
    for (const socket of this.sockets.splice(0)) socket.destroy()
  }

  private openOne(index: number): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.opts.host, port: this.opts.port })
      const timer = setTimeout(() => fail(), this.opts.connectTimeoutMs)
      const fail = (): void => {
        clearTimeout(timer)
        socket.destroy()
        this.refusedCount += 1
        resolve()
      }
      socket.once('error', fail)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.off('error', fail)
        socket.on('error', () => undefined)
        socket.once('close', () => {
          if (!this.closing) this.closedByPeerCount += 1
        })
        socket.resume()
        if (index % 2 === 1) socket.write(PARTIAL_CLIENT_HELLO)
        this.sockets.push(socket)
        resolve()
      })
    })
  }
}
