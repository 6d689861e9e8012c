import { ProfileError } from '../errors.ts'
import { parseAuthValue, type AuthValue } from '../sip/auth.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { getParam } from '../sip/params.ts'
import { adviseThat, expectThat, nonEmpty, showHeader, single } from './expectations.ts'
import type { MustRequirement } from './requirement.ts'
import { TOKEN } from './requirements-registration.ts'

/** Checks of token registration (TR 23.701 X.2.1.3, TS 24.371 §6.1 b), TS 33.203 Annex U, RFC 8898, RFC 6750). */

function parsed(values: readonly string[]): AuthValue[] {
  return values.flatMap((value) => {
    try {
      return [parseAuthValue(value)]
    } catch {
      return []
    }
  })
}

/**
 * R34: the REGISTER the eP-CSCF forwards after a valid token carries exactly one `Authorization: Digest` with
 * `integrity-protected="auth-done"` (TS 33.203 U.2 step 4) and the token's IMPI as username.
 */
export function checkTrustedNodeAuthorization(forwarded: readonly SipRequest[], impi: string): void {
  const req = TOKEN.authDone
  const request = single(forwarded, 'the token REGISTER at the S-CSCF (from the eP-CSCF)', req)
  const digests = parsed(request.getAll('Authorization')).filter((a) => a.scheme.toLowerCase() === 'digest')
  expectThat(
    digests.length === 1,
    req,
    () =>
      `expected exactly one Authorization: Digest in the REGISTER at the S-CSCF, got ${digests.length}: ${showHeader(request, 'Authorization')}`,
    request,
  )
  const [digest] = digests
  const flag = getParam(digest?.params ?? [], 'integrity-protected')?.toLowerCase()
  expectThat(
    flag === 'auth-done',
    req,
    () =>
      `expected integrity-protected="auth-done" at the S-CSCF, got ${flag === undefined ? 'none' : `"${flag}"`}`,
  )
  const username = getParam(digest?.params ?? [], 'username')
  expectThat(
    username === impi,
    TOKEN.authDoneIdentity,
    () => `expected username="${impi}" (the token's IMPI) at the S-CSCF, got ${username ?? 'none'}`,
  )
}

/**
 * R34 with R39: a token REGISTER in which the WIC also put its own `integrity-protected` (Bearer and Digest
 * together) may be refused with a 4xx (then nothing of the scenario reached Mw), or is forwarded in the TNA form.
 * A 4xx with something on Mw is not a refusal of the eP-CSCF (it may be the S-CSCF's answer, relayed): what was
 * forwarded is judged.
 */
export function checkWicFlagReplacedOrRefused(
  final: SipResponse,
  mw: readonly SipRequest[],
  forwarded: readonly SipRequest[],
  impi: string,
): void {
  if (final.status >= 400 && final.status < 500 && mw.length === 0) return
  checkTrustedNodeAuthorization(forwarded, impi)
}

/** R35: no Mw request of the scenario (a REGISTER among them) carries the WIC's token, as Bearer or in its text. */
export function checkNoBearerOnMw(mw: readonly SipRequest[], token: string): void {
  const req = TOKEN.noBearerOnMw
  nonEmpty(
    mw.filter((r) => r.method.toUpperCase() === 'REGISTER'),
    'REGISTER at the S-CSCF',
    req,
  )
  for (const request of mw) {
    const bearers = parsed(request.getAll('Authorization')).filter((a) => a.scheme.toLowerCase() === 'bearer')
    expectThat(
      bearers.length === 0 && !request.toString().includes(token),
      req,
      () =>
        `expected no Bearer token on Mw, but ${request.summary()} at the S-CSCF (CSeq ${request.get('CSeq')}) carries ${bearers.length > 0 ? showHeader(request, 'Authorization') : 'the token in its text'}`,
      request,
    )
  }
}

