import { formatAuthValue, parseAuthValue } from '../sip/auth.ts'
import { canonicalHeaderName } from '../sip/compact-names.ts'
import type { SipRequest } from '../sip/message.ts'
import { getParam } from '../sip/params.ts'
import type { Faults } from './faults.ts'
import type { MissingOriginPolicy } from './origin-policy.ts'
import { addressUri, insertBeforeLength } from './proxy-rules.ts'
import type { TokenVerifier } from './token-verifier.ts'
import type { Variants } from './variants.ts'
import type { WicConnection } from './wic-connections.ts'

/**
 * The web-authentication scheme at the eP-CSCF (TR 23.701 X.2.1.3, TS 24.371 §6.1 b)): a REGISTER carrying the
 * WWSF's token as `Authorization: Bearer` (RFC 8898) is checked here and, when valid, goes to the IMS core as a
 * trusted-node REGISTER (TNA, TS 33.203 Annex U) that carries no token.
 */

export interface BearerGateOptions {
  /** Undefined: the web-authentication scheme is not enabled. */
  readonly verifier: TokenVerifier | undefined
  readonly domain: string
  readonly missingOrigin: MissingOriginPolicy
  /** Where the reason of a rejected token goes (the trace): the WIC only hears "invalid_token". */
  readonly note: (text: string) => void
  /** `token-identity-unbound` acts here (the other token faults in the verifier and the TNA form). */
  readonly faults?: Faults
  /** The refusal variants act here (refuse-wic-integrity-protected, token-refusal-*). */
  readonly variants?: Variants
}

export type GateOutcome =
  /** No token: the digest scheme applies. */
  | { readonly kind: 'digest' }
  /** A valid token: forward as TNA for this IMPI. */
  | { readonly kind: 'token'; readonly impi: string }
  | {
      readonly kind: 'reject'
      readonly status: number
      readonly reason: string
      readonly headers?: readonly (readonly [string, string])[]
    }

/** Checks the credentials of a REGISTER from `connection`. Binds the token's identities to the connection. */
export async function gateRegister(
  request: SipRequest,
  connection: WicConnection,
  opts: BearerGateOptions,
): Promise<GateOutcome> {
  if (opts.faults?.has('token-flow-trusted') === true && connection.tokenIdentity !== undefined) {
    opts.note(`fault token-flow-trusted: REGISTER on a token-registered WebSocket taken as its owner's`)
    removeBearer(request)
    return { kind: 'token', impi: connection.tokenIdentity.impi }
  }
  let token = bearerToken(request, opts.faults)
  if (token !== undefined && token.length > 8192 && opts.faults?.has('oversized-token-ignored') === true) {
    opts.note(`fault oversized-token-ignored: Bearer credentials of ${token.length} characters dropped`)
    removeBearer(request)
    token = undefined
  }
  if (opts.variants?.has('refuse-wic-integrity-protected') === true) {
    // The variant: credentials the eP-CSCF would otherwise clean (a WIC-chosen integrity-protected, or a Bearer
    // token beside Digest credentials) are refused instead; catalogue R39 allows "reject, or forward".
    const digests = request.getAll('Authorization').filter((value) => !isBearer(value))
    if (token !== undefined && digests.length > 0)
      return { kind: 'reject', status: 403, reason: 'Forbidden - Bearer and Digest credentials together' }
    if (digests.some(hasIntegrityProtected))
      return { kind: 'reject', status: 403, reason: 'Forbidden - integrity-protected is not the WIC to set' }
  }
  if (token === undefined) {
    const tokenOnly =
      opts.missingOrigin === 'token-only' && opts.faults?.has('token-only-digest-allowed') !== true
    if (connection.origin === undefined && tokenOnly) {
      return { kind: 'reject', status: 403, reason: 'Forbidden - without Origin, register with a token' }
    }
    return { kind: 'digest' }
  }
  const verdict = await verify(token, opts)
  if (!verdict.ok) return verdict.outcome
  const replay = replayed(verdict.jti, connection, opts)
  if (replay !== undefined) return replay
  // TS 24.371 A.3.2 step 1 / TS 33.203 X.3: the IMS identities are those the WWSF bound to the token; a token of
  // one user cannot register another (the IMPU registered is the To URI).
  const impu = addressUri(request.get('To'))
  const bound = impu !== undefined && verdict.impus.some((b) => b.toLowerCase() === impu.toLowerCase())
  if (!bound && opts.faults?.has('token-identity-unbound') === true) {
    opts.note(
      `fault token-identity-unbound: ${impu ?? 'To'} registered with a token for ${verdict.impus.join(', ')}`,
    )
  } else if (!bound) {
    return { kind: 'reject', status: 403, reason: 'Forbidden - public identity not bound to the token' }
  }
  connection.tokenIdentity = { impi: verdict.impi, impus: verdict.impus }
  return { kind: 'token', impi: verdict.impi }
}

