import { getParam, hasParam } from '../sip/params.ts'
import { parseAuthValue } from '../sip/auth.ts'
import { parseCSeq } from '../sip/cseq.ts'
import { parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import type { SipRequest } from '../sip/message.ts'
import { viasOf } from '../sip/via.ts'
import { adviseThat, expectThat, nonEmpty, showHeader } from './expectations.ts'
import { REGISTRATION } from './requirements-registration.ts'

/**
 * Checks of a REGISTER the eP-CSCF forwarded to the S-CSCF against the one the WIC sent (TS 24.229 §5.2.2). The
 * legitimate variations of the catalogue's Appendix B.1 pass: a two-stage eP-CSCF (several Vias) and topology
 * hiding are profile options, the Path host may be a name the profile maps to the eP-CSCF's Mw address, the flow
 * token may take any form (judged by behaviour), a Contact may be rewritten if +sip.instance and reg-id stay.
 */

/** How the eP-CSCF appears on Mw (profile `epcscf.topology`): its number of Vias and whether it hides the WIC's. */
export interface Topology {
  readonly vias: number
  readonly hiding: boolean
}

/** The eP-CSCF's Mw address, and host names the profile maps to addresses (`scscf.hostnames`). */
export interface MwIdentity {
  readonly address: string
  readonly port: number
  readonly hostnames: Readonly<Record<string, string>>
}

/** R19, RFC 3261 §16.6 step 8: the eP-CSCF's own Via (or Vias, two-stage) on top; the WIC's below unless hidden. */
export function checkOwnViaOnTop(sent: SipRequest, forwarded: SipRequest, topology: Topology): void {
  const req = REGISTRATION.ownVia
  const sentVias = viasOf(sent)
  const fwdVias = viasOf(forwarded)
  const wicVia = sentVias[0]
  const own = fwdVias.slice(0, topology.vias)
  expectThat(
    own.length === topology.vias &&
      own.every((via) => via.branch !== wicVia?.branch && !/^WSS?$/i.test(via.transport)),
    req,
    () =>
      `expected ${topology.vias} Via(s) of the eP-CSCF (Mw transport, a branch of its own) on top of the REGISTER at the S-CSCF, got ${showHeader(forwarded, 'Via')} (the WIC's is ${wicVia?.raw ?? 'none'})`,
    forwarded,
  )
  if (topology.hiding) return // the eP-CSCF may hide or encrypt the Vias below its own (profile option)
  expectThat(
    fwdVias.length === sentVias.length + topology.vias,
    req,
    () =>
      `expected ${sentVias.length + topology.vias} Vias at the S-CSCF (the eP-CSCF's ${topology.vias} on top of the WIC's ${sentVias.length}), got ${fwdVias.length}: ${showHeader(forwarded, 'Via')} (a two-stage eP-CSCF or one that hides topology is described by profile epcscf.topology)`,
    forwarded,
  )
  const below = fwdVias[topology.vias]
  expectThat(
    below?.branch === wicVia?.branch && below?.host === wicVia?.host,
    req,
    () => `expected the WIC's Via (${wicVia?.raw}) right below the eP-CSCF's, got ${below?.raw ?? 'none'}`,
  )
}

/**
 * R19 on what reached the S-CSCF alone (when the WIC's own REGISTER is not at hand, e.g. after a timeout): the top
 * Via(s) are the eP-CSCF's on Mw, not the WIC's WebSocket Via (`WS`/`WSS`, RFC 7118 §5.2).
 */
export function checkTopViaOnMw(forwarded: SipRequest, topology: Topology): void {
  const own = viasOf(forwarded).slice(0, topology.vias)
  expectThat(
    own.length === topology.vias && own.every((via) => !/^WSS?$/i.test(via.transport)),
    REGISTRATION.ownVia,
    () =>
      `the REGISTER reached the S-CSCF without the eP-CSCF's Via on top, so no response can come back through it: ${showHeader(forwarded, 'Via')}`,
    forwarded,
  )
}

/**
 * R19, RFC 3261 §16.6 step 3: Max-Forwards one less per proxy stage (a two-stage eP-CSCF decrements twice). An
 * eP-CSCF that hides topology (profile epcscf.topology.hiding, a B2BUA-like edge) may lower it by more: then any
 * 0 < after < before passes (the MUST is that it decreases, so that loops end).
 */
export function checkMaxForwardsDecremented(
  sent: SipRequest,
  forwarded: SipRequest,
  stages = 1,
  hiding = false,
): void {
  const before = Number(sent.get('Max-Forwards'))
  const after = Number(forwarded.get('Max-Forwards'))
  expectThat(
    hiding ? after > 0 && after < before : after === before - stages,
    REGISTRATION.maxForwards,
    () =>
      `expected Max-Forwards ${hiding ? `between 1 and ${before - 1}` : before - stages} at the S-CSCF (the WIC sent ${before}, ${stages} proxy stage(s)${hiding ? ', topology hiding' : ''}), got ${forwarded.get('Max-Forwards') ?? 'none'}`,
    forwarded,
  )
}

/** The top Path entry of a REGISTER, or a failure naming what arrived (R15). */
export function topPath(forwarded: SipRequest): NameAddr {
  const paths = forwarded.getAll('Path').flatMap((v) => parseNameAddrList(v))
  const top = paths[0]
  expectThat(
    top !== undefined,
    REGISTRATION.path,
    () => `expected a Path header in the REGISTER at the S-CSCF, got ${showHeader(forwarded, 'Path')}`,
    forwarded,
  )
  return top
}

/**
 * Whether a Path URI routes to the eP-CSCF's Mw address: the address itself, or a host name the profile maps to it
 * (`scscf.hostnames`, values `address` or `address:port`). A name may come without a port (RFC 3263 resolution).
 */
export function routesToEpcscf(uri: NameAddr['uri'], mw: MwIdentity): boolean {
  const host = uri.host.replace(/^\[|\]$/g, '').toLowerCase()
  const mapped = Object.entries(mw.hostnames).find(([name]) => name.toLowerCase() === host)?.[1]
  if (mapped === undefined) return host === mw.address.toLowerCase() && (uri.port ?? 5060) === mw.port
  const [, address = mapped, port] = mapped.match(/^\[?([^\]]*?)\]?(?::(\d+))?$/) ?? []
  const wantedPort = uri.port ?? (port === undefined ? mw.port : Number(port))
  return address.toLowerCase() === mw.address.toLowerCase() && wantedPort === mw.port
}

