import { InconclusiveError } from '../errors.ts'
import { parseAuthValue, type AuthValue } from '../sip/auth.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseNameAddrList } from '../sip/name-addr.ts'
import { getParam } from '../sip/params.ts'
import { uriTextsEqual } from '../sip/uri-equality.ts'
import { expectThat, firstOf, showHeader } from './expectations.ts'
import { integrityProtectedValues, NOT_DIGEST } from './register-checks.ts'
import type { MustRequirement } from './requirement.ts'
import { REGISTRATION } from './requirements-registration.ts'

/**
 * Checks of what a registration came to: what the WIC received, what the S-CSCF answered and holds. Each positive
 * check needs its evidence to exist (a 200 at the WIC is not a registration unless the S-CSCF holds the binding),
 * so that an eP-CSCF answering 200 to every REGISTER and forwarding nothing fails.
 */

/**
 * R20: the WIC got 200 (OK) with the Service-Route and P-Associated-URI the S-CSCF sent (`sentByScscf`, its 200 to
 * that REGISTER), URI by URI in the same order (RFC 3261 §19.1.4 equality): a rewritten Service-Route would send the
 * WIC's requests elsewhere. Without the S-CSCF's 200 at hand, only their presence is judged.
 */
export function checkRegistered(final: SipResponse, who: string, sentByScscf?: SipResponse): void {
  const req = REGISTRATION.okRelayed
  expectThat(
    final.status === 200,
    req,
    () => `expected 200 OK to ${who}'s REGISTER from the eP-CSCF, got ${final.summary()}`,
    final,
  )
  expectThat(
    final.has('Service-Route') && final.has('P-Associated-URI'),
    req,
    () =>
      `expected the 200 OK relayed to ${who} to keep Service-Route and P-Associated-URI, got ${final.has('Service-Route') ? '' : 'no Service-Route '}${final.has('P-Associated-URI') ? '' : 'no P-Associated-URI'}`,
  )
  if (sentByScscf === undefined) return
  for (const name of ['Service-Route', 'P-Associated-URI']) {
    const want = uriList(sentByScscf, name)
    const got = uriList(final, name)
    expectThat(
      want.length === got.length && want.every((uri, i) => uriTextsEqual(uri, got[i] ?? '')),
      req,
      () =>
        `expected the ${name} the S-CSCF sent (${showHeader(sentByScscf, name)}) in the 200 OK relayed to ${who}, got ${showHeader(final, name)}`,
      final,
    )
  }
}

function uriList(message: SipResponse, name: string): string[] {
  return message.getAll(name).flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
}

/** The S-CSCF holds at least one binding for `impu` (the registration reached the registrar through the eP-CSCF). */
export function checkBinding(count: number, impu: string, req: MustRequirement): void {
  expectThat(count > 0, req, () => `expected the S-CSCF to hold a binding for ${impu}, it holds none`)
}

/** R28 / R43: the S-CSCF holds no binding for `impu`. */
export function checkNoBinding(count: number, impu: string, req: MustRequirement): void {
  expectThat(count === 0, req, () => `expected no binding for ${impu} at the S-CSCF, it holds ${count}`)
}

/** R28 / R43: the WIC received the final status the S-CSCF sent (relayed, not made up by the eP-CSCF). */
export function checkFinalRelayed(
  final: SipResponse,
  status: number,
  scscfAnswers: readonly SipResponse[],
  req: MustRequirement,
): void {
  expectThat(
    scscfAnswers.some((r) => r.status === status),
    req,
    () =>
      `expected the S-CSCF's ${status} to be relayed, but the S-CSCF answered ${scscfAnswers.map((r) => r.status).join(', ') || 'nothing (no REGISTER reached it)'}`,
  )
  expectThat(
    final.status === status,
    req,
    () => `expected ${status} relayed to the WIC, got ${final.summary()}`,
    final,
  )
}

/**
 * The S-CSCF's responses to the REGISTER transaction the WIC left unanswered: `sent` is the WIC's last REGISTER;
 * the REGISTERs forwarded for it are those on Mw with its Call-ID and CSeq (a proxy copies both, RFC 3261 §16.6
 * step 1), and their responses carry the same Call-ID and CSeq (RFC 3261 §8.2.6.2). An earlier 401 or 200 of the
 * same registration answered another transaction, which the WIC did get. Nothing matches when the eP-CSCF maps
 * Call-ID or CSeq (topology hiding): then there is no evidence, and the silence stays inconclusive.
 */
