import { randomBytes } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { HandshakeRefused } from '../errors.ts'
import { exchangeUpgrade, upgradeRequestText } from '../transport/raw-upgrade.ts'
import type { TraceEndpoint } from '../trace/trace-event.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'

/**
 * A hostile WIC at the frame level (issue 9 §5): a WSS connection whose opening handshake and frames the harness
 * writes byte by byte (RFC 6455 §5.2), so that it can send what no WebSocket library sends: unmasked frames,
 * invalid UTF-8 in a text frame, a message over the server's limit, a SIP message split over continuation frames.
 * Frames from the server are parsed (unmasked, RFC 6455 §5.1) and every frame either way goes into the trace.
 */

export interface RawOpenOptions {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly servername: string
  readonly ca: string
  readonly origin: string | undefined
  readonly timeoutMs: number
  readonly trace: TraceRecorder
}

/** How the server ended (or did not end) the connection. */
export interface CloseSeen {
  /** `close-frame`: a Close frame came (with its code, if any); `closed`: TCP closed without one; `open`: neither. */
  readonly how: 'close-frame' | 'closed' | 'open'
  readonly code?: number
  readonly reason?: string
}

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const

const OBSERVER = 'hostile-wic'

export class RawWebSocket {
  private buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private readonly messages: string[] = []
  private closeFrame: { code?: number; reason?: string } | undefined
  private ended = false
  /** Pending waits; each returns true once it has settled (and is dropped). */
  private waiters: (() => boolean)[] = []

  private constructor(
    private readonly socket: TLSSocket,
    private readonly opts: RawOpenOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', () => undefined) // the close that follows is what counts
    socket.on('close', () => {
      this.ended = true
      this.wake()
    })
  }

  /** TLS with the profile's CA, then the upgrade with `sip` (HandshakeRefused on any answer other than 101). */
  static async open(opts: RawOpenOptions): Promise<RawWebSocket> {
    const { socket, head, rest } = await exchangeUpgrade(opts, upgradeRequest(opts))
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)
    if (status !== 101) {
      socket.destroy()
      throw new HandshakeRefused(`the raw WebSocket upgrade got ${head.split('\r\n')[0]}`)
    }
    const raw = new RawWebSocket(socket, opts)
    if (rest.length > 0) raw.receive(rest)
    return raw
  }

  /** Writes one frame; masked with a random key unless `mask` is false (RFC 6455 §5.3). */
  sendFrame(
    frame: { opcode: number; payload: Buffer; fin?: boolean; mask?: boolean },
    summary: string,
  ): void {
    const mask = frame.mask ?? true
    const length = frame.payload.length
    const lengthBytes = length < 126 ? Buffer.alloc(0) : length < 65536 ? Buffer.alloc(2) : Buffer.alloc(8)
    if (length >= 126 && length < 65536) lengthBytes.writeUInt16BE(length)
    if (length >= 65536) lengthBytes.writeBigUInt64BE(BigInt(length))
    const first = ((frame.fin ?? true) ? 0x80 : 0) | frame.opcode
    const second = (mask ? 0x80 : 0) | (length < 126 ? length : length < 65536 ? 126 : 127)
    const key = mask ? randomBytes(4) : Buffer.alloc(0)
    const payload = mask ? frame.payload.map((byte, i) => byte ^ (key[i % 4] ?? 0)) : frame.payload
    this.record(
      'sent',
      summary,
      frame.payload.length > 4096 ? `(${length} bytes)` : frame.payload.toString('latin1'),
    )
    this.socket.write(Buffer.concat([Buffer.from([first, second]), lengthBytes, key, payload]))
  }

  /** The next whole message from the server (text or binary, reassembled); undefined at the deadline or a close. */
  async nextMessage(timeoutMs: number): Promise<string | undefined> {
    await this.until(() => this.messages.length > 0 || this.ended || this.closeFrame !== undefined, timeoutMs)
    return this.messages.shift()
  }

  /** What the server did to the connection within `timeoutMs`. */
  async awaitClose(timeoutMs: number): Promise<CloseSeen> {
    await this.until(() => this.closeFrame !== undefined || this.ended, timeoutMs)
    if (this.closeFrame !== undefined) return { how: 'close-frame', ...this.closeFrame }
    return { how: this.ended ? 'closed' : 'open' }
  }

  close(): void {
    this.socket.destroy()
  }

  private until(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve) => {
      let settled = false
      const finish = (): boolean => {
        if (!settled) {
          settled = true
          clearTimeout(timer)
          resolve()
        }
        return true
      }
      const timer = setTimeout(finish, timeoutMs)
      this.waiters.push(() => settled || (done() && finish()))
    })
  }

  private wake(): void {
    this.waiters = this.waiters.filter((settled) => !settled())
  }

  /** Parses the server's frames (never masked, RFC 6455 §5.1). */
  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    for (;;) {
      const frame = parseFrame(this.buffer)
      if (frame === undefined) break
      this.buffer = this.buffer.subarray(frame.size)
      if (frame.opcode === OPCODE.close) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined
        const reason = frame.payload.subarray(2).toString('utf8')
        this.closeFrame = { ...(code === undefined ? {} : { code }), reason }
        this.record('received', `WS Close ${code ?? '(no code)'} ${reason}`, '')
      } else if (frame.opcode === OPCODE.text || frame.opcode === OPCODE.binary || frame.opcode === 0) {
        this.fragments.push(frame.payload)
        if (frame.fin) {
          const text = Buffer.concat(this.fragments.splice(0)).toString('utf8')
          this.record('received', `WS message (${text.length} chars)`, text)
          this.messages.push(text)
        }
      }
    }
    this.wake()
  }

  private record(direction: 'sent' | 'received', summary: string, raw: string): void {
    const local: TraceEndpoint = {
      transport: 'WSS',
      address: this.socket.localAddress ?? '',
      port: this.socket.localPort ?? 0,
    }
    const remote: TraceEndpoint = { transport: 'WSS', address: this.opts.host, port: this.opts.port }
    this.opts.trace.record({
      observer: OBSERVER,
      direction,
      leg: 'W2',
      from: direction === 'sent' ? local : remote,
      to: direction === 'sent' ? remote : local,
      raw,
      summary: `raw frame: ${summary}`,
    })
  }
}

function upgradeRequest(opts: RawOpenOptions): string {
  return upgradeRequestText(opts.path, opts, [
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Protocol', 'sip'],
    ...(opts.origin === undefined ? [] : [['Origin', opts.origin] as const]),
  ])
}

function parseFrame(
  buffer: Buffer,
): { opcode: number; fin: boolean; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined
  const first = buffer[0] ?? 0
  const second = buffer[1] ?? 0
  let length = second & 0x7f
  let offset = 2
  if (length === 126) {
    if (buffer.length < 4) return undefined
    length = buffer.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    if (buffer.length < 10) return undefined
    length = Number(buffer.readBigUInt64BE(2))
    offset = 10
  }
  const masked = (second & 0x80) !== 0
  const key = masked ? buffer.subarray(offset, offset + 4) : undefined
  if (masked) offset += 4
  if (buffer.length < offset + length) return undefined
  const body = buffer.subarray(offset, offset + length)
  const payload = key === undefined ? body : body.map((byte, i) => byte ^ (key[i % 4] ?? 0))
  return {
    opcode: first & 0x0f,
    fin: (first & 0x80) !== 0,
    payload: Buffer.from(payload),
    size: offset + length,
  }
}