/**
 * R15: the forwarded REGISTER's top Path routes back to the eP-CSCF (TS 24.229 §5.2.2.1). The flow token's form is
 * the eP-CSCF's choice (RFC 5626 §5.1 [R]); that the Path reaches the WebSocket is checked by sending along it.
 * `lr` is a SHOULD here (RFC 3261 §19.1.1 [R]): a missing `lr` shows up in that behaviour too.
 */
export function checkPathToEpcscf(forwarded: SipRequest, mw: MwIdentity): void {
  const top = topPath(forwarded)
  expectThat(
    routesToEpcscf(top.uri, mw),
    REGISTRATION.path,
    () =>
      `expected the top Path to route to the eP-CSCF's Mw address ${mw.address}:${mw.port}${Object.keys(mw.hostnames).length > 0 ? ` (or a name of profile scscf.hostnames mapped to it)` : ''}, got ${top.raw}`,
  )
  adviseThat(
    hasParam(top.uri.params, 'lr'),
    REGISTRATION.pathLooseRoute,
    () => `the Path URI is not marked as a loose route (;lr): ${top.raw}`,
  )
}

/** R16: "Require: path" when the P-CSCF inserted a Path (TS 24.229 §5.2.2.1, TS 24.228 R1-1c). */
export function checkRequireOption(forwarded: SipRequest, option: string): void {
  const options = forwarded
    .getAll('Require')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim().toLowerCase())
  expectThat(
    options.includes(option),
    REGISTRATION.requirePath,
    () =>
      `expected "Require: ${option}" in the REGISTER at the S-CSCF, got ${showHeader(forwarded, 'Require')}`,
    forwarded,
  )
}

