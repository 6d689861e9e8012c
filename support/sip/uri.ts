/**
 * SIP and SIPS URIs, RFC 3261 §19.1 and the §25.1 grammar:
 * "SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]". Other schemes (tel, urn, ...) are checked
 * against "absoluteURI" and kept opaque. Escapes are kept exactly as written: RFC 3261 §19.1.4 compares URIs after
 * unescaping, but a conformance harness has to see what was sent, so nothing here unescapes.
 */
import { SipParseError } from './parse-error.ts'
import type { Param } from './params.ts'
import {
  isDigits,
  isHostnameOrIPv4,
  matchesClass,
  PARAMCHAR,
  PASSWORD,
  SCHEMECHAR,
  URIC,
  USER,
} from './chars.ts'

/** The lower-case scheme; `sip:` and `SIP:` without a copy-and-lower of the common spelling. */
function schemeOf(text: string, colon: number): string {
  if (colon === 3 && text.startsWith('sip')) return 'sip'
  if (colon === 4 && text.startsWith('sips')) return 'sips'
  return text.slice(0, colon).toLowerCase()
}

export interface SipUri {
  /** Lower-case scheme (`sip`, `sips`, `tel`, ...); schemes are case-insensitive (RFC 3261 §19.1.4). */
  scheme: string
  user?: string
  password?: string
  /** Host as written (IPv6 references keep their brackets); '' for non-SIP schemes. */
  host: string
  port?: number
  /** uri-parameters; values are kept escaped and are never quoted. */
  params: Param[]
  /** The headers component after '?', as written, without the '?'. */
  headers?: string
  /** For non-SIP schemes: everything after the ':'. */
  opaque?: string
  raw: string
}

/** header = hname "=" hvalue; hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
const HEADER =
  /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})+=(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/
const IPV6_REFERENCE = /^\[[0-9A-Fa-f:.]+\]$/

/** host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). */
export function isValidHost(host: string): boolean {
  if (host.charCodeAt(0) === 0x5b) return IPV6_REFERENCE.test(host) && host.includes(':')
  return isHostnameOrIPv4(host, 0, host.length)
}

/** port = 1*DIGIT, within the 16 bits of a transport port. */
export function parsePort(text: string, offset: number, context: string): number {
  if (!isDigits(text, 0, text.length, 5) || Number(text) > 65535) {
    throw new SipParseError(`port "${text}" is not a number 0-65535`, offset, context)
  }
  return Number(text)
}

/** uri-parameters = *( ";" uri-parameter ) in text[a, b) (after the first ';'); offsets are in `text`. */
function parseUriParams(text: string, a: number, b: number): Param[] {
  const out: Param[] = []
  let from = a
  for (let i = a; i <= b; i++) {
    if (i < b && text.charCodeAt(i) !== 0x3b) continue
    const found = text.indexOf('=', from)
    const eq = found >= 0 && found < i ? found : -1
    const nameEnd = eq < 0 ? i : eq
    if (nameEnd === from) throw new SipParseError('empty uri-parameter', from, 'URI')
    if (
      !matchesClass(text, from, nameEnd, PARAMCHAR, true) ||
      (eq >= 0 && !matchesClass(text, eq + 1, i, PARAMCHAR, true))
    ) {
      const item = text.slice(from, i)
      throw new SipParseError(`uri-parameter "${item}" has characters outside paramchar`, from, 'URI')
    }
    out.push({
      name: text.slice(from, nameEnd),
      value: eq < 0 ? undefined : text.slice(eq + 1, i),
      quoted: false,
    })
    from = i + 1
  }
  return out
}