/**
 * The forwarded REGISTER of a token registration: every Authorization the WIC sent (Bearer, or a Digest it added
 * to sneak in `integrity-protected`) is replaced by the TNA form of the interop contract, the "integrity-protected
 * flag set to indicate that authentication has already been performed" (TS 33.203 U.2 step 4).
 */
export function applyTrustedNodeAuthorization(
  request: SipRequest,
  impi: string,
  domain: string,
  faults?: Faults,
): void {
  const bearer = request.getAll('Authorization').filter(isBearer)
  request.remove('Authorization')
  // The faults: the token goes on into the core, or the "authentication already performed" flag is never set.
  if (faults?.has('forward-bearer-token') === true)
    for (const value of bearer) insertBeforeLength(request, 'Authorization', value)
  if (faults?.has('no-auth-done') === true) return
  insertBeforeLength(
    request,
    'Authorization',
    formatAuthValue({
      scheme: 'Digest',
      params: [
        { name: 'username', value: impi, quoted: true },
        { name: 'realm', value: domain, quoted: true },
        { name: 'uri', value: `sip:${domain}`, quoted: true },
        { name: 'nonce', value: '', quoted: true },
        { name: 'response', value: '', quoted: true },
        { name: 'integrity-protected', value: 'auth-done', quoted: true },
      ],
    }),
  )
}

/**
 * Requests other than REGISTER: "The WIC using Gm shall include the Authorization header field with the Bearer
 * scheme containing the valid access token in all SIP requests" (TS 24.371 §7.2.1). A token that is present is
 * checked; it never goes on to the IMS core.
 */
export async function gateRequest(request: SipRequest, opts: BearerGateOptions): Promise<GateOutcome> {
  const token = bearerToken(request, opts.faults)
  if (token === undefined) return { kind: 'digest' }
  if (opts.faults?.has('bearer-forwarded-on-requests') !== true) removeBearer(request)
  if (opts.verifier === undefined) return { kind: 'digest' }
  const verdict = await verify(token, opts)
  return verdict.ok ? { kind: 'token', impi: verdict.impi } : verdict.outcome
}

async function verify(
  token: string,
  opts: BearerGateOptions,
): Promise<
  { ok: true; impi: string; impus: readonly string[]; jti: unknown } | { ok: false; outcome: GateOutcome }
> {
  if (opts.verifier === undefined) {
    return {
      ok: false,
      outcome: { kind: 'reject', status: 403, reason: 'Forbidden - web authentication is not enabled' },
    }
  }
  const verdict = await opts.verifier.verify(token)
  if (verdict.ok) return { ok: true, impi: verdict.impi, impus: verdict.impus, jti: verdict.payload.jti }
  opts.note(`token rejected: ${verdict.reason}`)
  if (opts.variants?.has('token-refusal-400') === true) {
    // RFC 6750 §3.1: invalid_request "The request is missing a required parameter, includes an unsupported
    // parameter or parameter value, [...] or is otherwise malformed. The resource server SHOULD respond with the
    // HTTP 400 (Bad Request) status code." An eP-CSCF may see a bad token so.
    return { ok: false, outcome: { kind: 'reject', status: 400, reason: 'Bad Request - invalid token' } }
  }
  if (opts.variants?.has('token-refusal-no-error-attribute') === true) {
    // RFC 6750 §3: "If the protected resource request included an access token and failed authentication, the
    // resource server SHOULD include the "error" attribute": a SHOULD, so a challenge without it is conformant.
    return unauthorized(`Bearer realm="${opts.domain}"`)
  }
  // RFC 6750 §3.1 (as used by RFC 8898 §5): invalid_token - "The access token provided is expired, revoked,
  // malformed, or invalid for other reasons. The resource SHOULD respond with the HTTP 401 (Unauthorized) status
  // code." The details stay in the trace, not in the challenge.
  return unauthorized(`Bearer realm="${opts.domain}", error="invalid_token"`)
}

