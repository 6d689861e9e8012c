/**
 * Character classes of the RFC 3261 §25.1 grammar as lookup tables, and allocation-free scanners over a range of a
 * string. The parsers use these instead of regular expressions on sliced copies: same grammar, one pass, no garbage.
 */

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128)
  for (const c of chars) t[c.charCodeAt(0)] = 1
  return t
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const ALNUM = `${ALPHA}0123456789`
/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
const UNRESERVED = `${ALNUM}-_.!~*'()`

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table(`${ALNUM}-.!%*_+\`'~`)
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
export const USER = table(`${UNRESERVED}&=+$,;?/`)
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table(`${UNRESERVED}&=+$,`)
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
export const PARAMCHAR = table(`${UNRESERVED}[]/:&+$`)
/** uric = reserved / unreserved / escaped (RFC 2396 as imported by RFC 3261 §25.1) */
export const URIC = table(`${UNRESERVED};/?:@&=+$,[]`)
/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (after the first character) */
export const SCHEMECHAR = table(`${ALNUM}+-.`)
/** word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" / ":" /
 * "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") (Call-ID) */
export const WORD = table(`${ALNUM}-.!%*_+\`'~()<>:\\"/[]?{}`)
const HEX = table('0123456789abcdefABCDEF')

export function inClass(t: Uint8Array, code: number): boolean {
  return code < 128 && t[code] === 1
}

/**
 * Whether text[a, b) is made of characters of `t` and, when `escapes` is set, of "%" HEXDIG HEXDIG escapes; at
 * least one unit unless `empty` is set.
 */
export function matchesClass(
  text: string,
  a: number,
  b: number,
  t: Uint8Array,
  escapes: boolean,
  empty = false,
): boolean {
  if (a >= b) return empty
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i)
    if (c < 128 && t[c] === 1) continue
    if (escapes && c === 0x25 && i + 2 < b && isHex(text, i + 1) && isHex(text, i + 2)) {
      i += 2
      continue
    }
    return false
  }
  return true
}

function isHex(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return c < 128 && HEX[c] === 1
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

/** Whether text[a, b) is 1*DIGIT with at most `max` digits. */
export function isDigits(text: string, a: number, b: number, max = Infinity): boolean {
  if (a >= b || b - a > max) return false
  for (let i = a; i < b; i++) if (!isDigit(text.charCodeAt(i))) return false
  return true
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each octet at most 255. */
function isIPv4(text: string, a: number, b: number): boolean {
  let groups = 0
  let from = a
  for (let i = a; i <= b; i++) {
    if (i < b && isDigit(text.charCodeAt(i))) continue
    if (i < b && text.charCodeAt(i) !== 0x2e) return false
    const n = i - from
    if (n < 1 || n > 3) return false
    let v = 0
    for (let j = from; j < i; j++) v = v * 10 + text.charCodeAt(j) - 0x30
    if (v > 255) return false
    groups++
    from = i + 1
  }
  return groups === 4
}

/** Host characters by kind: 1 letter, 2 digit, 3 "-", 4 "."; 0 for every other character. */
const HOST = new Uint8Array(128)
for (const c of ALPHA) HOST[c.charCodeAt(0)] = 1
for (const c of '0123456789') HOST[c.charCodeAt(0)] = 2
HOST[0x2d] = 3
HOST[0x2e] = 4

/**
 * Reads a host = hostname / IPv4address (IPv6 references are left to the caller) from text[i], stopping at the
 * first character that cannot be part of one or at b; returns where it stopped, or -1 when what was read is not a
 * valid host: "hostname = *( domainlabel "." ) toplabel [ "." ]; domainlabel = alphanum / alphanum *( alphanum /
 * "-" ) alphanum; toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum" (RFC 3261 §25.1).
 */
export function hostEnd(text: string, i: number, b: number): number {
  let j = i
  let label = i
  let previous = i
  let letters = false
  for (; j < b; j++) {
    const c = text.charCodeAt(j)
    const kind = c < 128 ? (HOST[c] as number) : 0
    if (kind === 0) break
    if (kind === 4) {
      if (j === label || text.charCodeAt(j - 1) === 0x2d) return -1
      previous = label
      label = j + 1
    } else if (kind !== 2) {
      if (kind === 3 && j === label) return -1
      letters = true
    }
  }
  if (j === i) return -1
  // A toplabel starts with ALPHA, so a name of digits and dots can only be an IPv4address.
  if (!letters) return isIPv4(text, i, j) ? j : -1
  const trailingDot = label === j
  const top = trailingDot ? previous : label
  const end = trailingDot ? j - 1 : j
  if (top >= end || text.charCodeAt(end - 1) === 0x2d) return -1
  const first = text.charCodeAt(top)
  return first < 128 && HOST[first] === 1 ? j : -1
}

/** Whether text[a, b) is a hostname or an IPv4address (see hostEnd). */
export function isHostnameOrIPv4(text: string, a: number, b: number): boolean {
  return a < b && hostEnd(text, a, b) === b
}
