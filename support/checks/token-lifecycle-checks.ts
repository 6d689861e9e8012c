import type { SipRequest, SipResponse } from '../sip/message.ts'
import { adviseThat, expectThat, nonEmpty, showHeader } from './expectations.ts'
import { must, should, type MustRequirement } from './requirement.ts'
import { TOKEN } from './requirements-registration.ts'

/**
 * Checks of the token's life beyond one registration (issue 9 §2): keys the token points at, key rotation, the
 * token repeated on other requests, refresh and de-registration, an oversized token, a WebSocket without Origin.
 */

/** RFC 8725 §3.10: an eP-CSCF should never fetch what a token's `jku` or `x5u` names (SSRF). */
const NO_KEY_URL_FETCH = should('RFC 8725 §3.10', {
  id: 'R32',
  quote:
    'blindly following a "jku" (JWK set URL) or "x5u" (X.509 URL) header, which may contain an arbitrary URL, could ' +
    'result in server-side request forgery (SSRF) attacks. Applications SHOULD protect against such attacks',
  source: 'R',
})

/** R41: the Bearer token a WIC repeats on its other requests (TS 24.371 §7.2.1) is handled and never reaches Mw. */
export const TOKEN_ON_REQUESTS = must('TS 24.371 §7.2.1; catalogue R41, R35', {
  id: 'R41',
  quote:
    'The WIC using Gm shall include the Authorization header field with the Bearer scheme containing the valid ' +
    'access token in all SIP requests, as specified in RFC 8898.',
  source: 'V',
})

/** R42: a refresh or de-registration under the token scheme is judged on the token it carries (catalogue [I/R]). */
export const TOKEN_REFRESH = must('TS 24.371 A.3.2 step 4, TS 33.203 U.2 step 4; catalogue R42', {
  id: 'R42',
  source: 'R',
})

/**
 * R31 after a key rotation: a token signed by a key the WWSF newly publishes is a valid token. "The verifier knows
 * to go back to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value" (OpenID
 * Connect Core 1.0 §10.1.1, recalled; no 3GPP text on the WWSF's keys).
 */
const ROTATED_KEY = must('TS 24.371 §6.1 b), A.3.2 step 4; OpenID Connect Core 1.0 §10.1.1 (key rotation)', {
  id: 'R31',
  source: 'R',
})

/** R13: without Origin, the token is the only gate (SA3 "use of a security token if the WWSF origin cannot be verified"). */
const TOKEN_ONLY = must('catalogue R13; TS 33.203 Annex X NOTE (Origin needs a non-compromised browser)', {
  id: 'R13',
  source: 'R',
})

/** The harness's decoy key server was never fetched: else "the eP-CSCF fetched <url>" (a WARN: a SHOULD). */
export function checkKeyUrlNeverFetched(fetches: readonly { url: string; from: string }[]): void {
  adviseThat(
    fetches.length === 0,
    NO_KEY_URL_FETCH,
    () =>
      `the eP-CSCF fetched ${fetches.map((f) => `${f.url} (from ${f.from})`).join(', ')}, the URL the token's header named`,
  )
}

/** What a WIC saw of a REGISTER it sent: the final response, or the WebSocket closed under it (`closed`). */
export type RegisterOrClose =
  | { readonly final: SipResponse; readonly closed?: undefined }
  | { readonly final?: undefined; readonly closed: string }

/** R32: an oversized (and invalid) token is refused with a 4xx, or its WebSocket is closed: never registered. */
export function checkOversizedRefused(outcome: RegisterOrClose | undefined, req: MustRequirement): void {
  if (outcome?.closed !== undefined) return
  const final = outcome?.final
  expectThat(
    final !== undefined && final.status >= 400 && final.status < 500,
    req,
    () =>
      `expected the REGISTER with an oversized token to be refused with a 4xx (or the WebSocket closed), got ${final?.summary() ?? 'nothing'}`,
    final,
  )
}

/**
 * R41 and R35: a request the token-registered WIC sent with its Bearer token was forwarded (a valid token
 * does not stop it) and reached Mw without the token.
 */
export function checkTokenStrippedFromRequest(
  final: SipResponse,
  atMw: readonly SipRequest[],
  method: string,
  token: string,
): void {
  const req = TOKEN_ON_REQUESTS
  nonEmpty(
    atMw,
    `the ${method} with the WIC's Bearer token at the S-CSCF (the eP-CSCF answered ${final.summary()})`,
    req,
  )
  for (const request of atMw) {
    const bearer = request.getAll('Authorization').filter((v) => /^\s*bearer\b/i.test(v))
    expectThat(
      bearer.length === 0 && !request.toString().includes(token),
      TOKEN.noBearerOnMw,
      () =>
        `expected no Bearer token on Mw, but the ${method} at the S-CSCF carries ${bearer.length > 0 ? showHeader(request, 'Authorization') : 'the token in its text'}`,
      request,
    )
  }
}

/** R31 after a rotation: the token of the WWSF's new key registered (200 at the WIC). */
export function checkRotatedKeyHonoured(final: SipResponse, kid: string): void {
  expectThat(
    final.status >= 200 && final.status < 300,
    ROTATED_KEY,
    () =>
      `expected the token signed by the WWSF's new key (kid ${kid}, published in its JWKS) to register, got ${final.summary()}`,
    final,
  )
}

/**
 * R13: a REGISTER by digest from a WebSocket without Origin (profile missingOrigin token-only) is refused and
 * nothing of it, digest credentials or auth-done, reaches the S-CSCF.
 */
export function checkDigestRefusedWithoutOrigin(final: SipResponse, mw: readonly SipRequest[]): void {
  expectThat(
    mw.length === 0,
    TOKEN_ONLY,
    () =>
      `expected nothing of a digest REGISTER from a WebSocket without Origin at the S-CSCF (token-only), ${mw.length} request(s) arrived: ${mw.map((r) => `${r.summary()} with ${showHeader(r, 'Authorization')}`).join('; ')}`,
  )
  expectThat(
    final.status >= 400 && final.status < 500,
    TOKEN_ONLY,
    () =>
      `expected the digest REGISTER from a WebSocket without Origin to be refused with a 4xx (token-only), got ${final.summary()}`,
    final,
  )
}

/**
 * R42: a refresh (or a REGISTER for another identity) on a token-registered WebSocket whose token must not register
 * is refused with a 4xx and nothing of it reaches the S-CSCF (`since`: the Mw requests after the refresh began).
 */
export function checkRefreshRefused(
  final: SipResponse,
  since: readonly SipRequest[],
  what: string,
  req: MustRequirement = TOKEN_REFRESH,
): void {
  expectThat(
    since.length === 0,
    req,
    () =>
      `expected nothing of ${what} at the S-CSCF, ${since.length} request(s) arrived (first: ${since[0]?.summary() ?? ''}${since[0] === undefined ? '' : ` with ${showHeader(since[0], 'Authorization')}`})`,
  )
  expectThat(
    final.status >= 400 && final.status < 500,
    req,
    () => `expected ${what} to be refused with a 4xx, got ${final.summary()}`,
    final,
  )
}
