/**
 * Allocation-free recognisers for the common spellings of the header fields the parser validates on every message
 * (Via, From, To, Contact, Route, Record-Route, CSeq and the Request-URI). Each answers true only for text the full
 * parsers in this directory accept (a subset of the RFC 3261 §25.1 grammar: no LWS around separators, no escapes in
 * quoted-strings, ASCII only, one value per field, no URI headers or IPv6 references); for anything else it answers
 * false and the caller runs the full parser, which accepts the value or rejects it with a reason. So these change
 * how fast a message is validated, never whether it is accepted or why it is refused (test/sip/plain-scan.test.ts).
 */
import { inClass, isDigit, isDigits, hostEnd, matchesClass, PARAMCHAR, TOKEN, USER } from './chars.ts'

/** Whether text[a, b) equals the lower-case ASCII `lower`, ignoring case. */
function equalsIgnoreCase(text: string, a: number, b: number, lower: string): boolean {
  if (b - a !== lower.length) return false
  for (let i = 0; i < lower.length; i++)
    if ((text.charCodeAt(a + i) | 0x20) !== lower.charCodeAt(i)) return false
  return true
}

function tokenEnd(text: string, i: number, b: number): number {
  while (i < b && inClass(TOKEN, text.charCodeAt(i))) i++
  return i
}

/** A quoted-string of printable ASCII without quoted-pairs starting at text[i] === DQUOTE: the index after it, or -1. */
function plainQuotedEnd(text: string, i: number, b: number): number {
  for (let j = i + 1; j < b; j++) {
    const c = text.charCodeAt(j)
    if (c === 0x22) return j + 1
    if (c < 0x20 || c > 0x7e || c === 0x5c) return -1
  }
  return -1
}

/**
 * `*( ";" token [ "=" ( token / plain quoted-string ) ] )` from text[i] to exactly b. With `via`, the via-params
 * that have a grammar of their own must follow it (branch a token, rport digits); received and ttl are left to the
 * full parser.
 */
function plainParams(text: string, i: number, b: number, via: boolean): boolean {
  while (i < b) {
    if (text.charCodeAt(i) !== 0x3b) return false
    const name = i + 1
    const nameEnd = tokenEnd(text, name, b)
    if (nameEnd === name) return false
    i = nameEnd
    let quoted = false
    let valueAt = -1
    if (i < b && text.charCodeAt(i) === 0x3d) {
      valueAt = i + 1
      if (valueAt < b && text.charCodeAt(valueAt) === 0x22) {
        quoted = true
        i = plainQuotedEnd(text, valueAt, b)
        if (i < 0) return false
      } else {
        i = tokenEnd(text, valueAt, b)
        if (i === valueAt) return false
      }
    }
    if (via) {
      if (equalsIgnoreCase(text, name, nameEnd, 'branch') && (valueAt < 0 || quoted)) return false
      if (equalsIgnoreCase(text, name, nameEnd, 'received') || equalsIgnoreCase(text, name, nameEnd, 'ttl'))
        return false
      if (equalsIgnoreCase(text, name, nameEnd, 'rport') && valueAt >= 0 && !isDigits(text, valueAt, i, 5))
        return false
    }
  }
  return i === b
}

/** port = 1*DIGIT within 0-65535, text[a, b). */
function isPort(text: string, a: number, b: number): boolean {
  if (!isDigits(text, a, b, 5)) return false
  let v = 0
  for (let i = a; i < b; i++) v = v * 10 + text.charCodeAt(i) - 0x30
  return v <= 65535
}

/** Index where host [":" port] starting at i ends (at a character that cannot continue it, or b), or -1. */
function hostPortEnd(text: string, i: number, b: number): number {
  let j = hostEnd(text, i, b)
  if (j >= 0 && j < b && text.charCodeAt(j) === 0x3a) {
    const port = j + 1
    j = port
    while (j < b && isDigit(text.charCodeAt(j))) j++
    if (!isPort(text, port, j)) return -1
  }
  return j
}

/** A sip: or sips: URI filling text[a, b) exactly: [user "@"] host [":" port] *(";" uri-parameter). */
export function isPlainSipUri(text: string, a: number, b: number): boolean {
  let i: number
  if (b - a > 4 && text.startsWith('sip:', a)) i = a + 4
  else if (b - a > 5 && text.startsWith('sips:', a)) i = a + 5
  else return false
  const at = text.indexOf('@', i)
  if (at >= 0 && at < b) {
    if (!matchesClass(text, i, at, USER, true)) return false
    i = at + 1
  }
  i = hostPortEnd(text, i, b)
  if (i < 0) return false
  while (i < b) {
    if (text.charCodeAt(i) !== 0x3b) return false
    const name = i + 1
    let j = name
    while (j < b && text.charCodeAt(j) !== 0x3b && text.charCodeAt(j) !== 0x3d) j++
    if (!matchesClass(text, name, j, PARAMCHAR, true)) return false
    if (j < b && text.charCodeAt(j) === 0x3d) {
      const value = j + 1
      j = value
      while (j < b && text.charCodeAt(j) !== 0x3b) j++
      if (!matchesClass(text, value, j, PARAMCHAR, true)) return false
    }
    i = j
  }
  return true
}

/**
 * One name-addr filling text[a, b): [ quoted-string / *(token LWS) ] "<" sip-URI ">" *(";" generic-param). The
 * addr-spec form (no angle brackets) is left to the full parser.
 */
export function isPlainNameAddr(text: string, a: number, b: number): boolean {
  let i = a
  const c0 = text.charCodeAt(a)
  if (c0 === 0x22) {
    i = plainQuotedEnd(text, a, b)
    if (i < 0) return false
    while (i < b && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++
  } else if (c0 !== 0x3c) {
    while (i < b) {
      const c = text.charCodeAt(i)
      if (!(inClass(TOKEN, c) || c === 0x20 || c === 0x09)) break
      i++
    }
  }
  if (i >= b || text.charCodeAt(i) !== 0x3c) return false
  const close = text.indexOf('>', i)
  if (close < 0 || close >= b || !isPlainSipUri(text, i + 1, close)) return false
  return plainParams(text, close + 1, b, false)
}

/** One via-parm filling text[a, b): "SIP/2.0/" transport SP host [":" port] *(";" via-params). */
export function isPlainVia(text: string, a: number, b: number): boolean {
  if (b - a < 10 || !text.startsWith('SIP/2.0/', a)) return false
  const transportEnd = tokenEnd(text, a + 8, b)
  if (transportEnd === a + 8 || transportEnd >= b || text.charCodeAt(transportEnd) !== 0x20) return false
  const i = hostPortEnd(text, transportEnd + 1, b)
  return i >= 0 && plainParams(text, i, b, true)
}

/** CSeq = 1*DIGIT LWS Method, the number below 2**31 and, for a request, the method the request's own. */
export function isPlainCSeq(text: string, a: number, b: number, method: string | undefined): boolean {
  let i = a
  let seq = 0
  while (i < b && isDigit(text.charCodeAt(i))) seq = seq * 10 + text.charCodeAt(i++) - 0x30
  if (i === a || i - a > 10 || seq >= 2 ** 31 || i >= b || text.charCodeAt(i) !== 0x20) return false
  const m = i + 1
  if (m === b || tokenEnd(text, m, b) !== b) return false
  return method === undefined || (b - m === method.length && text.startsWith(method, m))
}
