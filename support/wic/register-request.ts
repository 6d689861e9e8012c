import { SipRequest } from '../sip/message.ts'
import { newBranch } from '../sip/ids.ts'

/**
 * What stays fixed for one WIC across all its REGISTERs ("one boot cycle", RFC 3261 §10.2): addresses,
 * instance, Call-ID and From tag.
 */
export interface WicIdentity {
  readonly impi: string
  readonly impu: string
  readonly domain: string
  /**
   * `<random>.invalid`: a browser cannot learn the address its WebSocket is bound to, so RFC 7118 (§5.2 and the
   * examples of §8) has the client put a random name in the `.invalid` TLD (RFC 2606) in the Via sent-by and
   * the Contact host; responses come back over the same connection (RFC 3261 §18.2.2), not to that name.
   */
  readonly viaHost: string
  readonly contactUser: string
  /** `urn:uuid:...` without angle brackets (RFC 5626 §4.1). */
  readonly instanceId: string
  readonly regId: number
  /** RFC 3261 §10.2: "A UA SHOULD use the same Call-ID for all registrations during a single boot cycle". */
  readonly callId: string
  readonly fromTag: string
  readonly userAgent: string
}

export interface RegisterParams {
  readonly cseq: number
  /** Contact expires (RFC 3261 §10.2.1.1); 0 de-registers (RFC 3261 §10.2.2) and adds `Expires: 0`. */
  readonly expires: number
  /**
   * Credentials, one header line each: Authorization (a Digest and a Bearer credential may both be present) or
   * Proxy-Authorization (the answer to a 407, RFC 3261 §22.3).
   */
  readonly credentials?: readonly (readonly ['Authorization' | 'Proxy-Authorization', string])[]
  readonly extraHeaders?: readonly (readonly [string, string])[]
  /** Defaults to a fresh branch (RFC 3261 §8.1.1.7). */
  readonly branch?: string
}

/** `sip:<domain>`: the REGISTER Request-URI "names the domain of the location service" (RFC 3261 §10.2). */
export function registrarUri(identity: Pick<WicIdentity, 'domain'>): string {
  return `sip:${identity.domain}`
}

/**
 * The Via of a WIC request: `SIP/2.0/WSS <random>.invalid;branch=...;rport`. RFC 7118 §5.2 defines the
 * transport token "WSS" for SIP over secure WebSocket; `rport` (RFC 3581 §3) asks for the source port.
 */
export function wicVia(identity: Pick<WicIdentity, 'viaHost'>, branch: string): string {
  return `SIP/2.0/WSS ${identity.viaHost};branch=${branch};rport`
}

/** The Contact URI: `sip:<user>@<random>.invalid;transport=ws;ob` (RFC 7118 §5.3 `transport=ws`, RFC 5626 `ob`). */
export function contactUri(identity: Pick<WicIdentity, 'contactUser' | 'viaHost'>): string {
  return `sip:${identity.contactUser}@${identity.viaHost};transport=ws;ob`
}

/**
 * The REGISTER Contact value. RFC 5626 §4.2: a UA that supports outbound "MUST include the +sip.instance
 * Contact header field parameter" and a `reg-id` unique for that instance and flow; the instance URN is
 * written `"<urn:uuid:...>"` (RFC 5626 §4.1, RFC 5627 §3.1 grammar `LDQUOT "<" instance-val ">" RDQUOT`).
 */
export function registerContact(identity: WicIdentity, expires?: number): string {
  const base = `<${contactUri(identity)}>;+sip.instance="<${identity.instanceId}>";reg-id=${identity.regId}`
  return expires === undefined ? base : `${base};expires=${expires}`
}

/**
 * Builds one REGISTER of the WIC (RFC 3261 §10.2 with RFC 7118 and RFC 5626):
 * - Request-URI `sip:<domain>`, To and From the IMPU (RFC 3261 §10.2: To "contains the address of record",
 *   From the same for a self-registration), From tagged, To not;
 * - Call-ID constant, CSeq given by the caller (incremented for each REGISTER, RFC 3261 §10.2);
 * - `Supported: path, outbound, gruu`: RFC 5626 §4.2 ("the UAC MUST include the 'outbound' option tag in a
 *   Supported header field"), RFC 3327 §5.1 (path: the edge proxy needs it to record a Path), RFC 5627 §4.1;
 * - Max-Forwards 70 (RFC 3261 §8.1.1.6), Content-Length 0.
 */
export function buildRegister(identity: WicIdentity, params: RegisterParams): SipRequest {
  const request = new SipRequest({ method: 'REGISTER', uri: registrarUri(identity) })
  request
    .append('Via', wicVia(identity, params.branch ?? newBranch()))
    .append('Max-Forwards', '70')
    .append('From', `<${identity.impu}>;tag=${identity.fromTag}`)
    .append('To', `<${identity.impu}>`)
    .append('Call-ID', identity.callId)
    .append('CSeq', `${params.cseq} REGISTER`)
    .append('Contact', registerContact(identity, params.expires))
  // RFC 3261 §10.2.2: "A UA requests the immediate removal of a binding by specifying an expiration interval
  // of "0" for that contact address"; the Expires header field says the same for registrars that only read it.
  if (params.expires === 0) request.append('Expires', '0')
  for (const [name, value] of params.credentials ?? []) request.append(name, value)
  request.append('Supported', 'path, outbound, gruu').append('User-Agent', identity.userAgent)
  for (const [name, value] of params.extraHeaders ?? []) request.append(name, value)
  request.append('Content-Length', '0')
  return request
}
