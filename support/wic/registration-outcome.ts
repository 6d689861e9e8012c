import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseNameAddrList, formatNameAddr, type NameAddr } from '../sip/name-addr.ts'
import { getParam } from '../sip/params.ts'
import type { WicIdentity } from './register-request.ts'

/** What one `register()` / `reRegister()` / `deregister()` saw. 4xx-6xx finals are outcomes, not errors. */
export interface RegistrationOutcome {
  /** The final response that ended the registration (after any challenge was answered). */
  readonly final: SipResponse
  /** The 401 / 407 that was answered with credentials, if there was one (the first, when several). */
  readonly challenge?: SipResponse | undefined
  /** Every final response received, in order (e.g. [401, 200]). */
  readonly attempts: readonly SipResponse[]
  /** Every REGISTER sent, in order, as built (CSeq, Authorization etc. can be asserted on). */
  readonly requests: readonly SipRequest[]
}

/** The WIC's binding as the last 2xx to REGISTER reported it (RFC 3261 §10.2.4, RFC 5627 §4.2). */
export interface RegistrationBinding {
  /** Seconds granted: the expires of our Contact in the 2xx, else its Expires header field. */
  readonly expires: number | undefined
  /** The Contact entry of the 2xx that is ours (same +sip.instance and reg-id, or same URI). */
  readonly contact: string | undefined
  readonly pubGruu: string | undefined
  readonly tempGruu: string | undefined
}

/** All entries of every line of a header holding a list of name-addrs (Contact, Service-Route, ...). */
export function nameAddrsOf(message: SipResponse, header: string): NameAddr[] {
  return message.getAll(header).flatMap((line) => parseNameAddrList(line))
}

/**
 * RFC 3608 §6.1: the UA stores the Service-Route of the 2xx to REGISTER and uses it as the preloaded Route of
 * its requests; a later 2xx replaces it. Returned as name-addr strings, e.g. `<sip:orig@127.0.0.1:5070;lr>`.
 */
export function serviceRouteOf(response: SipResponse): string[] {
  return nameAddrsOf(response, 'Service-Route').map((n) => formatNameAddr(n))
}

/** RFC 7315 §4.1 (formerly RFC 3455): the IMPUs implicitly registered, as URIs, default one first. */
export function associatedUrisOf(response: SipResponse): string[] {
  return nameAddrsOf(response, 'P-Associated-URI').map((n) => n.uri.raw)
}

/** The binding of `identity` in a 2xx to REGISTER (RFC 3261 §10.2.4: the 2xx lists the current bindings). */
export function bindingOf(
  response: SipResponse,
  identity: WicIdentity,
  contactUri: string,
): RegistrationBinding {
  const contacts = nameAddrsOf(response, 'Contact')
  const wantedInstance = `<${identity.instanceId}>`.toLowerCase()
  const ours =
    contacts.find(
      (c) =>
        getParam(c.params, '+sip.instance')?.toLowerCase() === wantedInstance &&
        getParam(c.params, 'reg-id') === String(identity.regId),
    ) ??
    contacts.find((c) => getParam(c.params, '+sip.instance')?.toLowerCase() === wantedInstance) ??
    contacts.find((c) => c.uri.raw.toLowerCase() === contactUri.toLowerCase())
  const expiresText = (ours && getParam(ours.params, 'expires')) ?? response.get('Expires')
  const expires = expiresText === undefined ? undefined : Number.parseInt(expiresText, 10)
  return {
    expires: expires === undefined || Number.isNaN(expires) ? undefined : expires,
    contact: ours ? formatNameAddr(ours) : undefined,
    pubGruu: ours ? getParam(ours.params, 'pub-gruu') : undefined,
    tempGruu: ours ? getParam(ours.params, 'temp-gruu') : undefined,
  }
}
