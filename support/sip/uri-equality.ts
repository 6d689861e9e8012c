/**
 * URI equality, RFC 3261 §19.1.4 for sip/sips ("SIP and SIPS URIs are compared for equality according to the
 * following rules"), RFC 3966 §4 for tel. Read in the RFC 3261 text [V] (as quoted by several SIP stacks):
 *
 * - "A SIP and SIPS URI are never equivalent."
 * - "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive. [...] Comparison of all other components of
 *   the URI is case-insensitive unless explicitly defined otherwise."
 * - "The ordering of parameters and header fields is not significant in comparing SIP and SIPS URIs."
 * - "Characters other than those in the 'reserved' set [...] are equivalent to their '"%" HEX HEX' encoding."
 * - "For two URIs to be equal, the user, password, host, and port components must match. A URI omitting the user
 *   component will not match a URI that includes one. A URI omitting the password component will not match a URI
 *   that includes one. A URI omitting any component with a default value will not match a URI explicitly containing
 *   that component with its default value. [...] The same is true for the transport-parameter, ttl-parameter,
 *   user-parameter, and method components."
 * - "Any uri-parameter appearing in both URIs must match. A user, ttl, or method uri-parameter appearing in only one
 *   URI never matches [...]. A URI that includes an maddr parameter will not match a URI that contains no maddr
 *   parameter. All other uri-parameters appearing in only one URI are ignored when comparing the URIs."
 * - "URI header components are never ignored. Any present header component MUST be present in both URIs and match
 *   for the URIs to match."
 *
 * tel (RFC 3966 §4, recalled [R]): the numbers are equal after removing visual separators, parameters compared
 * case-insensitively as a set. Any other scheme: the scheme and the rest compared case-insensitively.
 */
import type { Param } from './params.ts'
import { parseUri, type SipUri } from './uri.ts'

/** reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / "," (RFC 3261 §25.1): escapes of these stay. */
const RESERVED = new Set([';', '/', '?', ':', '@', '&', '=', '+', '$', ','])

/** `%61lice` → `alice`: escapes of unreserved characters decoded; escapes of reserved ones kept, hex upper-cased. */
function unescape(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16))
    return RESERVED.has(char) || char === '%' ? `%${hex.toUpperCase()}` : char
  })
}

/** Parameters that, present in only one URI, make the URIs differ (the rest are ignored then). */
const MUST_BE_IN_BOTH = ['transport', 'user', 'ttl', 'method', 'maddr']

function paramMap(params: readonly Param[]): Map<string, string> {
  return new Map(params.map((p) => [unescape(p.name).toLowerCase(), unescape(p.value ?? '').toLowerCase()]))
}

function headerMap(headers: string | undefined): Map<string, string> {
  if (headers === undefined || headers === '') return new Map()
  return new Map(
    headers.split('&').map((h) => {
      const eq = h.indexOf('=')
      // Header names are case-insensitive; values are compared as written, after unescaping [R].
      return [unescape(h.slice(0, eq)).toLowerCase(), unescape(h.slice(eq + 1))] as const
    }),
  )
}

function sipEqual(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false
  const user = (u: SipUri): string | undefined => (u.user === undefined ? undefined : unescape(u.user))
  const password = (u: SipUri): string | undefined =>
    u.password === undefined ? undefined : unescape(u.password)
  if (user(a) !== user(b) || password(a) !== password(b)) return false
  if (unescape(a.host).toLowerCase() !== unescape(b.host).toLowerCase() || a.port !== b.port) return false
  const pa = paramMap(a.params)
  const pb = paramMap(b.params)
  for (const [name, value] of pa) if (pb.has(name) && pb.get(name) !== value) return false
  for (const name of MUST_BE_IN_BOTH) if (pa.has(name) !== pb.has(name)) return false
  const ha = headerMap(a.headers)
  const hb = headerMap(b.headers)
  return ha.size === hb.size && [...ha].every(([name, value]) => hb.get(name) === value)
}

/** `tel:+1-555-0101;phone-context=x` → number without visual separators, parameters as a sorted set. */
function telKey(opaque: string): string {
  const [number = '', ...params] = opaque.split(';')
  const digits = unescape(number)
    .replace(/[-.()]/g, '')
    .toLowerCase()
  return [digits, ...params.map((p) => unescape(p).toLowerCase()).sort()].join(';')
}

/** RFC 3261 §19.1.4 (sip, sips), RFC 3966 §4 (tel) equality of two parsed URIs. */
export function urisEqual(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false
  if (a.scheme === 'sip' || a.scheme === 'sips') return sipEqual(a, b)
  if (a.scheme === 'tel') return telKey(a.opaque ?? '') === telKey(b.opaque ?? '')
  return unescape(a.opaque ?? '').toLowerCase() === unescape(b.opaque ?? '').toLowerCase()
}

/** The same on URI texts; a text that does not parse equals nothing (a malformed URI is never the expected one). */
export function uriTextsEqual(a: string, b: string): boolean {
  try {
    return urisEqual(parseUri(a.trim()), parseUri(b.trim()))
  } catch {
    return false
  }
}
