/**
 * Lexical building blocks of the SIP grammar, RFC 3261 §25.1: token, quoted-string, LWS and top-level list
 * splitting. Every other parser in this directory is written on top of these.
 */
import { matchesClass, TOKEN } from './chars.ts'
import { SipParseError } from './parse-error.ts'

/**
 * token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")  (RFC 3261 §25.1)
 */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN[code] === 1
}

export function isToken(text: string): boolean {
  return matchesClass(text, 0, text.length, TOKEN, false)
}

/** SP or HTAB (WSP, RFC 5234). After unfolding, LWS inside a header value is only made of these. */
export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09
}

export function skipWsp(text: string, i: number): number {
  while (i < text.length && isWsp(text.charCodeAt(i))) i++
  return i
}

/**
 * Reads a quoted-string starting at `start` (which must be a DQUOTE) and returns its unescaped content and the
 * index after the closing DQUOTE.
 * "quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE ... quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)"
 * (RFC 3261 §25.1).
 */
export function readQuotedString(
  text: string,
  start: number,
  context: string,
): { value: string; end: number } {
  let value = ''
  let i = start + 1
  let from = i
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return { value: value + text.slice(from, i), end: i + 1 }
    if (c === 0x5c) {
      const next = text.charCodeAt(i + 1)
      if (Number.isNaN(next) || next === 0x0a || next === 0x0d || next > 0x7f) {
        throw new SipParseError('invalid quoted-pair in quoted-string', i, context)
      }
      value += text.slice(from, i) + text[i + 1]
      i += 2
      from = i
      continue
    }
    // qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      throw new SipParseError('control character in quoted-string', i, context)
    }
    i++
  }
  throw new SipParseError('unterminated quoted-string (no closing DQUOTE)', start, context)
}

/** Where the quoted-string starting at `start` ends (index after its DQUOTE), with readQuotedString's checks. */
export function quotedStringEnd(text: string, start: number, context: string): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return i + 1
    if (c === 0x5c || (c < 0x20 && c !== 0x09) || c === 0x7f)
      return readQuotedString(text, start, context).end
  }
  return readQuotedString(text, start, context).end
}

/** Quotes a value as a quoted-string, escaping DQUOTE and backslash with quoted-pairs. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/** A piece of a header value and where it starts in that value. */
export interface Segment {
  readonly text: string
  readonly offset: number
}

/**
 * Splits on `separator` where it is not inside a quoted-string or inside `<...>`: "Contact: <sip:a;x=1,2>, b" holds
 * two values. RFC 3261 §7.3.1: "Multiple header field rows with the same field-name MAY be present ... if the entire
 * field-value for that header field is defined to be a comma-separated list". Segments are not trimmed.
 */
export function splitTopLevel(text: string, separator: string, context: string, angle = true): Segment[] {
  const sep = separator.charCodeAt(0)
  if (text.indexOf(separator) < 0) {
    // One segment; its quoted-strings are still checked, as the loop below would.
    for (let q = text.indexOf('"'); q >= 0; q = text.indexOf('"', quotedStringEnd(text, q, context)));
    return [{ text, offset: 0 }]
  }
  const out: Segment[] = []
  let from = 0
  let inAngle = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      i = quotedStringEnd(text, i, context) - 1
    } else if (angle && c === 0x3c) {
      inAngle = true
    } else if (angle && c === 0x3e) {
      inAngle = false
    } else if (c === sep && !inAngle) {
      out.push({ text: text.slice(from, i), offset: from })
      from = i + 1
    }
  }
  out.push({ text: text.slice(from), offset: from })
  return out
}

/** Offset of the first non-WSP character of a segment, for error positions. */
export function trimmedOffset(segment: Segment): number {
  return segment.offset + (segment.text.length - segment.text.trimStart().length)
}

/** Re-throws a SipParseError raised inside a sub-part with its offset shifted into the enclosing text. */
export function shifted(error: unknown, by: number, context?: string): never {
  if (error instanceof SipParseError) {
    throw new SipParseError(error.reason, error.offset + by, context ?? error.context)
  }
  throw error
}
