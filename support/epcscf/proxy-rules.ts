import { canonicalHeaderName } from '../sip/compact-names.ts'
import { newBranch } from '../sip/ids.ts'
import type { SipMessage, SipRequest } from '../sip/message.ts'
import { formatNameAddr, parseNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { formatUri, type SipUri } from '../sip/uri.ts'
import { formatVia, parseViaList } from '../sip/via.ts'
import type { Faults } from './faults.ts'

/** The request-handling rules of a stateful proxy (RFC 3261 §16) that every direction shares. */

/** Where this eP-CSCF is: its Mw address and its W2 listener, for Via, Path, Record-Route and loose routing. */
export interface SelfAddress {
  /** Mw transport toward the next hop, as written in Via. */
  readonly mwTransport: 'UDP' | 'TCP'
  readonly mwHost: string
  readonly mwPort: number
  /** Host of the Path URI: the Mw address, or a name of this eP-CSCF (the `path-hostname` variant). */
  readonly pathHost: string
  readonly wssHost: string
  readonly wssPort: number
  /** Other names that denote this node in a Route (its identity host, e.g. epcscf.harness.test). */
  readonly aliases: readonly string[]
}

const DEFAULT_MAX_FORWARDS = 70

/** The Max-Forwards value, undefined when absent, NaN when not a number. */
export function maxForwardsOf(request: SipRequest): number | undefined {
  const value = request.get('Max-Forwards')
  return value === undefined ? undefined : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN
}

/**
 * RFC 3261 §16.3 request validation, the parts the parser leaves to the proxy: the answer to send, or undefined when
 * the request may be forwarded.
 */
export function validationFailure(request: SipRequest): { status: number; reason: string } | undefined {
  const maxForwards = maxForwardsOf(request)
  if (maxForwards !== undefined && Number.isNaN(maxForwards))
    return { status: 400, reason: 'Bad Request - Max-Forwards is not a number' }
  // If the request does not contain a Max-Forwards header field, this check is passed. If the request contains a
  // Max-Forwards header field with a field value greater than zero, the check is passed. If the request contains a
  // Max-Forwards header field with a field value of zero (0), the element MUST NOT forward the request. [...]
  // Otherwise, the element MUST return a 483 (Too many hops) response.
  // https://www.rfc-editor.org/rfc/rfc3261#section-16.3
  if (maxForwards === 0) return { status: 483, reason: 'Too Many Hops' }
  return undefined
}

/** RFC 3261 §16.6 step 3. */
export function decrementMaxForwards(request: SipRequest, faults: Faults): void {
  if (faults.has('max-forwards-untouched')) return
  // If the copy contains a Max-Forwards header field, the proxy MUST decrement its value by one (1). If the copy
  // does not contain a Max-Forwards header field, the proxy MUST add one with a field value, which SHOULD be 70.
  // https://www.rfc-editor.org/rfc/rfc3261#section-16.6
  const current = maxForwardsOf(request)
  setHeader(
    request,
    'Max-Forwards',
    String(current === undefined || Number.isNaN(current) ? DEFAULT_MAX_FORWARDS : current - 1),
  )
}

/** Adds `received` and fills `rport` in the topmost Via (RFC 3581 §4, RFC 3261 §18.2.1). */
export function stampReceived(request: SipRequest, source: { address: string; port: number }): void {
  const at = firstIndex(request, 'Via')
  const field = request.headers[at]
  if (field === undefined) return
  const [top, ...rest] = parseViaList(field.value)
  if (top === undefined) return
  const params = top.params.filter((p) => !['received', 'rport'].includes(p.name.toLowerCase()))
  // The server MUST add a "received" parameter ... when there is an rport parameter (RFC 3581 §4), and as in
  // RFC 3261 §18.2.1 when the sent-by host differs from the packet's source address (always the case for the
  // `.invalid` host a WIC writes, RFC 7118 §5.2).
  params.push({ name: 'received', value: source.address, quoted: false })
  // If this Via header field value contains an "rport" parameter with no value, it MUST set the value of the
  // parameter to the source port of the request. https://www.rfc-editor.org/rfc/rfc3581#section-4
  if (top.params.some((p) => p.name.toLowerCase() === 'rport')) {
    params.push({ name: 'rport', value: String(source.port), quoted: false })
  }
  const stamped = formatVia({ ...top, params })
  request.headers[at] = { name: field.name, value: [stamped, ...rest.map((v) => v.raw)].join(', ') }
}

/** This proxy's Via for a request it forwards: `SIP/2.0/<transport> host:port;branch=z9hG4bK...`. */
export function ownVia(transport: string, host: string, port: number): { value: string; branch: string } {
  // The proxy MUST insert a Via header field value into the copy before the existing Via header field values.
  // https://www.rfc-editor.org/rfc/rfc3261#section-16.6  (step 8; the branch is fresh per forwarded request)
  const branch = newBranch()
  return { value: `SIP/2.0/${transport} ${hostPort(host, port)};branch=${branch}`, branch }
}

/** RFC 3261 §16.7 step 3: "The proxy removes the topmost Via header field value from the response." */
export function removeTopVia(message: SipMessage): void {
  const at = firstIndex(message, 'Via')
  const field = message.headers[at]
  if (field === undefined) return
  const [, ...rest] = parseViaList(field.value)
  if (rest.length === 0) message.headers.splice(at, 1)
  else message.headers[at] = { name: field.name, value: rest.map((v) => v.raw).join(', ') }
}

/** The branch of the topmost Via, if any. */
export function topBranch(message: SipMessage): string | undefined {
  const value = message.get('Via')
  return value === undefined ? undefined : parseViaList(value)[0]?.branch
}

/** Every Route value, top first (comma-joined lines split). */
export function routesOf(message: SipMessage): NameAddr[] {
  return message.getAll('Route').flatMap(parseNameAddrList)
}

/** Replaces the Route header with these values (one line each), or removes it when empty. */
export function setRoutes(message: SipMessage, routes: readonly (NameAddr | string)[]): void {
  const at = firstIndex(message, 'Route')
  message.remove('Route')
  const fields = routes.map((r) => ({ name: 'Route', value: typeof r === 'string' ? r : formatNameAddr(r) }))
  const insertAt = at >= 0 ? at : Math.max(0, lastIndex(message, 'Via') + 1)
  message.headers.splice(insertAt, 0, ...fields)
}

/** Whether a URI denotes this eP-CSCF (its Mw or W2 address or one of its names). */
export function isOwnUri(uri: SipUri, self: SelfAddress): boolean {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return false
  const host = uri.host.toLowerCase().replace(/^\[|\]$/g, '')
  if (self.aliases.some((alias) => alias.toLowerCase() === host)) return true
  const port = uri.port
  if (host === self.mwHost.toLowerCase() && (port === undefined || port === self.mwPort)) return true
  return host === self.wssHost.toLowerCase() && port === self.wssPort
}

/**
 * RFC 3261 §16.4: "If the first value in the Route header field indicates this proxy, the proxy MUST remove that
 * value from the request." Returns the removed values (several when a WIC preloads this proxy twice).
 */
export function removeOwnRoutes(request: SipRequest, self: SelfAddress): NameAddr[] {
  const routes = routesOf(request)
  const removed: NameAddr[] = []
  while (routes[0] !== undefined && isOwnUri(routes[0].uri, self)) removed.push(routes.shift() as NameAddr)
  if (removed.length > 0) setRoutes(request, routes)
  return removed
}

/** Adds `option` to a comma-separated option-tag header (Supported, Require) unless it is there. */
export function addOptionTag(message: SipMessage, header: string, option: string): void {
  const values = message
    .getAll(header)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
  if (values.some((v) => v.toLowerCase() === option)) return
  setHeader(message, header, [...values, option].join(', '))
}

/**
 * Adds a header field line where a reader expects it: before the first line of the same name, else right after
 * the last Via (Path, Record-Route, Route sit at the top of the routing headers).
 */
export function insertTop(message: SipMessage, name: string, value: string): void {
  const at = firstIndex(message, name)
  const index = at >= 0 ? at : lastIndex(message, 'Via') + 1
  message.headers.splice(index, 0, { name, value })
}

/** Adds a header field line after the others but before Content-Length, which conventionally ends the head. */
export function insertBeforeLength(message: SipMessage, name: string, value: string): void {
  const at = firstIndex(message, 'Content-Length')
  message.headers.splice(at >= 0 ? at : message.headers.length, 0, { name, value })
}

/** Like `set`, but a header that was absent is added before Content-Length. */
export function setHeader(message: SipMessage, name: string, value: string): void {
  if (firstIndex(message, name) >= 0) message.set(name, value)
  else insertBeforeLength(message, name, value)
}

export function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
}

function firstIndex(message: SipMessage, name: string): number {
  const key = canonicalHeaderName(name)
  return message.headers.findIndex((h) => canonicalHeaderName(h.name) === key)
}

function lastIndex(message: SipMessage, name: string): number {
  const key = canonicalHeaderName(name)
  return message.headers.findLastIndex((h) => canonicalHeaderName(h.name) === key)
}

/** The URI of a name-addr header value (From, To), formatted; undefined when absent or unparseable. */
export function addressUri(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    return formatUri(parseNameAddr(value).uri)
  } catch {
    return undefined
  }
}

/** `;transport=tcp` in this proxy's Path and Record-Route URIs when it is reached over TCP on Mw. */
export function transportParam(self: SelfAddress): string {
  return self.mwTransport === 'TCP' ? ';transport=tcp' : ''
}
