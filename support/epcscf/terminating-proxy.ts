import type { SipRequest } from '../sip/message.ts'
import { formatUri, parseUri } from '../sip/uri.ts'
import { stripChargingHeaders } from './charging.ts'
import type { Faults } from './faults.ts'
import type { FlowTokens } from './flow-token.ts'
import { DIALOG_CREATING, recordRouteValue } from './originating-proxy.ts'
import { isOwnUri, removeOwnRoutes, routesOf, setRoutes, type SelfAddress } from './proxy-rules.ts'
import { applyMediaPolicy, applyMediaPolicyTowardWic } from './media-policy.ts'
import { insertRecordRoute } from './record-route.ts'
import { firstFlowOfAor } from './flow-binding-faults.ts'
import { anchorOfferTowardWic } from './media-anchoring.ts'
import { ALIAS_PARAM } from './register-proxy.ts'
import type { Registrations } from './registrations.ts'
import type { Variants } from './variants.ts'
import type { WicConnection, WicConnections } from './wic-connections.ts'

/**
 * Requests from the IMS core toward a WIC: terminating requests sent along the registered Path, and in-dialog
 * requests sent along this proxy's Record-Route. Both carry this proxy's flow token, which names the WebSocket
 * connection to deliver on (RFC 5626 §5.3, RFC 7118 Appendix B).
 */

export interface TerminatingOptions {
  readonly self: SelfAddress
  readonly tokens: FlowTokens
  readonly connections: WicConnections
  readonly registrations: Registrations
  readonly faults: Faults
  readonly variants: Variants
}

export type Termination =
  | { readonly kind: 'forward'; readonly connection: WicConnection }
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string }
  /** The `no-flow-failed` fault: nothing is answered. */
  | { readonly kind: 'silent' }

/**
 * Finds the WIC connection of a request from Mw and prepares `request` (the copy to forward) in place. Validation,
 * Max-Forwards and Via are the caller's.
 */
export function prepareTerminating(request: SipRequest, opts: TerminatingOptions): Termination {
  const { self, faults } = opts
  let token: string | undefined
  // If the first value in the Route header field indicates this proxy, the proxy MUST remove that value from the
  // request. https://www.rfc-editor.org/rfc/rfc3261#section-16.4
  for (const route of removeOwnRoutes(request, self)) token ??= route.uri.user

  if (token === undefined) {
    const target = safeUri(request.uri)
    if (target !== undefined && isOwnUri(target, self) && target.user !== undefined) {
      // If the Request-URI contains a value this proxy previously placed into a Record-Route header field, the
      // proxy MUST replace the Request-URI in the request with the last value from the Route header field, and
      // remove that value from the Route header field. https://www.rfc-editor.org/rfc/rfc3261#section-16.4
      token = target.user
      const routes = routesOf(request)
      const last = routes.pop()
      if (last !== undefined) {
        request.uri = last.uri.raw
        setRoutes(request, routes)
      }
    }
  }

  let connectionId: number | undefined
  if (token !== undefined) {
    const resolved = opts.tokens.resolve(token)
    // If the flow token has been tampered with, the proxy SHOULD send a 403 (Forbidden) response.
    // https://www.rfc-editor.org/rfc/rfc5626#section-5.3
    // The `flow-token-unchecked` fault: a tampered token is ignored and the contact's registration decides.
    if (resolved.kind === 'tampered' && !faults.has('flow-token-unchecked'))
      return { kind: 'reject', status: 403, reason: 'Forbidden - invalid flow token' }
    connectionId =
      resolved.kind === 'valid' ? resolved.connection : opts.registrations.connectionOfContact(request.uri)
  } else {
    // No flow token (a core that sends to the contact without using the Path): the contact's registration says
    // which connection it was made on.
    connectionId = opts.registrations.connectionOfContact(request.uri)
    if (connectionId === undefined)
      return { kind: 'reject', status: 404, reason: 'Not Found - no registered flow' }
  }

  const named = connectionId === undefined ? undefined : opts.connections.get(connectionId)
  const connection =
    named === undefined ? undefined : firstFlowOfAor(named, opts.registrations, opts.connections, faults)
  if (connection === undefined || connection.flow.closed) {
    if (faults.has('no-flow-failed')) return { kind: 'silent' }
    return { kind: 'reject', ...flowFailed(opts.variants) }
  }

  // The `contact-alias` variant: the alias this proxy added to the registered Contact is its own, not the WIC's.
  if (opts.variants.has('contact-alias')) request.uri = withoutAlias(request.uri)

  // RFC 3325 §7 / TS 24.229 §5.2.6.4: with privacy requested for the identity, the asserted identity is not passed
  // to an entity outside the trust domain.
  if (/(^|[;,\s])id($|[;,\s])|header/i.test(request.get('Privacy') ?? ''))
    request.remove('P-Asserted-Identity')
  stripChargingHeaders(request, faults)
  if (!isInDialog(request)) applyMediaPolicy(request, faults)
  if (!isInDialog(request)) anchorOfferTowardWic(request, opts)
  applyMediaPolicyTowardWic(request, faults)

  if (DIALOG_CREATING.has(request.method) && !isInDialog(request)) {
    // RFC 3261 §16.6 step 4 (see originating-proxy.ts): stay on the dialog's path, with the flow token, so that
    // in-dialog requests from either side come back through this proxy to the same WebSocket.
    insertRecordRoute(request, recordRouteValue(connection, self), 'wic', {
      connection,
      self,
      faults,
      variants: opts.variants,
    })
  }
  return { kind: 'forward', connection }
}

/**
 * The answer when the WebSocket of a request is gone. "For connection-oriented transports, if the flow no longer
 * exists the proxy SHOULD send a 430 (Flow Failed) response to the request."
 * https://www.rfc-editor.org/rfc/rfc5626#section-5.3  (the `flow-failed-480` variant answers 480, as the SHOULD
 * allows)
 */
export function flowFailed(variants: Variants): { status: number; reason: string } {
  return variants.has('flow-failed-480')
    ? { status: 480, reason: 'Temporarily Unavailable' }
    : { status: 430, reason: 'Flow Failed' }
}

function withoutAlias(uriText: string): string {
  const uri = safeUri(uriText)
  if (uri === undefined || !uri.params.some((p) => p.name.toLowerCase() === ALIAS_PARAM)) return uriText
  return formatUri({ ...uri, params: uri.params.filter((p) => p.name.toLowerCase() !== ALIAS_PARAM) })
}

function isInDialog(request: SipRequest): boolean {
  return /;\s*tag\s*=/i.test(request.get('To') ?? '')
}

function safeUri(text: string): ReturnType<typeof parseUri> | undefined {
  try {
    return parseUri(text)
  } catch {
    return undefined
  }
}
