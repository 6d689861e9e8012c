/**
 * SIP and SIPS URIs, RFC 3261 §19.1 and the §25.1 grammar:
 * "SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]". Other schemes (tel, urn, ...) are checked
 * against "absoluteURI" and kept opaque. Escapes are kept exactly as written: RFC 3261 §19.1.4 compares URIs after
 * unescaping, but a conformance harness has to see what was sent, so nothing here unescapes.
 */
import { SipParseError } from './parse-error.ts'
import type { Param } from './params.ts'

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

const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
const PASSWORD = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
const PARAMCHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/
/** header = hname "=" hvalue; hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
const HEADER =
  /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})+=(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/
/** uric = reserved / unreserved / escaped (RFC 2396 as imported by RFC 3261 §25.1) */
const URIC = /^(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()[\]]|%[0-9A-Fa-f]{2})+$/
/** hostname = *( domainlabel "." ) toplabel [ "." ]; toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum */
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const IPV6_REFERENCE = /^\[[0-9A-Fa-f:.]+\]$/

/** host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). */
export function isValidHost(host: string): boolean {
  const v4 = IPV4.exec(host)
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255)
  if (host.charCodeAt(0) === 0x5b) return IPV6_REFERENCE.test(host) && host.includes(':')
  return HOSTNAME.test(host)
}

/** port = 1*DIGIT, within the 16 bits of a transport port. */
export function parsePort(text: string, offset: number, context: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new SipParseError(`port "${text}" is not a number 0-65535`, offset, context)
  }
  return Number(text)
}

function parseUriParams(text: string, offset: number): Param[] {
  const out: Param[] = []
  let at = offset
  for (const item of text.split(';')) {
    const eq = item.indexOf('=')
    const name = eq < 0 ? item : item.slice(0, eq)
    const value = eq < 0 ? undefined : item.slice(eq + 1)
    if (name.length === 0) throw new SipParseError('empty uri-parameter', at, 'URI')
    if (!PARAMCHARS.test(name) || (value !== undefined && !PARAMCHARS.test(value))) {
      throw new SipParseError(`uri-parameter "${item}" has characters outside paramchar`, at, 'URI')
    }
    out.push({ name, value, quoted: false })
    at += item.length + 1
  }
  return out
}

function parseSipUri(text: string, scheme: string): SipUri {
  const uri: SipUri = { scheme, host: '', params: [], raw: text }
  let i = scheme.length + 1
  // '@' may appear only in userinfo: uri-parameters and headers have no unescaped '@'.
  const at = text.indexOf('@', i)
  if (at >= 0) {
    const userinfo = text.slice(i, at)
    const colon = userinfo.indexOf(':')
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon)
    if (!USER.test(user)) throw new SipParseError(`invalid user part "${user}"`, i, 'URI')
    uri.user = user
    if (colon >= 0) {
      const password = userinfo.slice(colon + 1)
      if (!PASSWORD.test(password)) throw new SipParseError('invalid password part', i + colon + 1, 'URI')
      uri.password = password
    }
    i = at + 1
  }
  let hostEnd: number
  if (text.charCodeAt(i) === 0x5b) {
    const close = text.indexOf(']', i)
    if (close < 0) throw new SipParseError('unterminated IPv6 reference', i, 'URI')
    hostEnd = close + 1
  } else {
    hostEnd = i
    while (hostEnd < text.length && !':;?'.includes(text[hostEnd] as string)) hostEnd++
  }
  uri.host = text.slice(i, hostEnd)
  if (!isValidHost(uri.host)) throw new SipParseError(`invalid host "${uri.host}"`, i, 'URI')
  i = hostEnd
  if (text[i] === ':') {
    let end = i + 1
    while (end < text.length && text[end] !== ';' && text[end] !== '?') end++
    uri.port = parsePort(text.slice(i + 1, end), i + 1, 'URI')
    i = end
  }
  const q = text.indexOf('?', i)
  if (text[i] === ';') {
    const end = q < 0 ? text.length : q
    uri.params = parseUriParams(text.slice(i + 1, end), i + 1)
    i = end
  }
  if (i < text.length) {
    if (text[i] !== '?') throw new SipParseError(`unexpected "${text[i]}" after the host`, i, 'URI')
    const headers = text.slice(i + 1)
    for (const h of headers.split('&')) {
      if (!HEADER.test(h)) throw new SipParseError(`invalid URI header "${h}"`, i + 1, 'URI')
    }
    uri.headers = headers
  }
  return uri
}

/**
 * Parses a URI exactly as it stands (no surrounding whitespace, no angle brackets). sip/sips are parsed fully;
 * any other scheme must be an absoluteURI and is returned with host '' and `opaque` = the part after ':'.
 */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':')
  const scheme = colon < 0 ? '' : text.slice(0, colon)
  if (!SCHEME.test(scheme)) {
    throw new SipParseError(`"${text.slice(0, 40)}" does not start with a URI scheme`, 0, 'URI')
  }
  const lower = scheme.toLowerCase()
  if (lower === 'sip' || lower === 'sips') return parseSipUri(text, lower)
  const opaque = text.slice(colon + 1)
  if (!URIC.test(opaque)) {
    throw new SipParseError(
      `"${lower}:" URI has characters outside uric (RFC 3261 §25.1 absoluteURI)`,
      colon + 1,
      'URI',
    )
  }
  return { scheme: lower, host: '', params: [], opaque, raw: text }
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
