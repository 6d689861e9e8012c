import { canonicalHeaderName } from '../sip/compact-names.ts'
import { SipParseError } from '../sip/parse-error.ts'
import { maxMessageBytes } from './limits.ts'

/** One output of the framer: a complete message's bytes, or a framing error with the bytes it gave up on. */
export type FramedItem =
  | { readonly kind: 'message'; readonly data: Buffer }
  | {
      readonly kind: 'error'
      readonly data: Buffer
      readonly error: SipParseError
      /** Set when the message was over a size limit: the size announced (Content-Length) or seen, and the limit. */
      readonly oversize?: { readonly bytes: number | undefined; readonly limit: number }
    }

const CR = 0x0d
const LF = 0x0a

/**
 * Splits a byte stream (TCP, TLS) into SIP messages, RFC 3261 §18.3:
 * "In the case of stream-oriented transports such as TCP, the Content-Length header field indicates the size
 * of the body. All stream-oriented transports MUST use Content-Length to locate the end of each message."
 *
 * CR/LF between messages are skipped: RFC 3261 §7.5 ("Implementations processing SIP messages over
 * stream-oriented transports MUST ignore any CRLF appearing before the start-line") and the RFC 5626 §3.5.1
 * CRLF keep-alives. A message without a valid Content-Length cannot be delimited, so the stream cannot be
 * resynchronised: the framer reports one error and drops everything after it; the owner closes the connection.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0)
  private failed = false

  constructor(
    private readonly limits: { maxHeaderBytes: number; maxBodyBytes: number } = {
      maxHeaderBytes: MAX_HEADER_BYTES,
      maxBodyBytes: maxMessageBytes(),
    },
  ) {}

  /** Appends a chunk and returns the messages (and at most one error) it completes. */
  push(chunk: Buffer): FramedItem[] {
    if (this.failed) return []
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const out: FramedItem[] = []
    for (;;) {
      this.skipLineBreaks()
      if (this.buffer.length === 0) break
      const item = this.next()
      if (!item) break
      out.push(item)
      if (item.kind === 'error') break
    }
    return out
  }

  /** At end of stream: an error for a partial message left in the buffer, if any. */
  end(): FramedItem | undefined {
    this.skipLineBreaks()
    if (this.failed || this.buffer.length === 0) return undefined
    return this.fail(
      `stream ended inside a message (${this.buffer.length} bytes buffered)`,
      this.buffer.length,
    )
  }

  private skipLineBreaks(): void {
    let i = 0
    while (i < this.buffer.length && (this.buffer[i] === CR || this.buffer[i] === LF)) i += 1
    if (i > 0) this.buffer = this.buffer.subarray(i)
  }

  private next(): FramedItem | undefined {
    const headerEnd = findHeaderEnd(this.buffer)
    if (headerEnd < 0) {
      if (this.buffer.length > this.limits.maxHeaderBytes) {
        return this.fail(`no end of header section within ${this.limits.maxHeaderBytes} bytes`, 0, {
          bytes: undefined,
          limit: this.limits.maxHeaderBytes,
        })
      }
      return undefined
    }
    const header = this.buffer.subarray(0, headerEnd).toString('utf8')
    const length = contentLength(header)
    if (typeof length === 'string') return this.fail(length, 0)
    if (length > this.limits.maxBodyBytes) {
      return this.fail(`Content-Length ${length} exceeds the limit of ${this.limits.maxBodyBytes} bytes`, 0, {
        bytes: headerEnd + length,
        limit: this.limits.maxBodyBytes,
      })
    }
    const total = headerEnd + length
    if (this.buffer.length < total) return undefined
    const data = Buffer.from(this.buffer.subarray(0, total))
    this.buffer = this.buffer.subarray(total)
    return { kind: 'message', data }
  }

  private fail(
    reason: string,
    offset: number,
    oversize?: { bytes: number | undefined; limit: number },
  ): FramedItem {
    const data = Buffer.from(this.buffer)
    this.failed = true
    this.buffer = Buffer.alloc(0)
    const error = new SipParseError(reason, offset, 'stream framing')
    return oversize === undefined ? { kind: 'error', data, error } : { kind: 'error', data, error, oversize }
  }
}

/** RFC 3261 sets no limit; 64 KiB of header fields is far beyond any real message. */
const MAX_HEADER_BYTES = 64 * 1024

/** Offset just past the empty line that ends the header section (CRLFCRLF, or a lenient LFLF), or -1. */
function findHeaderEnd(buffer: Buffer): number {
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  const ends = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((end) => end >= 0)
  return ends.length === 0 ? -1 : Math.min(...ends)
}

/** The Content-Length (long or compact `l` form) of a header section, or the reason there is none. */
function contentLength(header: string): number | string {
  const lines = header.split(/\r?\n/).slice(1)
  const fields: string[] = []
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += ` ${line.trim()}`
    else if (line.length > 0) fields.push(line)
  }
  const values = new Set<string>()
  for (const field of fields) {
    const colon = field.indexOf(':')
    if (colon <= 0) continue
    if (canonicalHeaderName(field.slice(0, colon).trim()) === 'content-length')
      values.add(field.slice(colon + 1).trim())
  }
  if (values.size === 0) return 'missing Content-Length on a stream transport (RFC 3261 §18.3)'
  if (values.size > 1) return `conflicting Content-Length values: ${[...values].join(', ')}`
  const [value = ''] = values
  if (!/^\d+$/.test(value)) return `invalid Content-Length "${value}"`
  return Number(value)
}
