import { canonicalHeaderName } from './compact-names.ts'

/**
 * One header field line of a SIP message, kept losslessly (RFC 3261 §7.3).
 * `name` is as written on the wire (compact or long, any case); `value` is unfolded (each CRLF + WSP
 * continuation replaced by one SP) and trimmed; `raw` is the field exactly as received, folding included,
 * without the final CRLF. Header fields the harness builds have no `raw`.
 */
export interface HeaderField {
  readonly name: string
  readonly value: string
  readonly raw?: string | undefined
}

/**
 * Whether a header field written `fieldName` has the canonical name `key`. A long name (a token, so ASCII) has as
 * many characters as its canonical form, so only names of that length or compact (one-letter) names need the
 * canonical lookup.
 */
function named(fieldName: string, key: string): boolean {
  const n = fieldName.length
  return (n === key.length || n === 1) && canonicalHeaderName(fieldName) === key
}

/** Common part of requests and responses: ordered header fields and a body. */
export abstract class SipMessage {
  /** Header fields in wire order. Mutate through the methods below, which keep the order. */
  headers: HeaderField[]
  body: string
  /** The whole message as received, when it was parsed from the wire. */
  readonly raw: string | undefined

  protected constructor(headers: HeaderField[], body: string, raw?: string) {
    this.headers = headers
    this.body = body
    this.raw = raw
  }

  abstract get startLine(): string
  abstract isRequest(): this is SipRequest

  /** The value of the first header field with this name (compact forms match long ones), or undefined. */
  get(name: string): string | undefined {
    const key = canonicalHeaderName(name)
    for (const h of this.headers) if (named(h.name, key)) return h.value
    return undefined
  }

  /** Values of every header field line with this name, in order. Comma-joined values are NOT split here. */
  getAll(name: string): string[] {
    const key = canonicalHeaderName(name)
    const values: string[] = []
    for (const h of this.headers) if (named(h.name, key)) values.push(h.value)
    return values
  }

  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  /** Appends a header field line after the last one. */
  append(name: string, value: string): this {
    this.headers.push({ name, value })
    return this
  }

  /** Inserts a header field line before the first one of the same name (Via, Record-Route, Path), or at the top. */
  prepend(name: string, value: string): this {
    const key = canonicalHeaderName(name)
    const at = this.headers.findIndex((h) => named(h.name, key))
    this.headers.splice(at < 0 ? 0 : at, 0, { name, value })
    return this
  }

  /** Replaces every line of this header with one line holding `value`, at the position of the first. */
  set(name: string, value: string): this {
    const key = canonicalHeaderName(name)
    const at = this.headers.findIndex((h) => named(h.name, key))
    this.remove(name)
    if (at < 0) this.headers.push({ name, value })
    else this.headers.splice(at, 0, { name, value })
    return this
  }

  /** Removes every line of this header; returns how many were removed. */
  remove(name: string): number {
    const key = canonicalHeaderName(name)
    const before = this.headers.length
    this.headers = this.headers.filter((h) => !named(h.name, key))
    return before - this.headers.length
  }

  /** Removes the first line of this header and returns its value. */
  removeFirst(name: string): string | undefined {
    const key = canonicalHeaderName(name)
    const at = this.headers.findIndex((h) => named(h.name, key))
    if (at < 0) return undefined
    const [removed] = this.headers.splice(at, 1)
    return removed?.value
  }

  /**
   * Serialises the message. Header fields that came from the wire and were not touched keep their raw text
   * (folding included); Content-Length is written as found, so callers that change the body call
   * `updateContentLength()` first.
   */
  toString(): string {
    const lines = [this.startLine]
    for (const h of this.headers) lines.push(h.raw ?? `${h.name}: ${h.value}`)
    return `${lines.join('\r\n')}\r\n\r\n${this.body}`
  }

  /** Sets Content-Length to the body's length in octets (RFC 3261 §20.14). */
  updateContentLength(): this {
    return this.set('Content-Length', String(Buffer.byteLength(this.body, 'utf8')))
  }

  /** A deep copy whose header list can be changed without touching this one. */
  abstract clone(): SipMessage

  /** Call-ID, the top Via's branch etc. are read through header parsers; this is the one-line label for traces. */
  abstract summary(): string
}

export class SipRequest extends SipMessage {
  method: string
  uri: string
  readonly version: string

  constructor(init: {
    method: string
    uri: string
    version?: string
    headers?: HeaderField[]
    body?: string
    raw?: string
  }) {
    super(init.headers ?? [], init.body ?? '', init.raw)
    this.method = init.method
    this.uri = init.uri
    this.version = init.version ?? 'SIP/2.0'
  }

  get startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`
  }

  isRequest(): this is SipRequest {
    return true
  }

  clone(): SipRequest {
    return new SipRequest({
      method: this.method,
      uri: this.uri,
      version: this.version,
      headers: [...this.headers],
      body: this.body,
    })
  }

  summary(): string {
    return `${this.method} ${this.uri}`
  }
}

export class SipResponse extends SipMessage {
  status: number
  reason: string
  readonly version: string

  constructor(init: {
    status: number
    reason: string
    version?: string
    headers?: HeaderField[]
    body?: string
    raw?: string
  }) {
    super(init.headers ?? [], init.body ?? '', init.raw)
    this.status = init.status
    this.reason = init.reason
    this.version = init.version ?? 'SIP/2.0'
  }

  get startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`
  }

  isRequest(): this is SipRequest {
    return false
  }

  clone(): SipResponse {
    return new SipResponse({
      status: this.status,
      reason: this.reason,
      version: this.version,
      headers: [...this.headers],
      body: this.body,
    })
  }

  summary(): string {
    const cseq = this.get('CSeq')?.split(/\s+/)[1]
    return `${this.status} ${this.reason}${cseq ? ` (${cseq})` : ''}`
  }
}