function parseSipUri(text: string, scheme: string): SipUri {
  const uri: SipUri = { scheme, host: '', params: [], raw: text }
  const length = text.length
  let i = scheme.length + 1
  // '@' may appear only in userinfo: uri-parameters and headers have no unescaped '@'.
  const at = text.indexOf('@', i)
  if (at >= 0) {
    const colon = text.indexOf(':', i)
    const userEnd = colon >= 0 && colon < at ? colon : at
    if (!matchesClass(text, i, userEnd, USER, true)) {
      throw new SipParseError(`invalid user part "${text.slice(i, userEnd)}"`, i, 'URI')
    }
    uri.user = text.slice(i, userEnd)
    if (userEnd < at) {
      if (!matchesClass(text, userEnd + 1, at, PASSWORD, true, true))
        throw new SipParseError('invalid password part', userEnd + 1, 'URI')
      uri.password = text.slice(userEnd + 1, at)
    }
    i = at + 1
  }
  let hostEnd: number
  const bracket = text.charCodeAt(i) === 0x5b
  if (bracket) {
    const close = text.indexOf(']', i)
    if (close < 0) throw new SipParseError('unterminated IPv6 reference', i, 'URI')
    hostEnd = close + 1
  } else {
    hostEnd = i
    while (hostEnd < length) {
      const c = text.charCodeAt(hostEnd)
      if (c === 0x3a || c === 0x3b || c === 0x3f) break
      hostEnd++
    }
  }
  uri.host = text.slice(i, hostEnd)
  if (!(bracket ? isValidHost(uri.host) : isHostnameOrIPv4(text, i, hostEnd)))
    throw new SipParseError(`invalid host "${uri.host}"`, i, 'URI')
  i = hostEnd
  if (text.charCodeAt(i) === 0x3a) {
    let end = i + 1
    while (end < length && text.charCodeAt(end) !== 0x3b && text.charCodeAt(end) !== 0x3f) end++
    uri.port = parsePort(text.slice(i + 1, end), i + 1, 'URI')
    i = end
  }
  if (text.charCodeAt(i) === 0x3b) {
    const q = text.indexOf('?', i)
    const end = q < 0 ? length : q
    uri.params = parseUriParams(text, i + 1, end)
    i = end
  }
  if (i < length) {
    if (text[i] !== '?') throw new SipParseError(`unexpected "${text[i]}" after the host`, i, 'URI')
    const headers = text.slice(i + 1)
    for (const h of headers.split('&')) {
      if (!HEADER.test(h)) throw new SipParseError(`invalid URI header "${h}"`, i + 1, 'URI')
    }
    uri.headers = headers
  }
  return uri
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), in text[0, end) */
function isScheme(text: string, end: number): boolean {
  if (end <= 0) return false
  const first = text.charCodeAt(0) | 0x20
  return first >= 0x61 && first <= 0x7a && matchesClass(text, 1, end, SCHEMECHAR, false, true)
}

/**
 * Parses a URI exactly as it stands (no surrounding whitespace, no angle brackets). sip/sips are parsed fully;
 * any other scheme must be an absoluteURI and is returned with host '' and `opaque` = the part after ':'.
 */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':')
  if (!isScheme(text, colon)) {
    throw new SipParseError(`"${text.slice(0, 40)}" does not start with a URI scheme`, 0, 'URI')
  }
  const lower = schemeOf(text, colon)
  if (lower === 'sip' || lower === 'sips') return parseSipUri(text, lower)
  if (!matchesClass(text, colon + 1, text.length, URIC, true)) {
    throw new SipParseError(
      `"${lower}:" URI has characters outside uric (RFC 3261 §25.1 absoluteURI)`,
      colon + 1,
      'URI',
    )
  }
  return { scheme: lower, host: '', params: [], opaque: text.slice(colon + 1), raw: text }
}

/** Writes a URI from its parts (so changes to the parts show); escapes are written as stored. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`
  let out = `${uri.scheme}:`
  if (uri.user !== undefined) {
    out += uri.user
    if (uri.password !== undefined) out += `:${uri.password}`
    out += '@'
  }
  out += uri.host
  if (uri.port !== undefined) out += `:${uri.port}`
  for (const p of uri.params) out += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`
  if (uri.headers !== undefined) out += `?${uri.headers}`
  return out
}