/** R18: every forwarded REGISTER (there must be one) has a P-Charging-Vector with an icid-value of its own. */
export function checkChargingVectors(forwarded: readonly SipRequest[]): void {
  const req = REGISTRATION.chargingVector
  const icids: string[] = []
  for (const request of nonEmpty(forwarded, 'REGISTER at the S-CSCF (from the eP-CSCF)', req)) {
    const pcv = request.get('P-Charging-Vector')
    const icid = pcv?.match(/(?:^|;)\s*icid-value\s*=\s*("?)([^";\s]+)\1/i)?.[2]
    expectThat(
      icid !== undefined,
      req,
      () =>
        `expected a P-Charging-Vector with an icid-value on ${request.summary()} (CSeq ${request.get('CSeq')}), got ${showHeader(request, 'P-Charging-Vector')}`,
      request,
    )
    icids.push(icid)
  }
  expectThat(
    new Set(icids).size === icids.length,
    req,
    () => `expected a fresh icid-value per REGISTER, got ${icids.join(', ')}`,
  )
}

/**
 * R19: the Contact's +sip.instance and reg-id reach the S-CSCF as the WIC wrote them (the registrar identifies the
 * flow by them, RFC 5626 §6). The Contact URI itself may be rewritten consistently with the Path (e.g. `;alias=`,
 * catalogue B.1): that is accepted, and the terminating scenarios judge where requests to it arrive.
 */
export function checkContactKeepsInstance(sent: SipRequest, forwarded: SipRequest): void {
  const req = REGISTRATION.contactInstance
  const [mine] = parseNameAddrList(sent.get('Contact') ?? '')
  const [theirs] = parseNameAddrList(forwarded.get('Contact') ?? '')
  expectThat(
    mine !== undefined && theirs !== undefined,
    req,
    () => `expected a Contact at the S-CSCF, got ${showHeader(forwarded, 'Contact')}`,
    forwarded,
  )
  for (const name of ['+sip.instance', 'reg-id']) {
    const want = getParam(mine.params, name)
    const got = getParam(theirs.params, name)
    expectThat(
      want === got,
      req,
      () => `expected Contact ${name}=${want} unchanged at the S-CSCF, got ${got ?? 'no ' + name}`,
    )
  }
}

/** The header fields that carry credentials (RFC 3261 §22.2 and §22.3): both may hold an `integrity-protected`. */
const CREDENTIAL_HEADERS = ['Authorization', 'Proxy-Authorization'] as const

/**
 * Every `integrity-protected` value of a request's Authorization and Proxy-Authorization values (quoted or not:
 * both seen in practice), lower-case, and the raw values that do not parse but name `integrity-protected` (what the
 * S-CSCF makes of those cannot be known, so the checks count them against the eP-CSCF).
 */
export function integrityProtectedValues(request: SipRequest): { values: string[]; unparseable: string[] } {
  const values: string[] = []
  const unparseable: string[] = []
  for (const name of CREDENTIAL_HEADERS)
    for (const value of request.getAll(name)) {
      let ip: string | undefined
      try {
        ip = getParam(parseAuthValue(value).params, 'integrity-protected')
      } catch {
        if (/integrity-protected/i.test(value)) unparseable.push(`${name}: ${value}`)
        continue
      }
      if (ip !== undefined) values.push(ip.toLowerCase())
    }
  return { values, unparseable }
}

/** The first `integrity-protected` value of a REGISTER's Authorization or Proxy-Authorization, or undefined. */
export function integrityProtectedOf(request: SipRequest): string | undefined {
  return integrityProtectedValues(request).values[0]
}

/** Whether the REGISTER answers a challenge: a Digest Authorization with a non-empty `response` (RFC 7616 §3.4). */
function answersChallenge(request: SipRequest): boolean {
  return request.getAll('Authorization').some((value) => {
    try {
      const auth = parseAuthValue(value)
      return auth.scheme.toLowerCase() === 'digest' && (getParam(auth.params, 'response') ?? '') !== ''
    } catch {
      return false
    }
  })
}

/** Values that claim another scheme: IMS AKA (`yes`, `no`), AKA over TLS (`tls-connected`), TNA (`auth-done`). */
export const NOT_DIGEST = ['yes', 'no', 'tls-connected', 'auth-done'] as const

