/**
 * Via, RFC 3261 §20.42 and §25.1:
 * "Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm); via-parm = sent-protocol LWS sent-by *( SEMI via-params );
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport; sent-by = host [ COLON port ]",
 * with "SLASH = SWS "/" SWS" and "COLON = SWS ":" SWS".
 */
import { isToken, shifted, splitTopLevel, trimmedOffset } from './lex.ts'
import type { SipMessage } from './message.ts'
import { formatParams, getParam, parseParams, type Param } from './params.ts'
import { SipParseError } from './parse-error.ts'
import { isValidHost, parsePort } from './uri.ts'
import { hostEnd, isDigits } from './chars.ts'
import { isPlainVia } from './plain-scan.ts'

export interface Via {
  /** protocol-name "/" protocol-version, normally `SIP/2.0`. */
  protocol: string
  /** Upper-case transport: UDP, TCP, TLS, SCTP, WS, WSS or an extension token. */
  transport: string
  /** sent-by host as written (IPv6 references keep their brackets). */
  host: string
  port?: number
  params: Param[]
  /** The branch parameter, copied out of `params` for convenience. */
  branch?: string
  /** This via-parm as it stood in the header value, trimmed. */
  raw: string
}

const CONTEXT = 'Via'
/** sent-protocol and sent-by, LWS allowed around the slashes and before the port colon. */
const HEAD =
  /^([^\s/]+)[ \t]*\/[ \t]*([^\s/]+)[ \t]*\/[ \t]*([^\s/]+)[ \t]+(\[[^\]]*\]|[^\s:;]+)(?:[ \t]*:[ \t]*([^\s;]*))?[ \t]*/
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/
const IPV6 = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$/

/** The upper-case transport, without a copy when it is already upper-case (WSS, UDP, TCP, TLS). */
function upperTransport(transport: string): string {
  for (let i = 0; i < transport.length; i++) {
    const c = transport.charCodeAt(i)
    if (c >= 0x61 && c <= 0x7a) return transport.toUpperCase()
  }
  return transport
}

/** A via-parm of the plain form (see plain-scan.ts), read by position: the same result as the general reading. */
function plainVia(raw: string): Via {
  const sp = raw.indexOf(' ', 8)
  const hostStop = hostEnd(raw, sp + 1, raw.length)
  const via: Via = {
    protocol: 'SIP/2.0',
    transport: upperTransport(raw.slice(8, sp)),
    host: raw.slice(sp + 1, hostStop),
    params: [],
    raw,
  }
  let rest = hostStop
  if (raw.charCodeAt(rest) === 0x3a) {
    rest = raw.indexOf(';', hostStop)
    if (rest < 0) rest = raw.length
    via.port = Number(raw.slice(hostStop + 1, rest))
  }
  if (rest < raw.length) via.params = parseParams(raw.slice(rest + 1), CONTEXT)
  const branch = getParam(via.params, 'branch')
  if (branch !== undefined) via.branch = branch
  return via
}

function parseVia(raw: string): Via {
  if (isPlainVia(raw, 0, raw.length)) return plainVia(raw)
  const m = HEAD.exec(raw)
  if (!m) throw new SipParseError('via-parm is not "SIP/2.0/<transport> <host>[:port]"', 0, CONTEXT)
  const [, name = '', version = '', transport = '', host = '', port] = m
  const notToken = !isToken(name)
    ? name
    : !isToken(version)
      ? version
      : !isToken(transport)
        ? transport
        : undefined
  if (notToken !== undefined)
    throw new SipParseError(`sent-protocol part "${notToken}" is not a token`, 0, CONTEXT)
  if (!isValidHost(host))
    throw new SipParseError(`invalid sent-by host "${host}"`, raw.indexOf(host), CONTEXT)
  const via: Via = {
    protocol: name === 'SIP' && version === '2.0' ? 'SIP/2.0' : `${name}/${version}`,
    transport: upperTransport(transport),
    host,
    params: [],
    raw,
  }
  if (port !== undefined) via.port = parsePort(port, raw.indexOf(port, host.length), CONTEXT)
  const rest = m[0].length
  if (rest < raw.length) {
    if (raw[rest] !== ';') throw new SipParseError(`unexpected "${raw[rest]}" after sent-by`, rest, CONTEXT)
    try {
      via.params = parseParams(raw.slice(rest + 1), CONTEXT)
    } catch (error) {
      shifted(error, rest + 1)
    }
  }
  checkParams(via.params, rest)
  const branch = getParam(via.params, 'branch')
  if (branch !== undefined) via.branch = branch
  return via
}

/**
 * The via-params with their own grammar: "via-ttl = "ttl" EQUAL ttl (1*3DIGIT, 0 to 255)", "via-received =
 * "received" EQUAL (IPv4address / IPv6address)", "via-branch = "branch" EQUAL token", and RFC 3581
 * "response-port = "rport" [EQUAL 1*DIGIT]".
 */
function checkParams(params: readonly Param[], at: number): void {
  for (const p of params) {
    const n = p.name.length
    // Only ttl, rport, branch and received have a grammar of their own.
    if (n !== 3 && n !== 5 && n !== 6 && n !== 8) continue
    const why = paramDefect(p.name.toLowerCase(), p)
    if (why !== undefined) throw new SipParseError(`${p.name} parameter ${why}`, at, CONTEXT)
  }
}

function paramDefect(name: string, p: Param): string | undefined {
  const value = p.value
  switch (name) {
    case 'branch':
      return value === undefined || p.quoted ? 'must be "branch=" token' : undefined
    case 'received':
      return value === undefined || !(IPV4.test(value) || IPV6.test(value))
        ? 'must be an IPv4 or IPv6 address'
        : undefined
    case 'rport':
      return value !== undefined && !isDigits(value, 0, value.length, 5) ? 'must be a port number' : undefined
    case 'ttl':
      return value === undefined || !isDigits(value, 0, value.length, 3) || Number(value) > 255
        ? 'must be 0-255'
        : undefined
    default:
      return undefined
  }
}

/** Parses a Via header value; one line may hold several comma-separated via-parms (RFC 3261 §7.3.1). */
export function parseViaList(value: string): Via[] {
  const out: Via[] = []
  for (const segment of splitTopLevel(value, ',', CONTEXT, false)) {
    const raw = segment.text.trim()
    if (raw.length === 0) throw new SipParseError('empty via-parm (stray comma)', segment.offset, CONTEXT)
    try {
      out.push(parseVia(raw))
    } catch (error) {
      shifted(error, trimmedOffset(segment))
    }
  }
  return out
}

/** Every Via of a message, top first, whether on separate lines or comma-joined. */
export function viasOf(message: SipMessage): Via[] {
  return message.getAll('Via').flatMap(parseViaList)
}

/** Writes a via-parm; `branch`, when set, replaces the branch parameter in `params`. */
export function formatVia(v: Via): string {
  let params = v.params
  if (v.branch !== undefined && getParam(params, 'branch') !== v.branch) {
    const others = params.filter((p) => p.name.toLowerCase() !== 'branch')
    params = [{ name: 'branch', value: v.branch, quoted: false }, ...others]
  }
  return `${v.protocol}/${v.transport} ${v.host}${v.port === undefined ? '' : `:${v.port}`}${formatParams(params)}`
}
