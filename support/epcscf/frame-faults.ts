import type { Duplex } from 'node:stream'
import type { Faults } from './faults.ts'

/**
 * Two fault switches that act on the client's WebSocket frames before the `ws` library reads them (the library
 * itself gets both rules right, so the defect has to be put in front of it; issue 9 §5):
 * - `unmasked-frames-accepted`: an unmasked client frame is given a zero masking key, so that it is read as if
 *   masked (RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked").
 * - `fragmented-messages-dropped`: a message sent in more than one frame is silently dropped (RFC 6455 §5.4 has
 *   servers support "receiving both fragmented and unfragmented messages", from memory).
 */
export function interceptClientFrames(socket: Duplex, faults: Faults): void {
  const unmasked = faults.has('unmasked-frames-accepted')
  const fragmented = faults.has('fragmented-messages-dropped')
  if (!unmasked && !fragmented) return
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
