/**
 * Header parameters, RFC 3261 §25.1:
 * "generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string", with
 * "SEMI = SWS ";" SWS" and "EQUAL = SWS "=" SWS" (LWS around the separators is allowed, RFC 3261 §7.3.1).
 * Used for Via, From/To/Contact/Route header parameters and for the auth-params of RFC 7235 §2.1.
 */
import { inClass, TOKEN } from './chars.ts'
import { isToken, quote, quotedStringEnd, readQuotedString, trimmedOffset } from './lex.ts'
import { SipParseError } from './parse-error.ts'

/** One parameter. `value` is undefined for a flag (`;rport`, `;lr`); a quoted value is stored unquoted. */
export interface Param {
  readonly name: string
  readonly value: string | undefined
  readonly quoted: boolean
}

const IPV6_REFERENCE = /^\[[0-9A-Fa-f:.]+\]$/
/** via-received = "received" EQUAL (IPv4address / IPv6address): an IPv6 address appears without brackets. */
const IPV6_ADDRESS = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$/

/**
 * Parses one `name [= value]` item (no leading separator). `offset` is where the item starts in the text the
 * caller reports errors against.
 */
export function parseParam(item: string, offset: number, context: string): Param {
  const eq = item.indexOf('=')
  const rawName = eq < 0 ? item : item.slice(0, eq)
  const name = rawName.trim()
  if (name.length === 0) {
    throw new SipParseError(
      eq < 0 ? 'empty parameter (";;" or a trailing ";")' : 'parameter without a name',
      offset,
      context,
    )
  }
  if (!isToken(name)) throw new SipParseError(`parameter name "${name}" is not a token`, offset, context)
  if (eq < 0) return { name, value: undefined, quoted: false }
  const rest = item.slice(eq + 1)
  const valueText = rest.trim()
  const valueAt = offset + eq + 1 + (rest.length - rest.trimStart().length)
  if (valueText.length === 0)
    throw new SipParseError(`parameter "${name}" has "=" but no value`, valueAt, context)
  if (valueText.charCodeAt(0) === 0x22) {
    const q = readQuotedString(valueText, 0, context)
    if (q.end !== valueText.length) {
      throw new SipParseError(`text after the quoted value of parameter "${name}"`, valueAt + q.end, context)
    }
    return { name, value: q.value, quoted: true }
  }
  if (!isToken(valueText) && !IPV6_REFERENCE.test(valueText) && !IPV6_ADDRESS.test(valueText)) {
    throw new SipParseError(
      `value "${valueText}" of parameter "${name}" is neither a token, a host nor a quoted-string`,
      valueAt,
      context,
    )
  }
  return { name, value: valueText, quoted: false }
}

/** Where the plain quoted-string (printable ASCII, no quoted-pair) opening at text[i] ends, or -1. */
function plainQuotedEnd(text: string, i: number, n: number): number {
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j)
    if (c === 0x22) return j + 1
    if (c < 0x20 || c > 0x7e || c === 0x5c) return -1
  }
  return -1
}

/** Where the item starting at `from` ends: the next ';' outside quoted-strings, or the end of the text. */
function itemEnd(text: string, from: number, context: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) i = quotedStringEnd(text, i, context) - 1
    else if (c === 0x3b) return i
  }
  return text.length
}

/**
 * Parses the text after the first ';', e.g. `branch=z9hG4bK1;rport`. Throws SipParseError on an empty item.
 * The common spellings (`name`, `name=token`, `name="text"`, no LWS, no quoted-pairs, ASCII) are read in one pass;
 * any other item is read by parseParam, which accepts it or says what is wrong.
 */
export function parseParams(text: string, context = 'parameters'): Param[] {
  const out: Param[] = []
  const n = text.length
  let from = 0
  while (from <= n) {
    let i = from
    while (i < n && inClass(TOKEN, text.charCodeAt(i))) i++
    let end = -1
    let param: Param | undefined
    if (i > from && (i === n || text.charCodeAt(i) === 0x3b)) {
      end = i
      param = { name: text.slice(from, i), value: undefined, quoted: false }
    } else if (i > from && text.charCodeAt(i) === 0x3d && i + 1 < n) {
      const v = i + 1
      if (text.charCodeAt(v) === 0x22) {
        end = plainQuotedEnd(text, v, n)
        if (end >= 0) param = { name: text.slice(from, i), value: text.slice(v + 1, end - 1), quoted: true }
      } else {
        end = v
        while (end < n && inClass(TOKEN, text.charCodeAt(end))) end++
        if (end > v) param = { name: text.slice(from, i), value: text.slice(v, end), quoted: false }
      }
      if (end < n && text.charCodeAt(end) !== 0x3b) param = undefined
    }
    if (param === undefined) {
      end = itemEnd(text, from, context)
      const segment = { text: text.slice(from, end), offset: from }
      param = parseParam(segment.text, trimmedOffset(segment), context)
    }
    out.push(param)
    from = end + 1
  }
  return out
}

/** The value of the first parameter with this name (case-insensitive, RFC 3261 §7.3.1); undefined for a flag. */
export function getParam(params: readonly Param[], name: string): string | undefined {
  const key = name.toLowerCase()
  for (const p of params) if (p.name.length === key.length && p.name.toLowerCase() === key) return p.value
  return undefined
}

export function hasParam(params: readonly Param[], name: string): boolean {
  const key = name.toLowerCase()
  return params.some((p) => p.name.toLowerCase() === key)
}

/** One parameter as `name`, `name=value` or `name="value"`, without separator. */
export function formatParam(p: Param): string {
  if (p.value === undefined) return p.name
  return `${p.name}=${p.quoted ? quote(p.value) : p.value}`
}

/** `;branch=z9hG4bK1;rport`; the empty string for no parameters. */
export function formatParams(params: readonly Param[]): string {
  let out = ''
  for (const p of params) out += `;${formatParam(p)}`
  return out
}