export function answersToTransaction(
  sent: SipRequest | undefined,
  atMw: readonly SipRequest[],
  scscfSent: readonly SipResponse[],
): SipResponse[] {
  if (sent === undefined) return []
  const key = (m: SipRequest | SipResponse): string => `${m.get('Call-ID') ?? ''}\n${cseqKey(m)}`
  const forwarded = new Set(atMw.filter((r) => key(r) === key(sent)).map(key))
  return scscfSent.filter((r) => forwarded.has(key(r)))
}

/** `1 REGISTER` and `1  register` are the same CSeq (RFC 3261 §20.16: a number and a method). */
function cseqKey(m: SipRequest | SipResponse): string {
  const [seq = '', method = ''] = (m.get('CSeq') ?? '').trim().split(/\s+/)
  return `${Number(seq)} ${method.toUpperCase()}`
}

/**
 * R58: a registration that got no final response at the WIC although the S-CSCF answered: the eP-CSCF did not
 * relay it (RFC 3261 §16.7). Before that, `explain` may find the cause in what reached the S-CSCF (a forwarded
 * REGISTER without the eP-CSCF's Via cannot bring its response back: R19). `scscfAnswers` are the S-CSCF's
 * responses to the unanswered transaction only (`answersToTransaction`), never to the registration's earlier
 * ones. Silence with no evidence either way stays what it was (inconclusive).
 */
export async function relayedOrFail<T>(
  action: Promise<T>,
  scscfAnswers: () => readonly SipResponse[],
  who: string,
  explain: () => void = () => undefined,
): Promise<T> {
  try {
    return await action
  } catch (error) {
    if (!(error instanceof InconclusiveError)) throw error
    explain()
    const finals = scscfAnswers().filter((r) => r.status >= 200)
    expectThat(
      finals.length === 0,
      REGISTRATION.responseRelayed,
      () =>
        `the S-CSCF answered ${who}'s REGISTER with ${finals.map((r) => r.summary()).join(', ')}, but no final response reached ${who}: ${error.message}`,
    )
    throw error
  }
}

function challenges(response: SipResponse): AuthValue[] {
  return response.getAll('WWW-Authenticate').flatMap((value) => {
    try {
      return [parseAuthValue(value)]
    } catch {
      return []
    }
  })
}

/** `Digest algorithm=MD5, nonce="x", realm="r"`: scheme and parameters, names lower-case, sorted. */
function meaning(challenge: AuthValue): string {
  const params = challenge.params
    .map((p) => `${p.name.toLowerCase()}=${JSON.stringify(p.value ?? '')}`)
    .sort()
    .join(', ')
  return `${challenge.scheme.toLowerCase()} ${challenge.token68 ?? params}`
}

/**
 * R24: the 401 the S-CSCF sent reaches the WIC with the same challenges: the same schemes and parameters in the
 * same order of challenges. Re-serialising (spacing, parameter order, quoting) is allowed (catalogue B.1).
 */
export function checkChallengeRelayed(sentByScscf: SipResponse, receivedByWic: SipResponse): void {
  const req = REGISTRATION.challengeRelayed
  expectThat(
    receivedByWic.status === sentByScscf.status,
    req,
    () =>
      `expected the WIC to receive ${sentByScscf.status}, got ${receivedByWic.status} ${receivedByWic.reason}`,
    receivedByWic,
  )
  const want = challenges(sentByScscf).map(meaning)
  const got = challenges(receivedByWic).map(meaning)
  expectThat(
    JSON.stringify(want) === JSON.stringify(got),
    req,
    () =>
      `expected the challenge unchanged in meaning:\n  sent by the S-CSCF:  ${sentByScscf.getAll('WWW-Authenticate').join('\n                       ')}\n  received by the WIC: ${receivedByWic.getAll('WWW-Authenticate').join('\n                       ') || '(none)'}`,
    receivedByWic,
  )
}

/** The algorithms of a 401's challenges, in order (MD5 when absent, RFC 7616 §3.3). */
export function challengeAlgorithms(response: SipResponse): string[] {
  return challenges(response).map((c) => (getParam(c.params, 'algorithm') ?? 'MD5').toUpperCase())
}

