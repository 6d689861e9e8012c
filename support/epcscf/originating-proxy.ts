import type { SipRequest } from '../sip/message.ts'
import { parseNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { hasParam } from '../sip/params.ts'
import { formatUri } from '../sip/uri.ts'
import { insertChargingVector } from './charging.ts'
import { dropWicAssertions } from './untrusted-headers.ts'
import type { Faults } from './faults.ts'
import { inDialogRefusal } from './in-dialog-guard.ts'
import { applyMediaPolicy } from './media-policy.ts'
import { anchorOfferTowardCore } from './media-anchoring.ts'
import { insertRecordRoute } from './record-route.ts'
import {
  addressUri,
  hostPort,
  routesOf,
  setHeader,
  setRoutes,
  transportParam,
  type SelfAddress,
} from './proxy-rules.ts'
import type { Registration, Registrations } from './registrations.ts'
import type { Variants } from './variants.ts'
import type { WicConnection } from './wic-connections.ts'

/**
 * Non-REGISTER requests from a WIC toward the IMS core (TR 23.701 X.2.2: "standard IMS procedures", the eP-CSCF in
 * the P-CSCF's place; TS 24.229 §5.2.6.3). The caller has validated the request, stamped its Via, removed this
 * proxy's own Route values and decremented Max-Forwards.
 */

export interface OriginatingOptions {
  readonly self: SelfAddress
  readonly registrations: Registrations
  readonly faults: Faults
  readonly variants: Variants
}

export type Origination =
  { readonly kind: 'forward' } | { readonly kind: 'reject'; status: number; reason: string }

/** Methods whose requests create a dialog (RFC 3261 §12, RFC 6665 §4.1.2 for SUBSCRIBE, RFC 3515 for REFER). */
export const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/** The Record-Route value of this proxy for a connection: its flow token, so both directions find the WebSocket. */
export function recordRouteValue(connection: WicConnection, self: SelfAddress): string {
  return `<sip:${connection.token}@${hostPort(self.mwHost, self.mwPort)}${transportParam(self)};lr>`
}

/**
 * Prepares `request` (the copy to forward) in place. `ownRoutes` are the Route values naming this proxy that the
 * caller removed: an in-dialog request must have come through a Record-Route of this proxy.
 */
export function prepareOriginating(
  request: SipRequest,
  connection: WicConnection,
  ownRoutes: readonly NameAddr[],
  opts: OriginatingOptions,
): Origination {
  const { faults, self } = opts
  const inDialog = toTag(request) !== undefined

  if (inDialog) {
    // TS 24.229 §5.2.6.3.5: a subsequent request that does not relate to a dialog the originator is involved in is
    // answered with an error (Kamailio: "403 Forbidden - Originating subsequent requests outside dialog not
    // allowed"). A dialog this proxy is on has its Record-Route, so the WIC's route set starts with it, and its
    // flow token names the one WebSocket that may use it (in-dialog-guard.ts).
    const refusal = inDialogRefusal(request, connection, ownRoutes, faults)
    if (refusal !== undefined) return refusal
    dropUntrustedIdentity(request, faults)
    return { kind: 'forward' }
  }

  const registration = pickRegistration(request, opts.registrations.forConnection(connection.id))
  if (registration === undefined && !faults.has('accept-unregistered')) {
    // TS 24.229 §5.2.6.3.1: requests from a UE that is not registered are refused (Kamailio: "403 Forbidden - You
    // must register first with a S-CSCF"); "registered" means on this very WebSocket connection.
    return { kind: 'reject', status: 403, reason: 'Forbidden - You must register first with a S-CSCF' }
  }

  if (
    registration !== undefined &&
    opts.variants.has('enforce-service-route') &&
    !followsServiceRoute(request, registration)
  ) {
    // The `enforce-service-route` variant, as Kamailio IMS mo.cfg does. TS 24.229 §5.2.6.3.2 (reasoned from
    // memory; catalogue Appendix B.1 [R]): when the preloaded Route does not match the Service-Route of the last
    // registration, the P-CSCF shall either replace it with the Service-Route (what the reference does by
    // default) or "reject the request by returning a 400 (Bad Request) response".
    return { kind: 'reject', status: 400, reason: 'Bad Request - Not following indicated service routes' }
  }

  if (registration !== undefined && !faults.has('no-service-route')) {
    // The P-CSCF routes originating requests along the Service-Route learned at registration, in the order
    // received (RFC 3608 §6, TS 24.229 §5.2.6.3.2); a route the WIC preloaded is replaced by it.
    // The `preloaded-route-kept` fault: the Service-Route goes on top and the WIC's own Route values stay below it.
    const kept = faults.has('preloaded-route-kept') ? routesOf(request) : []
    setRoutes(request, [...registration.serviceRoute, ...kept])
  }

  dropWicAssertions(request, faults)
  if (!faults.has('trust-wic-asserted-identity')) {
    const preferred = preferredIdentity(request)
    dropUntrustedIdentity(request, faults)
    // TS 24.229 §5.2.6.3.2 / RFC 3325 §9.1: the asserted identity is the P-Preferred-Identity when it is one of the
    // registered public identities, otherwise the default public identity (first P-Associated-URI).
    const associated = registration?.associatedUris ?? []
    const asserted =
      assertedByFault(request, preferred, faults) ??
      (preferred !== undefined &&
      !faults.has('ppi-ignored') &&
      associated.some((uri) => sameUri(uri, preferred))
        ? preferred
        : (associated[0] ?? registration?.aor))
    if (asserted !== undefined) setHeader(request, 'P-Asserted-Identity', `<${asserted}>`)
  }

  if (DIALOG_CREATING.has(request.method)) {
    // If this proxy wishes to remain on the path of future requests in a dialog created by this request (assuming
    // the request creates a dialog), it MUST insert a Record-Route header field value into the copy before any
    // existing Record-Route header field values, even if a Route header field is already present.
    // https://www.rfc-editor.org/rfc/rfc3261#section-16.6  (step 4)
    insertRecordRoute(request, recordRouteValue(connection, self), 'mw', {
      connection,
      self,
      faults,
      variants: opts.variants,
    })
  }

  applyMediaPolicy(request, faults)
  anchorOfferTowardCore(request, opts)
  insertChargingVector(request, { host: self.mwHost }, faults)
  return { kind: 'forward' }
}

/**
 * RFC 3325 §5: a proxy that receives P-Asserted-Identity from an element it does not trust MUST replace or remove
 * it, and MUST remove the user-provided P-Preferred-Identity from any message it forwards. The WIC is outside the
 * trust domain.
 */
function dropUntrustedIdentity(request: SipRequest, faults: Faults): void {
  if (faults.has('trust-wic-asserted-identity')) return
  request.remove('P-Asserted-Identity')
  request.remove('P-Preferred-Identity')
}

/**
 * Faults of the identity the eP-CSCF asserts: `ppi-unchecked` asserts any P-Preferred-Identity, registered or not;
 * `assert-from-header` asserts the From URI the WIC wrote when it sent no P-Preferred-Identity.
 */
function assertedByFault(
  request: SipRequest,
  preferred: string | undefined,
  faults: Faults,
): string | undefined {
  if (faults.has('ppi-unchecked') && preferred !== undefined) return preferred
  if (faults.has('assert-from-header') && preferred === undefined) return addressUri(request.get('From'))
  return undefined
}

function pickRegistration(request: SipRequest, registrations: Registration[]): Registration | undefined {
  const from = addressUri(request.get('From'))
  return (
    registrations.find((r) => from !== undefined && r.associatedUris.some((uri) => sameUri(uri, from))) ??
    registrations[0]
  )
}

function preferredIdentity(request: SipRequest): string | undefined {
  const value = request.get('P-Preferred-Identity')
  if (value === undefined) return undefined
  try {
    const first = parseNameAddrList(value)[0]
    return first === undefined ? undefined : formatUri(first.uri)
  } catch {
    return undefined
  }
}

function toTag(request: SipRequest): string | undefined {
  const to = request.get('To')
  if (to === undefined) return undefined
  try {
    return hasParam(parseNameAddr(to).params, 'tag') ? 'tag' : undefined
  } catch {
    return undefined
  }
}

function sameUri(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/** The Route values (this proxy's own already removed) are the stored Service-Route, in order. */
function followsServiceRoute(request: SipRequest, registration: Registration): boolean {
  let stored: string[]
  let routes: string[]
  try {
    stored = registration.serviceRoute.flatMap(parseNameAddrList).map((n) => formatUri(n.uri).toLowerCase())
    routes = routesOf(request).map((n) => formatUri(n.uri).toLowerCase())
  } catch {
    return false
  }
  return routes.length === stored.length && routes.every((route, i) => route === stored[i])
}
