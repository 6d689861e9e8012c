import { getParam } from '../sip/params.ts'
import { parseAuthValue } from '../sip/auth.ts'
import { parseCSeq } from '../sip/cseq.ts'
import { parseNameAddrList } from '../sip/name-addr.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { viasOf } from '../sip/via.ts'
import { expectThat, showHeader } from './expectations.ts'

/** Checks of a REGISTER the eP-CSCF forwarded to the S-CSCF against the one the WIC sent (TS 24.229 §5.2.2). */

/** RFC 3261 §16.6 step 8: "The proxy MUST insert a Via header field value into the copy before the existing Via". */
export function checkOwnViaOnTop(sent: SipRequest, forwarded: SipRequest): void {
  const requirement = 'RFC 3261 §16.6 step 8'
  const sentVias = viasOf(sent)
  const fwdVias = viasOf(forwarded)
  const top = fwdVias[0]
  const wicVia = sentVias[0]
  expectThat(
    fwdVias.length === sentVias.length + 1,
    requirement,
    () =>
      `expected the forwarded REGISTER to have ${sentVias.length + 1} Vias (the eP-CSCF's on top of the WIC's), got ${fwdVias.length}: ${showHeader(forwarded, 'Via')}`,
  )
  expectThat(
    top !== undefined &&
      wicVia !== undefined &&
      top.branch !== wicVia.branch &&
      top.transport.toUpperCase() !== 'WSS',
    requirement,
    () =>
      `expected the eP-CSCF's own Via on top, got ${top?.raw ?? 'none'} (the WIC's is ${wicVia?.raw ?? 'none'})`,
  )
  const second = fwdVias[1]
  expectThat(
    second?.branch === wicVia?.branch && second?.host === wicVia?.host,
    requirement,
    () => `expected the WIC's Via (${wicVia?.raw}) right below the eP-CSCF's, got ${second?.raw ?? 'none'}`,
  )
}

/** RFC 3261 §16.6 step 3: "the proxy MUST decrement the Max-Forwards value by one (1)". */
export function checkMaxForwardsDecremented(sent: SipRequest, forwarded: SipRequest): void {
  const before = Number(sent.get('Max-Forwards'))
  const after = Number(forwarded.get('Max-Forwards'))
  expectThat(
    after === before - 1,
    'RFC 3261 §16.6 step 3',
    () =>
      `expected Max-Forwards ${before - 1} at the S-CSCF (the WIC sent ${before}), got ${forwarded.get('Max-Forwards') ?? 'none'}`,
  )
}

/**
 * RFC 3327 §5 / TS 24.229 §5.2.2.1: the P-CSCF "shall insert a Path header field ... containing the SIP URI
 * identifying the P-CSCF", with a flow token or `ob` so that terminating requests reach the same flow (RFC 5626 §5.3).
 */
export function checkPathToEpcscf(forwarded: SipRequest, mw: { address: string; port: number }): void {
  const requirement = 'RFC 3327 §4, TS 24.229 §5.2.2.1'
  const paths = forwarded.getAll('Path').flatMap((v) => parseNameAddrList(v))
  const top = paths[0]
  expectThat(
    top !== undefined,
    requirement,
    () => `expected a Path header in the REGISTER at the S-CSCF, got ${showHeader(forwarded, 'Path')}`,
  )
  const uri = top.uri
  const port = uri.port ?? 5060
  expectThat(
    uri.host === mw.address && port === mw.port,
    requirement,
    () =>
      `expected the top Path to route to the eP-CSCF's Mw address ${mw.address}:${mw.port}, got ${top.raw}`,
  )
  expectThat(
    uri.params.some((p) => p.name.toLowerCase() === 'lr'),
    'RFC 3261 §19.1.1',
    () => `expected the Path URI to be a loose route (;lr), got ${top.raw}`,
  )
  expectThat(
    uri.user !== undefined || uri.params.some((p) => p.name.toLowerCase() === 'ob'),
    'RFC 5626 §5.3',
    () =>
      `expected the Path URI to carry a flow token (user part) or ;ob so terminating requests reach the same WebSocket, got ${top.raw}`,
  )
}

