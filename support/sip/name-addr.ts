/**
 * name-addr and addr-spec, RFC 3261 §20.10 and §25.1:
 * "name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; display-name = *(token LWS)/ quoted-string",
 * "LAQUOT = SWS "<"; RAQUOT = ">" SWS". Used by From, To, Contact, Route, Record-Route, Path, P-Associated-URI...
 */
import { isTokenChar, isWsp, quote, readQuotedString, skipWsp, splitTopLevel, shifted } from './lex.ts'
import { formatParams, parseParams, type Param } from './params.ts'
import { SipParseError } from './parse-error.ts'
import { formatUri, parseUri, type SipUri } from './uri.ts'

export interface NameAddr {
  /** Display name, unquoted (quoted-pairs resolved) when it was a quoted-string. */
  displayName?: string
  uri: SipUri
  /** Header parameters after the URI (tag, expires, +sip.instance, lr of the header...). */
  params: Param[]
  /** The text parsed, trimmed. */
  raw: string
}

/** A parsed value plus whether the URI stood in angle brackets (Route and Record-Route require them). */
export interface ParsedNameAddr {
  readonly value: NameAddr
  readonly bracketed: boolean
}

const CONTEXT = 'name-addr'

/** Whether text[i] may be whitespace that String.prototype.trim() removes (any control, SP or non-ASCII). */
function isSpaceAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return c <= 0x20 || c >= 0x7f
}

/** Parses a name-addr or addr-spec with its header parameters, reporting whether `<...>` was used. */
export function parseNameAddrDetailed(value: string): ParsedNameAddr {
  const trimmed = !isSpaceAt(value, 0) && !isSpaceAt(value, value.length - 1)
  const raw = trimmed ? value : value.trim()
  const lead = trimmed ? 0 : value.length - value.trimStart().length
  try {
    return parseTrimmed(raw)
  } catch (error) {
    return shifted(error, lead)
  }
}

function parseTrimmed(raw: string): ParsedNameAddr {
  if (raw.length === 0)
    throw new SipParseError('empty value where a name-addr or addr-spec was expected', 0, CONTEXT)
  let i = 0
  let displayName: string | undefined
  if (raw.charCodeAt(0) === 0x22) {
    const q = readQuotedString(raw, 0, CONTEXT)
    displayName = q.value
    i = skipWsp(raw, q.end)
    if (raw[i] !== '<') throw new SipParseError('quoted display name not followed by "<"', i, CONTEXT)
  } else if (raw[0] !== '<') {
    // display-name = *(token LWS): scan tokens and whitespace; a '<' after them makes this a name-addr.
    let j = 0
    while (j < raw.length && (isTokenChar(raw.charCodeAt(j)) || isWsp(raw.charCodeAt(j)))) j++
    if (raw[j] === '<') {
      displayName = raw
        .slice(0, j)
        .trim()
        .replace(/[ \t]+/g, ' ')
      i = j
    } else if (raw[j] !== ':' && raw.includes('<', j)) {
      throw new SipParseError(
        `display name has a non-token character "${raw[j]}"; it must be a quoted-string (RFC 3261 §25.1)`,
        j,
        CONTEXT,
      )
    } else {
      return { value: parseAddrSpec(raw), bracketed: false }
    }
  }
  // raw[i] === '<'
  const close = raw.indexOf('>', i)
  if (close < 0) throw new SipParseError('"<" without a closing ">"', i, CONTEXT)
  const inner = raw.slice(i + 1, close)
  if ((isSpaceAt(inner, 0) || isSpaceAt(inner, inner.length - 1)) && inner.length !== inner.trim().length) {
    throw new SipParseError(
      'whitespace inside "<...>" around the addr-spec (RFC 3261 §25.1 LAQUOT/RAQUOT)',
      i + 1,
      CONTEXT,
    )
  }
  let uri: SipUri
  try {
    uri = parseUri(inner)
  } catch (error) {
    return shifted(error, i + 1, CONTEXT)
  }
  const after = skipWsp(raw, close + 1)
  let params: Param[] = []
  if (after < raw.length) {
    if (raw[after] !== ';') throw new SipParseError(`unexpected "${raw[after]}" after ">"`, after, CONTEXT)
    params = parseParamsAt(raw, after + 1)
  }
  const result: NameAddr = { uri, params, raw }
  if (displayName !== undefined) result.displayName = displayName
  return { value: result, bracketed: true }
}

/**
 * addr-spec without brackets. RFC 3261 §20.10: "If the URI is not enclosed in angle brackets, any semicolon-delimited
 * parameters are header-parameters, not URI parameters" and "if the URI contains a comma, question mark or
 * semicolon, the URI MUST be enclosed in angle brackets".
 */
function parseAddrSpec(raw: string): NameAddr {
  const semi = raw.indexOf(';')
  const uriText = (semi < 0 ? raw : raw.slice(0, semi)).trimEnd()
  const bad = /[?,\s]/.exec(uriText)
  if (bad) {
    throw new SipParseError(
      bad[0] === '?' || bad[0] === ','
        ? `addr-spec containing "${bad[0]}" must be enclosed in "<>" (RFC 3261 §20.10)`
        : 'whitespace inside the addr-spec',
      bad.index,
      CONTEXT,
    )
  }
  let uri: SipUri
  try {
    uri = parseUri(uriText)
  } catch (error) {
    return shifted(error, 0, CONTEXT)
  }
  return { uri, params: semi < 0 ? [] : parseParamsAt(raw, semi + 1), raw }
}

function parseParamsAt(raw: string, at: number): Param[] {
  try {
    return parseParams(raw.slice(at), CONTEXT)
  } catch (error) {
    return shifted(error, at, CONTEXT)
  }
}

/** Parses one name-addr or addr-spec (the latter's ';' parameters belong to the header). */
export function parseNameAddr(value: string): NameAddr {
  return parseNameAddrDetailed(value).value
}

/** Splits on top-level commas (outside quotes and "<>") and parses each element (Contact, Route, Path...). */
export function parseNameAddrList(value: string): NameAddr[] {
  const out: NameAddr[] = []
  for (const p of parseNameAddrListDetailed(value)) out.push(p.value)
  return out
}

export function parseNameAddrListDetailed(value: string): ParsedNameAddr[] {
  const out: ParsedNameAddr[] = []
  for (const segment of splitTopLevel(value, ',', CONTEXT)) {
    try {
      out.push(parseNameAddrDetailed(segment.text))
    } catch (error) {
      shifted(error, segment.offset)
    }
  }
  return out
}

/** Always writes the name-addr form (`"Name" <uri>;params`), which is valid wherever an addr-spec is. */
export function formatNameAddr(n: NameAddr): string {
  const name = n.displayName === undefined ? '' : `${quote(n.displayName)} `
  return `${name}<${formatUri(n.uri)}>${formatParams(n.params)}`
}
