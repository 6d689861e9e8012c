import { parseAuthValue, type AuthValue } from '../sip/auth.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { getParam } from '../sip/params.ts'
import { expectThat, nonEmpty, showHeader, single } from './expectations.ts'

/** Checks of token registration (TR 23.701 X.2.1.3, TS 24.371 §6.1 b), TS 33.203 Annex U, RFC 8898). */

function authorizations(request: SipRequest): AuthValue[] {
  return request.getAll('Authorization').flatMap((value) => {
    try {
      return [parseAuthValue(value)]
    } catch {
      return []
    }
  })
}

/**
 * R34: the REGISTER the eP-CSCF forwards after a valid token carries exactly one `Authorization: Digest` with
 * `integrity-protected="auth-done"` and the token's IMPI as username (TS 33.203 U.2 step 4: "The Trusted Node
 * inserts an 'integrity-protected' flag set to indicate that authentication has already been performed").
 */
export function checkTrustedNodeAuthorization(forwarded: readonly SipRequest[], impi: string): void {
  const requirement = 'TS 33.203 U.2 step 4, TS 24.371 §6.1 b) (R34)'
  const request = single(forwarded, 'the token REGISTER at the S-CSCF (from the eP-CSCF)', requirement)
  const digests = authorizations(request).filter((a) => a.scheme.toLowerCase() === 'digest')
  expectThat(
    digests.length === 1,
    requirement,
    () =>
      `expected exactly one Authorization: Digest in the REGISTER at the S-CSCF, got ${digests.length}: ${showHeader(request, 'Authorization')}`,
  )
  const [digest] = digests
  const flag = getParam(digest?.params ?? [], 'integrity-protected')
  expectThat(
    flag === 'auth-done',
    requirement,
    () =>
      `expected integrity-protected="auth-done" at the S-CSCF, got ${flag === undefined ? 'none' : `"${flag}"`}`,
  )
  const username = getParam(digest?.params ?? [], 'username')
  expectThat(
    username === impi,
    'TS 24.229 §5.4.1.2.2F, TS 24.371 A.3.2 step 4 (R34, R36)',
    () => `expected username="${impi}" (the token's IMPI) at the S-CSCF, got ${username ?? 'none'}`,
  )
}

/** R35: "no `Authorization: Bearer` carrying the WIC's token on Mw" (a token on Mw is replayable). */
export function checkNoBearerOnMw(forwarded: readonly SipRequest[], token: string): void {
  const requirement = 'TS 24.371 §6.1 b), requirements catalogue R35'
  nonEmpty(forwarded, 'REGISTER at the S-CSCF', requirement)
  for (const request of forwarded) {
    const bearers = authorizations(request).filter((a) => a.scheme.toLowerCase() === 'bearer')
    expectThat(
      bearers.length === 0 && !request.toString().includes(token),
      requirement,
      () =>
        `expected no Bearer token on Mw, but the REGISTER at the S-CSCF (CSeq ${request.get('CSeq')}) carries ${bearers.length > 0 ? showHeader(request, 'Authorization') : 'the token in its text'}`,
    )
  }
}

/** The S-CSCF registered without challenging: TNA, "authentication is already performed" (TS 33.203 U.1). */
export function checkRegisteredWithoutChallenge(responses: readonly SipResponse[], who: string): void {
  const requirement = 'TS 33.203 U.1, TS 24.229 §5.4.1.2.2F (R34)'
  const statuses = responses.map((r) => r.status)
  expectThat(
    !statuses.includes(401) && !statuses.includes(407),
    requirement,
    () =>
      `expected the S-CSCF to register ${who} without a challenge (auth-done from a trusted node), it answered ${statuses.join(', ')}`,
  )
  expectThat(
    statuses.includes(200),
    requirement,
    () =>
      `expected the S-CSCF to answer ${who}'s token REGISTER with 200 OK, it answered ${statuses.join(', ') || 'nothing'}`,
  )
}

/**
 * R33: a bad token gets 401 (with `WWW-Authenticate: Bearer ... error="invalid_token"`, RFC 8898 §5 / RFC 6750
 * §3.1) or 403 from the eP-CSCF.
 */
export function checkTokenRefused(final: SipResponse, who: string): void {
  expectThat(
    final.status === 401 || final.status === 403,
    'RFC 8898 §5, TS 24.371 A.3.2 (R32, R33)',
    () => `expected ${who}'s REGISTER with a bad token to be refused with 401 or 403, got ${final.summary()}`,
  )
  if (final.status !== 401) return
  const bearer = final
    .getAll('WWW-Authenticate')
    .flatMap((value) => {
      try {
        return [parseAuthValue(value)]
      } catch {
        return []
      }
    })
    .find((a) => a.scheme.toLowerCase() === 'bearer')
  expectThat(
    bearer !== undefined && getParam(bearer.params, 'error') === 'invalid_token',
    'RFC 8898 §5, RFC 6750 §3.1 (R33)',
    () =>
      `expected the 401 to ${who} to carry WWW-Authenticate: Bearer ... error="invalid_token", got ${showHeader(final, 'WWW-Authenticate')}`,
  )
}

/** R32: a REGISTER with a bad token never reaches the IMS core. */
export function checkNothingOnMw(forwarded: readonly SipRequest[], who: string): void {
  expectThat(
    forwarded.length === 0,
    'TR 23.701 X.2.1.3 step 4, TS 24.371 A.3.2 (R32)',
    () =>
      `expected no REGISTER of ${who} at the S-CSCF after a bad token, ${forwarded.length} arrived (first: ${forwarded[0]?.summary() ?? ''} with ${forwarded[0] === undefined ? '' : showHeader(forwarded[0], 'Authorization')})`,
  )
}