/** RFC 3327 §5 / TS 24.229 §5.2.2.1: "Require: path" when the P-CSCF inserted a Path. */
export function checkRequireOption(forwarded: SipRequest, option: string): void {
  const options = forwarded
    .getAll('Require')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim().toLowerCase())
  expectThat(
    options.includes(option),
    'RFC 3327 §5, TS 24.229 §5.2.2.1',
    () =>
      `expected "Require: ${option}" in the REGISTER at the S-CSCF, got ${showHeader(forwarded, 'Require')}`,
  )
}

/** RFC 7315 §4.6 / TS 24.229 §5.2.2.1: a P-Charging-Vector with an icid-value, fresh per request. */
export function checkChargingVectors(forwarded: readonly SipRequest[]): void {
  const requirement = 'RFC 7315 §4.6, TS 24.229 §5.2.2.1'
  const icids: string[] = []
  for (const request of forwarded) {
    const pcv = request.get('P-Charging-Vector')
    const icid = pcv?.match(/(?:^|;)\s*icid-value\s*=\s*("?)([^";\s]+)\1/i)?.[2]
    expectThat(
      icid !== undefined,
      requirement,
      () =>
        `expected a P-Charging-Vector with an icid-value on ${request.summary()} (CSeq ${request.get('CSeq')}), got ${showHeader(request, 'P-Charging-Vector')}`,
    )
    icids.push(icid)
  }
  expectThat(
    new Set(icids).size === icids.length,
    requirement,
    () => `expected a fresh icid-value per REGISTER, got ${icids.join(', ')}`,
  )
}

/** RFC 5626 §4.2, RFC 3261 §16.6: the proxy leaves the Contact, its +sip.instance and reg-id as the UA wrote them. */
export function checkContactUntouched(sent: SipRequest, forwarded: SipRequest): void {
  const requirement = 'RFC 3261 §16.6, RFC 5626 §4.2'
  const [mine] = parseNameAddrList(sent.get('Contact') ?? '')
  const [theirs] = parseNameAddrList(forwarded.get('Contact') ?? '')
  expectThat(
    mine !== undefined && theirs !== undefined,
    requirement,
    () => `expected a Contact at the S-CSCF, got ${showHeader(forwarded, 'Contact')}`,
  )
  expectThat(
    mine.uri.raw === theirs.uri.raw,
    requirement,
    () => `expected the Contact URI ${mine.uri.raw} unchanged, got ${theirs.uri.raw}`,
  )
  for (const name of ['+sip.instance', 'reg-id']) {
    const want = getParam(mine.params, name)
    const got = getParam(theirs.params, name)
    expectThat(
      want === got,
      requirement,
      () => `expected Contact ${name}=${want} unchanged, got ${got ?? 'no ' + name}`,
    )
  }
}

/** The `integrity-protected` value of a REGISTER's Authorization (quoted or not: both seen in practice), or undefined. */
export function integrityProtectedOf(request: SipRequest): string | undefined {
  for (const value of request.getAll('Authorization')) {
    const auth = parseAuthValue(value)
    const ip = getParam(auth.params, 'integrity-protected')
    if (ip !== undefined) return ip.toLowerCase()
  }
  return undefined
}

/**
 * TS 33.203 P.4 / TS 24.229 §5.4.1.2.2: `yes`/`no` mean IMS AKA, `tls-connected` AKA over TLS, `auth-done` TNA.
 * A digest REGISTER on Mw carries none of them; the profile says which digest values (absent, tls-*) it allows.
 */
export function checkDigestIntegrityProtected(
  forwarded: readonly SipRequest[],
  allowed: readonly string[],
): void {
  for (const request of forwarded) {
    const value = integrityProtectedOf(request) ?? 'absent'
    expectThat(
      !['yes', 'no', 'tls-connected', 'auth-done'].includes(value),
      'TS 33.203 P.4, TS 24.229 §5.4.1.2.2',
      () =>
        `a digest REGISTER reached the S-CSCF with integrity-protected="${value}" (CSeq ${request.get('CSeq')}), which claims another authentication scheme`,
    )
    expectThat(
      allowed.includes(value),
      'TS 24.229 §7.2A.2 (profile epcscf.digest.integrityProtected)',
      () =>
        `expected integrity-protected to be one of ${allowed.join(', ')}, got ${value} (CSeq ${request.get('CSeq')})`,
    )
  }
}

