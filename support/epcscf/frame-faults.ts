import type { Duplex } from 'node:stream'
import type { Faults } from './faults.ts'

/**
 * Three fault switches that act on the client's WebSocket frames before the `ws` library reads them (the library
 * itself gets these rules right, so the defect has to be put in front of it; issue 9 §5):
 * - `unmasked-frames-accepted`: an unmasked client frame is given a zero masking key, so that it is read as if
 *   masked (RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked").
 * - `fragmented-messages-dropped`: a message sent in more than one frame is silently dropped (RFC 6455 §5.4 has
 *   servers support "receiving both fragmented and unfragmented messages", from memory).
 * - `ws-message-split`: a text message is read as a byte stream, framed by Content-Length as on TCP (RFC 3261
 *   §18.3), and every SIP message in it is passed on as a message of its own (RFC 7118 §5.1: a WebSocket message
 *   MUST NOT contain more than one SIP message, recalled).
 */
export function interceptClientFrames(socket: Duplex, faults: Faults): void {
  const unmasked = faults.has('unmasked-frames-accepted')
  const fragmented = faults.has('fragmented-messages-dropped')
  const split = faults.has('ws-message-split')
  if (!unmasked && !fragmented && !split) return
  const readers = socket.listeners('data') as ((chunk: Buffer) => void)[]
  socket.removeAllListeners('data')
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    const out: Buffer[] = []
    for (let frame = nextFrame(pending); frame !== undefined; frame = nextFrame(pending)) {
      pending = pending.subarray(frame.size)
      const dataFrame = frame.opcode < 8
      if (fragmented && dataFrame && (frame.opcode === 0 || !frame.fin)) continue
      if (split && frame.opcode === 1 && frame.fin && frame.masked) {
        out.push(...splitAsStream(frame).map((payload) => textFrame(payload)))
        continue
      }
      out.push(unmasked && !frame.masked ? withZeroMask(frame.bytes, frame.headerSize) : frame.bytes)
    }
    if (out.length > 0) for (const read of readers) read.call(socket, Buffer.concat(out))
  })
}

interface RawFrame {
  readonly opcode: number
  readonly fin: boolean
  readonly masked: boolean
  readonly headerSize: number
  readonly size: number
  readonly bytes: Buffer
}

/** The first whole frame of `buffer` (RFC 6455 §5.2), or undefined when it is not all there yet. */
function nextFrame(buffer: Buffer): RawFrame | undefined {
  if (buffer.length < 2) return undefined
  const first = buffer[0] ?? 0
  const second = buffer[1] ?? 0
  let length = second & 0x7f
  let headerSize = 2
  if (length === 126) {
    if (buffer.length < 4) return undefined
    length = buffer.readUInt16BE(2)
    headerSize = 4
  } else if (length === 127) {
    if (buffer.length < 10) return undefined
    length = Number(buffer.readBigUInt64BE(2))
    headerSize = 10
  }
  const masked = (second & 0x80) !== 0
  const size = headerSize + (masked ? 4 : 0) + length
  if (buffer.length < size) return undefined
  return {
    opcode: first & 0x0f,
    fin: (first & 0x80) !== 0,
    masked,
    headerSize,
    size,
    bytes: buffer.subarray(0, size),
  }
}

/** The frame with the MASK bit set and a masking key of four zero bytes (XOR with zero leaves the payload). */
function withZeroMask(bytes: Buffer, headerSize: number): Buffer {
  const header = Buffer.from(bytes.subarray(0, headerSize))
  header[1] = (header[1] ?? 0) | 0x80
  return Buffer.concat([header, Buffer.alloc(4), bytes.subarray(headerSize)])
}

/** The SIP messages of one masked text frame's payload, cut as a stream transport cuts them (Content-Length). */
function splitAsStream(frame: RawFrame): Buffer[] {
  const key = frame.bytes.subarray(frame.headerSize, frame.headerSize + 4)
  let rest = Buffer.from(frame.bytes.subarray(frame.headerSize + 4).map((b, i) => b ^ (key[i % 4] ?? 0)))
  const messages: Buffer[] = []
  for (let end = rest.indexOf('\r\n\r\n'); end >= 0 && rest.length > 0; end = rest.indexOf('\r\n\r\n')) {
    const head = rest.subarray(0, end).toString('latin1')
    const length = Number(/^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head)?.[1] ?? 0)
    const size = Math.min(rest.length, end + 4 + length)
    messages.push(rest.subarray(0, size))
    rest = rest.subarray(size)
  }
  if (rest.length > 0) messages.push(rest)
  return messages
}

/** A FIN text frame with `payload`, masked with a zero key (as a client must mask, RFC 6455 §5.3). */
function textFrame(payload: Buffer): Buffer {
  const length = payload.length
  const size = length < 126 ? Buffer.alloc(0) : length < 65536 ? Buffer.alloc(2) : Buffer.alloc(8)
  if (length >= 126 && length < 65536) size.writeUInt16BE(length)
  if (length >= 65536) size.writeBigUInt64BE(BigInt(length))
  const second = 0x80 | (length < 126 ? length : length < 65536 ? 126 : 127)
  return Buffer.concat([Buffer.from([0x81, second]), size, Buffer.alloc(4), payload])
}