/**
 * A TNA REGISTER the mock S-CSCF challenged only because it came from a source not in profile `scscf.trustedNodes`
 * (it carried auth-done for the user's IMPI): `impi` as the mock identified it, `note` naming the source address.
 */
export interface UntrustedSource {
  readonly impi: string | undefined
  readonly note: string
}

/**
 * R34: the S-CSCF registered the user without a challenge: TNA, "authentication is already performed" (U.1). A
 * challenge the mock gave because the eP-CSCF's Mw source is not in the profile's trusted nodes (`untrusted`, for
 * the user's IMPI) says nothing of the eP-CSCF: it is a ProfileError naming the source and `scscf.trustedNodes`.
 */
export function checkRegisteredWithoutChallenge(
  responses: readonly SipResponse[],
  who: string,
  impi?: string,
  untrusted: readonly UntrustedSource[] = [],
): void {
  const req = TOKEN.noChallenge
  const statuses = responses.map((r) => r.status)
  const challenged = statuses.includes(401) || statuses.includes(407)
  const ours = untrusted.filter((u) => impi === undefined || u.impi === impi)
  if (challenged && ours.length > 0)
    throw new ProfileError(
      `the mock S-CSCF challenged ${who}'s REGISTER with auth-done only because it came from a source not in ` +
        `profile scscf.trustedNodes (${ours.map((u) => u.note).join('; ')}): add the eP-CSCF's Mw source address ` +
        'to scscf.trustedNodes',
    )
  expectThat(
    !challenged,
    req,
    () =>
      `expected the S-CSCF to register ${who} without a challenge (auth-done from a trusted node), it answered ${statuses.join(', ')}`,
  )
  expectThat(
    statuses.includes(200),
    req,
    () =>
      `expected the S-CSCF to answer ${who}'s token REGISTER with 200 OK, it answered ${statuses.join(', ') || 'nothing'}`,
  )
}

/**
 * A REGISTER with a token that must not register is refused by the eP-CSCF: a 4xx is the MUST (R32 for a token
 * that does not validate, R36 for a token of another user); 400, 401 or 403 (RFC 6750 §3.1) and, on a 401,
 * `WWW-Authenticate: Bearer ... error="invalid_token"` (RFC 6750 §3) are SHOULDs, so WARNs (catalogue B.1).
 */
export function checkTokenRefused(
  final: SipResponse,
  who: string,
  req: MustRequirement = TOKEN.validated,
): void {
  expectThat(
    final.status >= 400 && final.status < 500,
    req,
    () =>
      `expected ${who}'s REGISTER with a token that must not register to be refused (4xx), got ${final.summary()}`,
    final,
  )
  adviseThat(
    [400, 401, 403].includes(final.status),
    TOKEN.refusalCode,
    () => `${who}'s token was refused with ${final.summary()}, not 400, 401 or 403`,
  )
  if (final.status !== 401) return
  const bearer = parsed(final.getAll('WWW-Authenticate')).find((a) => a.scheme.toLowerCase() === 'bearer')
  adviseThat(
    bearer !== undefined && getParam(bearer.params, 'error') === 'invalid_token',
    TOKEN.invalidTokenError,
    () =>
      `the 401 to ${who} carries no WWW-Authenticate: Bearer ... error="invalid_token": ${showHeader(final, 'WWW-Authenticate')}`,
  )
}

/** R32 (or R36): nothing of the scenario reached the IMS core (`mw`: every scenario request, mw-traffic.ts). */
export function checkNothingOnMw(
  mw: readonly SipRequest[],
  what: string,
  req: MustRequirement = TOKEN.validated,
): void {
  expectThat(
    mw.length === 0,
    req,
    () =>
      `expected nothing of ${what} at the S-CSCF, ${mw.length} request(s) arrived (first: ${mw[0]?.summary() ?? ''}${mw[0] === undefined ? '' : ` with ${showHeader(mw[0], 'Authorization')}`})`,
  )
}
