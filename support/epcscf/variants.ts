import { ProfileError } from '../errors.ts'

/**
 * Variant switches of the reference eP-CSCF: the mirror image of the fault switches (faults.ts). Each one makes the
 * reference behave as another conformant eP-CSCF may (requirements catalogue, Appendix B.1), at the one place the
 * behaviour is decided, so that the suite can be seen to PASS (or WARN, never FAIL) for every legitimate variation.
 */
export type VariantName =
  // Mw (keepalive-probe.ts, mw-link.ts)
  | 'options-probes'
  | 'mw-tcp'
  // W2 handshake (origin-policy.ts, websocket-edge.ts, reference-epcscf.ts)
  | 'origin-refusal-400'
  | 'subprotocol-ignored'
  | 'cors-echo-origin'
  // REGISTER credentials (bearer-gate.ts)
  | 'refuse-wic-integrity-protected'
  | 'token-refusal-400'
  | 'token-refusal-no-error-attribute'
  | 'token-jti-one-time'
  | 'missing-origin-token-only'
  // Terminating requests (terminating-proxy.ts)
  | 'flow-failed-480'
  // What the eP-CSCF writes toward Mw (register-proxy.ts, flow-token.ts, forwarder.ts)
  | 'flow-token-per-refresh'
  | 'path-hostname'
  | 'two-vias'
  | 'contact-alias'
  // Responses toward the WIC (response-relay.ts)
  | 'challenge-reserialised'
  // Registration state and routing (reg-event.ts, originating-proxy.ts)
  | 'reg-event-subscribe'
  | 'enforce-service-route'
  // Dialogs (record-route.ts)
  | 'double-record-route'
  // Media profile (media-anchoring.ts)
  | 'media-anchored'

/** One line per variant: the behaviour, and the clause that allows it. */
export const VARIANT_DESCRIPTIONS: Readonly<Record<VariantName, string>> = {
  'options-probes':
    'OPTIONS keep-alive probes to the next hop at start and every few hundred ms, as Kamailio dispatcher does ' +
    '(nothing forbids a proxy probing its next hop; RFC 3261 §11 OPTIONS)',
  'mw-tcp':
    'requests go to Mw over TCP from an ephemeral source port, Path with transport=tcp (TS 24.229 allows TCP on ' +
    'Mw; RFC 3261 §18.1.1)',
  'origin-refusal-400':
    'an unauthorized or missing Origin is refused with 400, not 403 (RFC 6455 §4.2.2 "an appropriate HTTP error ' +
    'code"; 403 is a SHOULD in §10.2)',
  'subprotocol-ignored':
    'a handshake without the "sip" subprotocol gets 101 without Sec-WebSocket-Protocol, and the connection is ' +
    'closed at its first message, no SIP processed (RFC 6455 §4.2.2: no subprotocol echoed that was not selected)',
  'cors-echo-origin':
    'the 101 carries Access-Control-Allow-Origin naming exactly the requesting authorized origin, as Kamailio ' +
    'websocket cors_mode 2 does (no clause asks for or forbids CORS headers on a WebSocket upgrade)',
  'refuse-wic-integrity-protected':
    'a REGISTER with a WIC-chosen integrity-protected, or Bearer and Digest together, is refused with 403 instead ' +
    'of cleaned and forwarded (catalogue R39: "reject, or forward")',
  'token-refusal-400':
    'a bad token is refused with 400 (RFC 6750 §3.1 invalid_request is 400; 401 invalid_token is a SHOULD)',
  'token-refusal-no-error-attribute':
    'a bad token is refused with 401 whose Bearer challenge has no error attribute (RFC 6750 §3: the error ' +
    'attribute is a SHOULD)',
  'token-jti-one-time':
    'a token whose jti was used on one WebSocket is refused on another (RFC 7519 §4.1.7: jti "can be used to ' +
    'prevent the JWT from being replayed", its use OPTIONAL; profile epcscf.token.jtiReplay: refuse)',
  'missing-origin-token-only':
    'a WebSocket handshake without Origin is accepted, and such a WebSocket registers by token only (catalogue ' +
    'R13, SA3 "use of a security token if the WWSF origin cannot be verified"; profile epcscf.origin.missingOrigin: ' +
    'token-only)',
  'flow-failed-480': 'a request toward a closed flow gets 480, not 430 (RFC 5626 §5.3: 430 is a SHOULD)',
  'flow-token-per-refresh':
    'every REGISTER (refreshes too) carries a new flow token in its Path, still naming the same WebSocket ' +
    '(RFC 5626 §5.2 leaves the token to the proxy)',
  'path-hostname':
    'the Path host is the eP-CSCF name (e.g. epcscf.harness.test), not its Mw address (a Path URI need only ' +
    'resolve to the proxy; the proxy chooses it, reasoned from memory of RFC 3327 §5.2)',
  'two-vias':
    'two Via entries of the eP-CSCF on every forwarded request: a two-stage eP-CSCF (RFC 3261 §16.6 step 8 per ' +
    'stage)',
  'contact-alias':
    'the REGISTER Contact gets an ;alias= URI parameter (as Kamailio add_contact_alias), +sip.instance and reg-id ' +
    'kept, the alias removed again toward the WIC (RFC 5626 §4.2 keeps instance and reg-id)',
  'challenge-reserialised':
    'the 401 challenge toward the WIC is re-serialised: other parameter order and spacing, same scheme and ' +
    'parameters (RFC 3261 §7.3.1, §25.1 LWS)',
  'reg-event-subscribe':
    'after a successful registration the eP-CSCF SUBSCRIBEs to the reg event of the registered IMPU (TS 24.229 ' +
    '§5.2.3, RFC 3680)',
  'enforce-service-route':
    'an originating request whose Route is not the stored Service-Route gets 400, as Kamailio IMS mo.cfg "Not ' +
    'following indicated service routes" (TS 24.229 §5.2.6.3.2: the P-CSCF may reject)',
  'double-record-route':
    'two Record-Route values on dialog-forming requests, one facing the WIC (W2 address, transport=ws) and one ' +
    'facing Mw, as Kamailio records for WebSocket clients (RFC 5658 §4; RFC 3261 §16.6 step 4 leaves the URI to ' +
    'the proxy)',
  'media-anchored':
    'media profile anchored: the SDP is rewritten as with an eIMS-AGW (no ICE, DTLS or BUNDLE toward Mw, a WebRTC ' +
    'answer toward the WIC), signalling only (TS 23.228 U.1.1; profile epcscf.media: anchored)',
}

export const VARIANT_NAMES: readonly VariantName[] = Object.keys(VARIANT_DESCRIPTIONS) as VariantName[]

export function isVariantName(name: string): name is VariantName {
  return Object.hasOwn(VARIANT_DESCRIPTIONS, name)
}

/**
 * Validates variant names (from a profile's `launcher.variants`, or the `variants` world parameter); an unknown
 * one is a profile error naming the field and the known names, never a silent no-op.
 */
export function parseVariants(names: Iterable<string>, field = 'launcher.variants'): Set<VariantName> {
  const variants = new Set<VariantName>()
  let index = 0
  for (const name of names) {
    if (!isVariantName(name)) {
      throw new ProfileError(
        `${field}.${index}: unknown variant "${name}" of the reference eP-CSCF; known: ${VARIANT_NAMES.join(', ')}`,
      )
    }
    variants.add(name)
    index += 1
  }
  return variants
}

/** The set of active variants, read-only for the proxy. */
export interface Variants {
  has(name: VariantName): boolean
}

/** No variant: the reference as the interop contract describes it. */
export const NO_VARIANTS: Variants = { has: () => false }