/** The digest values of TS 24.229 §7.2A.2 [R]: absent, tls-pending/tls-yes, ip-assoc-pending/ip-assoc-yes. */
export const DIGEST_VALUES = ['absent', 'tls-pending', 'tls-yes', 'ip-assoc-pending', 'ip-assoc-yes'] as const

/**
 * R26, TS 33.203 P.4.2 / TS 24.229 §7.2A.2: every digest REGISTER on Mw (there must be one) carries no AKA or TNA
 * value (in Authorization or Proxy-Authorization; an unparseable value naming integrity-protected fails too), and
 * one of the digest values the profile accepts. `absent` is always accepted on a REGISTER that answers no challenge
 * (an initial one): there is nothing yet for the eP-CSCF to qualify, whatever the profile lists.
 */
export function checkDigestIntegrityProtected(
  forwarded: readonly SipRequest[],
  allowed: readonly string[] = DIGEST_VALUES,
): void {
  for (const request of nonEmpty(forwarded, 'REGISTER at the S-CSCF', REGISTRATION.digestIntegrity)) {
    const { values, unparseable } = integrityProtectedValues(request)
    expectThat(
      unparseable.length === 0,
      REGISTRATION.digestIntegrity,
      () =>
        `a digest REGISTER reached the S-CSCF with an integrity-protected the S-CSCF cannot read (CSeq ${request.get('CSeq')}): ${unparseable.join(' | ')}`,
      request,
    )
    for (const value of values.length === 0 ? ['absent'] : values) {
      expectThat(
        !(NOT_DIGEST as readonly string[]).includes(value),
        REGISTRATION.digestIntegrity,
        () =>
          `a digest REGISTER reached the S-CSCF with integrity-protected="${value}" (CSeq ${request.get('CSeq')}), which claims another authentication scheme`,
        request,
      )
      expectThat(
        allowed.includes(value) || (value === 'absent' && !answersChallenge(request)),
        REGISTRATION.digestIntegrityProfile,
        () =>
          `expected integrity-protected to be one of ${allowed.join(', ')}, got ${value} (CSeq ${request.get('CSeq')})`,
        request,
      )
    }
  }
}

/**
 * R46: a refresh keeps the Call-ID (unless the profile says the eP-CSCF hides topology) with a higher CSeq: the
 * proxy forwards a copy (RFC 3261 §16.6 step 1; §10.2.4 is the UA's duty) and the registrar orders CSeq within a
 * Call-ID (§10.3 step 7); its Path still routes to the same eP-CSCF host and port; the flow token may be new
 * (catalogue B.1: RFC 3327 / RFC 5626 leave it to the proxy).
 */
export function checkRefresh(first: SipRequest, refresh: SipRequest, topology?: Topology): void {
  const req = REGISTRATION.refresh
  // A proxy keeps the UA's Call-ID; one that hides topology (a B2BUA, catalogue B.1) may map it to its own.
  expectThat(
    topology?.hiding === true || first.get('Call-ID') === refresh.get('Call-ID'),
    req,
    () => `expected the refresh with Call-ID ${first.get('Call-ID')}, got ${refresh.get('Call-ID')}`,
    refresh,
  )
  // RFC 3261 §10.3 step 7 orders CSeq within one Call-ID only: a Call-ID the eP-CSCF mapped anew has its own.
  const a = parseCSeq(first.get('CSeq') ?? '')
  const b = parseCSeq(refresh.get('CSeq') ?? '')
  const sameCallId = first.get('Call-ID') === refresh.get('Call-ID')
  expectThat(!sameCallId || b.seq > a.seq, req, () => `expected a higher CSeq than ${a.seq}, got ${b.seq}`)
  const before = topPath(first).uri
  const after = topPath(refresh).uri
  expectThat(
    before.host.toLowerCase() === after.host.toLowerCase() && (before.port ?? 5060) === (after.port ?? 5060),
    req,
    () =>
      `expected the refresh's Path to route to the same eP-CSCF: first ${showHeader(first, 'Path')}, refresh ${showHeader(refresh, 'Path')}`,
    refresh,
  )
}