/** The WebSocket (connection id) each token's jti was first used on, per eP-CSCF (the `token-jti-one-time` variant). */
const jtiOwners = new WeakMap<BearerGateOptions, Map<string, string>>()

/**
 * The `token-jti-one-time` variant: a token whose jti was used on another WebSocket is refused as a replay. "The
 * "jti" claim can be used to prevent the JWT from being replayed" and "Use of this claim is OPTIONAL" (RFC 7519
 * §4.1.7, recalled): an eP-CSCF may, the profile says whether it does (epcscf.token.jtiReplay).
 */
function replayed(jti: unknown, connection: WicConnection, opts: BearerGateOptions): GateOutcome | undefined {
  if (opts.variants?.has('token-jti-one-time') !== true || typeof jti !== 'string') return undefined
  const owners = jtiOwners.get(opts) ?? new Map<string, string>()
  jtiOwners.set(opts, owners)
  const owner = owners.get(jti)
  if (owner === undefined) owners.set(jti, String(connection.id))
  if (owner === undefined || owner === String(connection.id)) return undefined
  if (opts.faults?.has('token-jti-replay-accepted') === true) {
    opts.note(`fault token-jti-replay-accepted: jti ${jti} of WebSocket ${owner} replayed`)
    return undefined
  }
  opts.note(`token rejected: jti ${jti} already used on another WebSocket`)
  return unauthorized(`Bearer realm="${opts.domain}", error="invalid_token"`).outcome
}

/** A 401 refusal of the token with this Bearer challenge. */
function unauthorized(challenge: string): { ok: false; outcome: GateOutcome } {
  return {
    ok: false,
    outcome: {
      kind: 'reject',
      status: 401,
      reason: 'Unauthorized',
      headers: [['WWW-Authenticate', challenge]],
    },
  }
}

/**
 * The token of `Authorization: Bearer <token68>` or `Authorization: Bearer access_token="<token>"`. The scheme name
 * is case-insensitive (RFC 7235 §2.1); the `bearer-case-sensitive` fault knows only `Bearer`.
 */
export function bearerToken(request: SipRequest, faults?: Faults): string | undefined {
  const caseSensitive = faults?.has('bearer-case-sensitive') === true
  for (const value of request.getAll('Authorization')) {
    try {
      const auth = parseAuthValue(value)
      if (caseSensitive ? auth.scheme !== 'Bearer' : auth.scheme.toLowerCase() !== 'bearer') continue
      return auth.token68 ?? getParam(auth.params, 'access_token')
    } catch {
      // Bearer credentials that are no token68 are still a (malformed) token: the verifier refuses them, rather
      // than the REGISTER going on as if it carried none (RFC 6750 §3.1 invalid_request / invalid_token).
      if (isBearer(value) && !caseSensitive) return value.trim().slice('bearer'.length).trim()
      continue
    }
  }
  return undefined
}

/** Authorization credentials of the Bearer scheme (auth-scheme is case-insensitive, RFC 7235 §2.1). */
function isBearer(value: string): boolean {
  return /^\s*bearer(\s|$)/i.test(value)
}

/** Digest credentials that carry an integrity-protected parameter (only the eP-CSCF may set one). */
function hasIntegrityProtected(value: string): boolean {
  try {
    return parseAuthValue(value).params.some((p) => p.name.toLowerCase() === 'integrity-protected')
  } catch {
    return false
  }
}

function removeBearer(request: SipRequest): void {
  const key = canonicalHeaderName('Authorization')
  request.headers = request.headers.filter((h) => canonicalHeaderName(h.name) !== key || !isBearer(h.value))
}