/** RFC 3261 §16.7: the proxy relays the 401 as the S-CSCF sent it (the challenge is end to end). */
export function checkChallengeUnchanged(sentByScscf: SipResponse, receivedByWic: SipResponse): void {
  const requirement = 'RFC 3261 §16.7, TS 24.229 §5.2.2.1'
  expectThat(
    receivedByWic.status === sentByScscf.status,
    requirement,
    () =>
      `expected the WIC to receive ${sentByScscf.status}, got ${receivedByWic.status} ${receivedByWic.reason}`,
  )
  const want = sentByScscf.getAll('WWW-Authenticate')
  const got = receivedByWic.getAll('WWW-Authenticate')
  expectThat(
    JSON.stringify(want) === JSON.stringify(got),
    requirement,
    () =>
      `expected the challenge unchanged:\n  sent by the S-CSCF:  ${want.join('\n                       ')}\n  received by the WIC: ${got.join('\n                       ') || '(none)'}`,
  )
}

/** RFC 3261 §10.2.4: a refresh reuses the Call-ID with a higher CSeq; RFC 3327 §5: the Path stays the same. */
export function checkRefresh(first: SipRequest, refresh: SipRequest): void {
  const requirement = 'RFC 3261 §10.2.4, RFC 3327 §5'
  expectThat(
    first.get('Call-ID') === refresh.get('Call-ID'),
    requirement,
    () => `expected the refresh with Call-ID ${first.get('Call-ID')}, got ${refresh.get('Call-ID')}`,
  )
  const a = parseCSeq(first.get('CSeq') ?? '')
  const b = parseCSeq(refresh.get('CSeq') ?? '')
  expectThat(b.seq > a.seq, requirement, () => `expected a higher CSeq than ${a.seq}, got ${b.seq}`)
  expectThat(
    JSON.stringify(first.getAll('Path')) === JSON.stringify(refresh.getAll('Path')),
    requirement,
    () =>
      `expected the same Path on the refresh: first ${showHeader(first, 'Path')}, refresh ${showHeader(refresh, 'Path')}`,
  )
}

/** The Digest algorithm a REGISTER's Authorization answered with (MD5 when absent, RFC 7616 §3.4). */
export function digestAlgorithmOf(request: SipRequest): string | undefined {
  for (const value of request.getAll('Authorization')) {
    const auth = parseAuthValue(value)
    if (auth.scheme.toLowerCase() !== 'digest') continue
    if ((getParam(auth.params, 'response') ?? '') === '') continue
    return (getParam(auth.params, 'algorithm') ?? 'MD5').toUpperCase()
  }
  return undefined
}

/** The algorithms of a 401's challenges, in order. */
export function challengeAlgorithms(response: SipResponse): string[] {
  return response
    .getAll('WWW-Authenticate')
    .map((v) => (getParam(parseAuthValue(v).params, 'algorithm') ?? 'MD5').toUpperCase())
}

/**
 * TS 24.229 §5.2.2.1 / RFC 7315 §4.5, §4.6: P-Charging-Vector and P-Charging-Function-Addresses are for the trust
 * domain; the P-CSCF removes them before the 200 (OK) reaches the UE.
 */
export function checkNoChargingHeaders(relayed: SipResponse): void {
  for (const name of ['P-Charging-Vector', 'P-Charging-Function-Addresses']) {
    expectThat(
      !relayed.has(name),
      'TS 24.229 §5.2.2.1, RFC 7315 §4.5',
      () =>
        `expected no ${name} in the ${relayed.summary()} relayed to the WIC, got ${showHeader(relayed, name)}`,
    )
  }
}
