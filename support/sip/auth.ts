/**
 * Authentication header values (Authorization, Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate), RFC 7235
 * §2.1: "credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]", "auth-param = token BWS "=" BWS ( token /
 * quoted-string )", "token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="". RFC 3261 §25.1 writes
 * the Digest form as "Digest LWS digest-response" with "dig-resp *(COMMA dig-resp)".
 *
 * `Bearer eyJ...` (RFC 6750 §2.1, RFC 8898) is the token68 form; `Bearer access_token="..."` is the param form.
 */
import { isToken, splitTopLevel, trimmedOffset, shifted } from './lex.ts'
import { formatParam, parseParam, type Param } from './params.ts'
import { SipParseError } from './parse-error.ts'

export interface AuthValue {
  scheme: string
  /** auth-params in order; quoted values unquoted. Empty for the token68 form. */
  params: Param[]
  token68?: string
  /** The value parsed, trimmed. */
  raw: string
}

const CONTEXT = 'auth'
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/

export function parseAuthValue(value: string): AuthValue {
  const raw = value.trim()
  const space = raw.search(/[ \t]/)
  const scheme = space < 0 ? raw : raw.slice(0, space)
  if (!isToken(scheme)) throw new SipParseError(`auth-scheme "${scheme}" is not a token`, 0, CONTEXT)
  const rest = space < 0 ? '' : raw.slice(space).trimStart()
  const restAt = raw.length - rest.length
  if (rest.length === 0) return { scheme, params: [], raw }
  if (TOKEN68.test(rest)) return { scheme, params: [], token68: rest, raw }
  const params = splitTopLevel(rest, ',', CONTEXT, false).map((segment) => {
    const at = restAt + trimmedOffset(segment)
    try {
      const p = parseParam(segment.text, 0, CONTEXT)
      if (p.value === undefined)
        throw new SipParseError(`auth-param "${p.name}" has no "=" value`, 0, CONTEXT)
      return p
    } catch (error) {
      return shifted(error, at)
    }
  })
  return { scheme, params, raw }
}

/** `Digest username="a", realm="b", ...` or `Bearer <token68>`. Params keep their quoted flag. */
export function formatAuthValue(a: { scheme: string; params?: readonly Param[]; token68?: string }): string {
  if (a.token68 !== undefined) return `${a.scheme} ${a.token68}`
  const params = a.params ?? []
  return params.length === 0 ? a.scheme : `${a.scheme} ${params.map(formatParam).join(', ')}`
}