/** R25: the challenges reach the WIC in the S-CSCF's order of preference (RFC 8760). */
export function checkChallengeOrder(
  challenge: SipResponse,
  algorithms: readonly string[],
  who: string,
): void {
  const got = challengeAlgorithms(challenge)
  expectThat(
    JSON.stringify(got) === JSON.stringify(algorithms),
    REGISTRATION.challengeOrder,
    () =>
      `expected challenges ${algorithms.join(', ')} in that order at ${who}, got ${got.join(', ') || 'none'}`,
  )
}

/** The Digest algorithm a REGISTER's Authorization answered with (MD5 when absent, RFC 7616 §3.4). */
export function digestAlgorithmOf(request: SipRequest): string | undefined {
  for (const value of request.getAll('Authorization')) {
    let auth: AuthValue
    try {
      auth = parseAuthValue(value)
    } catch {
      continue
    }
    if (auth.scheme.toLowerCase() !== 'digest') continue
    if ((getParam(auth.params, 'response') ?? '') === '') continue
    return (getParam(auth.params, 'algorithm') ?? 'MD5').toUpperCase()
  }
  return undefined
}

/** R25: the answer that reached the S-CSCF used the algorithm the WIC chose from the first challenge. */
export function checkAnsweredWith(forwarded: readonly SipRequest[], algorithm: string, who: string): void {
  const answers = forwarded.map(digestAlgorithmOf).filter((a) => a !== undefined)
  const used = firstOf(
    answers,
    `a REGISTER from ${who} answering the challenge at the S-CSCF`,
    REGISTRATION.challengeOrder,
  )
  expectThat(
    used === algorithm,
    REGISTRATION.challengeOrder,
    () => `expected ${who} to answer with ${algorithm}, got ${used}`,
  )
}

/**
 * R21: the 200 (OK) the S-CSCF sent with P-Charging-Vector / P-Charging-Function-Addresses reaches the WIC without
 * them. The S-CSCF's 200 must exist (else there is nothing the eP-CSCF relayed, and nothing to judge as clean).
 */
export function checkNoChargingHeaders(relayed: SipResponse, scscfAnswers: readonly SipResponse[]): void {
  const req = REGISTRATION.noChargingToWic
  firstOf(
    scscfAnswers.filter((r) => r.status === 200),
    'a 200 OK from the S-CSCF (with charging headers) for the eP-CSCF to relay',
    req,
  )
  for (const name of ['P-Charging-Vector', 'P-Charging-Function-Addresses']) {
    expectThat(
      !relayed.has(name),
      req,
      () =>
        `expected no ${name} in the ${relayed.summary()} relayed to the WIC, got ${showHeader(relayed, name)}`,
      relayed,
    )
  }
}

/**
 * R39: a REGISTER in which the WIC chose `integrity-protected` either is refused with a 4xx (and then nothing of
 * it reached Mw with a non-digest value), or is forwarded without the WIC's value so that the S-CSCF challenged
 * before it registered. `mw` is every scenario request on Mw (support/checks/mw-traffic.ts).
 */
export function checkWicIntegrityNotTrusted(
  final: SipResponse,
  mw: readonly SipRequest[],
  scscfAnswers: readonly SipResponse[],
  claimed: string,
): void {
  const req = REGISTRATION.wicIntegrityIgnored
  const carrying = mw.filter((r) => {
    const { values, unparseable } = integrityProtectedValues(r)
    const claims = (value: string) =>
      value === claimed.toLowerCase() || (NOT_DIGEST as readonly string[]).includes(value)
    return unparseable.length > 0 || values.some(claims)
  })
  expectThat(
    carrying.length === 0,
    req,
    () =>
      `the WIC's integrity-protected="${claimed}" (or another non-digest value) reached the S-CSCF: ${carrying.map((r) => `${r.summary()} with ${showHeader(r, 'Authorization')}`).join('; ')}`,
  )
  if (final.status >= 400 && final.status < 500) return // refused instead of cleaned: an accepted alternative
  const statuses = scscfAnswers.map((r) => r.status)
  const ok = statuses.indexOf(200)
  const challenge = statuses.indexOf(401)
  expectThat(
    ok >= 0 && challenge >= 0 && challenge < ok,
    req,
    () =>
      `expected the eP-CSCF to refuse the REGISTER with a 4xx, or to forward it so that the S-CSCF challenges before registering; the WIC got ${final.summary()}, the S-CSCF answered ${statuses.join(', ') || 'nothing'}`,
    final,
  )
}
