import { ProfileError } from '../errors.ts'

/**
 * Fault switches of the reference eP-CSCF. Each one injects exactly one defect, at the one place the behaviour is
 * decided, so that a harness scenario can be seen to fail against a known-broken SUT (a test of the tests).
 */
export type FaultName =
  // W2 TLS (websocket-edge.ts)
  | 'legacy-tls-allowed'
  // W2 surface (websocket-edge.ts; issue 9 §4)
  | 'plain-ws-listener'
  | 'weak-tls12-ciphers'
  // Hostile WebSocket clients (websocket-edge.ts, reference-epcscf.ts; issue 9 §5)
  | 'utf8-unchecked'
  | 'hostile-frames-stop-edge'
  | 'malformed-sip-stops-edge'
  | 'unmasked-frames-accepted'
  | 'fragmented-messages-dropped'
  | 'ws-message-split'
  | 'w2-connection-cap'
  | 'crlf-keepalive-unanswered'
  // W2 handshake (websocket-edge.ts, origin-policy.ts)
  | 'no-origin-check'
  | 'origin-substring-match'
  | 'origin-host-suffix-match'
  | 'origin-host-prefix-match'
  | 'origin-case-sensitive'
  | 'origin-first-header-only'
  | 'websocket-version-unchecked'
  | 'subprotocol-not-required'
  // Requests toward Mw (register-proxy.ts, originating-proxy.ts, forwarder.ts, proxy-rules.ts)
  | 'no-own-via'
  | 'max-forwards-untouched'
  | 'no-path'
  | 'no-require-path'
  | 'deregister-answered-locally'
  | 'no-p-charging-vector'
  | 'contact-rewritten'
  | 'forward-wic-integrity-protected'
  | 'integrity-protected-yes'
  | 'no-service-route'
  | 'trust-wic-asserted-identity'
  // P-headers only the network may assert (untrusted-headers.ts, charging.ts; issue 9 §6)
  | 'trust-wic-charging-vector'
  | 'trust-wic-visited-network'
  | 'trust-wic-access-network-info'
  | 'accept-unregistered'
  // Responses toward the WIC (response-relay.ts, forwarder.ts)
  | 'challenge-altered'
  | 'leak-charging-vector-to-wic'
  | 'drop-responses'
  | 'response-to-wrong-flow'
  // Terminating requests (terminating-proxy.ts)
  | 'no-flow-failed'
  // Dialogs and sessions (record-route.ts, in-dialog-guard.ts, media-policy.ts)
  | 'no-record-route'
  | 'in-dialog-bypass'
  | 'sdp-stripped'
  | 'invite-failure-rewritten'
  | 'cancel-ignored'
  | 'wic-sdp-without-ice'
  | 'wic-sdp-without-rtcp-mux'
  | 'wic-sdp-without-dtls'
  // Identity bound to the registering flow, routing, media profiles (issue 8; originating-proxy.ts,
  // terminating-proxy.ts, flow-binding-faults.ts, core-trust.ts, reference-epcscf.ts, media-policy.ts)
  | 'ppi-unchecked'
  | 'ppi-ignored'
  | 'assert-from-header'
  | 'identity-bound-before-200'
  | 'preloaded-route-kept'
  | 'max-forwards-zero-forwarded'
  | 'terminating-to-first-flow'
  | 'flow-token-unchecked'
  | 'untrusted-mw-source'
  | 'mw-sdp-altered'
  | 'anchored-ice-kept'
  | 'anchored-bundle-kept'
  // Token registration (token-verifier.ts, bearer-gate.ts)
  | 'token-signature-unchecked'
  | 'token-expiry-unchecked'
  | 'token-audience-unchecked'
  | 'token-alg-confusion'
  | 'token-embedded-key-trusted'
  | 'token-exp-optional'
  | 'token-typ-unchecked'
  | 'bearer-case-sensitive'
  | 'token-identity-unbound'
  | 'forward-bearer-token'
  | 'no-auth-done'
  // The rest of the token attack matrix (issue 9 §1, §2; token-verifier.ts, bearer-gate.ts)
  | 'token-aud-optional'
  | 'token-key-url-followed'
  | 'token-keys-never-refreshed'
  | 'token-flow-trusted'
  | 'bearer-forwarded-on-requests'
  | 'token-only-digest-allowed'
  | 'oversized-token-ignored'
  | 'token-jti-replay-accepted'

/** One line per fault: the defect it injects (and the requirement a correct harness then reports broken). */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultName, string>> = {
  'legacy-tls-allowed':
    'the W2 listener accepts TLS 1.0 and 1.1 (legacy ciphers at OpenSSL security level 0) (TS 33.210 §6.2.1 broken)',
  'plain-ws-listener':
    'the W2 edge also accepts plain-text ws:// (no TLS) on the port after its WSS port (TS 33.203 Annex X, RFC 7118 §8.1)',
  'weak-tls12-ciphers':
    'the W2 listener negotiates any TLS 1.2 suite OpenSSL has, NULL encryption included (RFC 9325 §4.1, TS 33.210 §6.2.3)',
  'utf8-unchecked':
    'a text frame with invalid UTF-8 is taken as a message: the connection is not failed (RFC 6455 §8.1 broken)',
  'hostile-frames-stop-edge':
    'an unmasked frame, invalid UTF-8 or an oversized message takes the whole W2 listener down (RFC 6455 §10.4)',
  'malformed-sip-stops-edge':
    'an unparseable SIP message on W2 takes the whole W2 listener down (RFC 3261 §16.3, RFC 4475 §3.1.2)',
  'unmasked-frames-accepted':
    'an unmasked client frame is read as if masked: the connection stays open (RFC 6455 §5.1 broken)',
  'fragmented-messages-dropped':
    'a message sent in more than one frame is silently dropped (RFC 6455 §5.4, RFC 7118 §5 broken)',
  'ws-message-split':
    'a WebSocket message is read as a stream and each SIP message in it processed: a second one reaches Mw (RFC 7118 §5.1)',
  'w2-connection-cap':
    'the W2 listener takes 500 connections at once and keeps half-open TLS connections: 1,000 of them lock WICs out (R73)',
  'crlf-keepalive-unanswered':
    'a double-CRLF keep-alive on a WebSocket flow gets no CRLF back (RFC 5626 §5.4; SIP.js relies on the pong)',
  'no-origin-check': 'any Origin (or none) may upgrade to a WebSocket (RFC 6455 §10.2 broken)',
  'origin-substring-match':
    'an Origin that merely contains an allowed origin is accepted, e.g. https://wwsf.harness.test:8443.evil.test',
  'origin-host-suffix-match':
    'an Origin whose host ends with an allowed host is accepted, e.g. https://evilwwsf.harness.test:8443 (RFC 6454 §5)',
  'origin-host-prefix-match':
    'an Origin whose host begins with an allowed host is accepted, e.g. https://wwsf.harness.test.evil.test:8443',
  'origin-case-sensitive':
    'Origin values are compared as text: the authorized origin in upper case is refused (RFC 6454 §4, §5)',
  'origin-first-header-only':
    'only the first of two Origin header fields is checked: the handshake is accepted (RFC 6454 §7.3, RFC 6455 §4.2.1)',
  'websocket-version-unchecked':
    'Sec-WebSocket-Version is not checked: a version no server understands (25) is upgraded instead of refused with Sec-WebSocket-Version: 13 (RFC 6455 §4.2.2)',
  'subprotocol-not-required':
    'a handshake without the "sip" subprotocol gets 101 with no Sec-WebSocket-Protocol',
  'no-own-via': 'requests are forwarded to Mw without the eP-CSCF Via on top (RFC 3261 §16.6 step 8 broken)',
  'max-forwards-untouched':
    'Max-Forwards is forwarded as received, not decremented (RFC 3261 §16.6 step 3 broken)',
  'no-path': 'the forwarded REGISTER has no Path of the eP-CSCF (RFC 3327, TS 24.229 §5.2.2 broken)',
  'no-require-path': 'the forwarded REGISTER has Path but no "Require: path" (RFC 3327 §5.2)',
  'deregister-answered-locally':
    'a de-registration (expires 0) is answered 200 by the eP-CSCF itself and never reaches the S-CSCF, which keeps the binding (TS 24.229 §5.2.2.1: the P-CSCF forwards the REGISTER)',
  'no-p-charging-vector': 'no P-Charging-Vector with a fresh icid-value is added toward Mw (RFC 7315 §4.6)',
  'contact-rewritten': 'the REGISTER Contact is rewritten: +sip.instance and reg-id are lost (RFC 5626 §4.2)',
  'forward-wic-integrity-protected':
    'an integrity-protected parameter chosen by the WIC is forwarded to Mw (TS 33.203 Annex U trust broken)',
  'integrity-protected-yes': 'digest REGISTERs are forwarded with integrity-protected="yes" (IMS AKA value)',
  'no-service-route': 'originating requests are sent without the stored Service-Route as Route (RFC 3608 §6)',
  'trust-wic-asserted-identity':
    'P-Asserted-Identity / P-Preferred-Identity from the WIC reach Mw unchanged (RFC 3325 §5 broken)',
  'trust-wic-charging-vector':
    'a P-Charging-Vector the WIC wrote reaches Mw as written, no fresh icid-value (RFC 7315 §4.6, TS 24.229 §5.2.6.3.2)',
  'trust-wic-visited-network':
    "a P-Visited-Network-ID the WIC wrote reaches Mw beside the eP-CSCF's own (TS 24.229 §5.2.2.1)",
  'trust-wic-access-network-info':
    'a P-Access-Network-Info the WIC marked network-provided reaches Mw as written (RFC 7315 §5.4)',
  'accept-unregistered':
    'requests from a connection with no registration are forwarded instead of refused (403)',
  'challenge-altered': 'the 401 challenge relayed to the WIC loses its qop parameter (RFC 3261 §16.7 broken)',
  'leak-charging-vector-to-wic':
    'P-Charging-Vector and P-Charging-Function-Addresses reach the WIC (RFC 7315 §4 trust domain broken)',
  'drop-responses': 'final responses from Mw are never relayed to the WIC: the silent SUT',
  'response-to-wrong-flow':
    'responses from Mw are relayed over a different WebSocket connection than the request',
  'no-flow-failed':
    'a terminating request for a closed WebSocket gets no response instead of 430 (RFC 5626 §5.3)',
  'no-record-route':
    'dialog-forming requests are forwarded without a Record-Route of the eP-CSCF (RFC 3261 §16.6 step 4, TS 24.229 §5.2.6.3.3)',
  'in-dialog-bypass':
    'in-dialog requests from a WIC are forwarded whatever their route set and WebSocket (TS 24.229 §5.2.6.3.5, TS 33.203 Q.1)',
  'wic-sdp-without-ice':
    'the SDP toward the WIC loses its ICE attributes: ice-ufrag, ice-pwd, candidates (TS 24.371 §5A.4, RFC 8839)',
  'wic-sdp-without-rtcp-mux': 'the SDP toward the WIC loses a=rtcp-mux (TS 24.371 §7.2.1, RFC 5761)',
  'wic-sdp-without-dtls':
    'the SDP toward the WIC loses a=fingerprint and a=setup: no DTLS-SRTP (TS 24.371 §7.2.1, RFC 5763)',
  'cancel-ignored':
    'a CANCEL of a pending INVITE gets 481 and cancels nothing (RFC 3261 §16.10: 200 and CANCEL the branches)',
  'invite-failure-rewritten':
    'a 4xx-6xx final response to an INVITE reaches the WIC as 500 (486 busy, 487 after CANCEL lost; RFC 3261 §16.7 step 5)',
  'sdp-stripped':
    'the SDP body of an initial request is lost on the way, toward Mw and toward the WIC (RFC 3261 §16.6 step 1)',
  'ppi-unchecked':
    'any P-Preferred-Identity is asserted, also one the user did not register (RFC 3325 §9.1, TS 24.229 §5.2.6.3.7)',
  'ppi-ignored':
    "a P-Preferred-Identity among the user's registered IMPUs is ignored: the default IMPU is asserted instead",
  'assert-from-header':
    'without P-Preferred-Identity the From URI the WIC wrote is asserted, not its registered identity (RFC 3325 §5)',
  'identity-bound-before-200':
    'a REGISTER binds its IMPU to the WebSocket whatever the S-CSCF answers: a failed registration authorizes requests',
  'preloaded-route-kept':
    "the Service-Route is put on top of the WIC's preloaded Route, which stays below it (TS 24.229 §5.2.6.3.7)",
  'max-forwards-zero-forwarded':
    'a request with Max-Forwards 0 is forwarded instead of answered 483 (RFC 3261 §16.3 step 3)',
  'terminating-to-first-flow':
    "terminating requests go to the oldest WebSocket the IMPU registered on, not the flow the Path's token names",
  'flow-token-unchecked':
    'a terminating request with a tampered flow token is delivered by its Request-URI instead of refused (RFC 5626 §5.3)',
  'untrusted-mw-source': 'requests from any Mw source are served as if from the IMS core (catalogue R52)',
  'mw-sdp-altered':
    'media profile transparent: the offer toward Mw loses its ICE candidates (the SDP is not passed untouched)',
  'anchored-ice-kept':
    'media profile anchored (implied): ICE and DTLS attributes of the WIC offer reach Mw (TS 23.228 U.1.1)',
  'anchored-bundle-kept':
    'media profile anchored (implied): the BUNDLE group of the WIC offer reaches Mw (TS 23.228 U.1.1)',
  'token-signature-unchecked':
    'the token signature is never verified: alg none, a foreign key or a tampered payload pass (RFC 8725 §3.1)',
  'token-expiry-unchecked': 'an expired (or not yet valid) token is accepted (RFC 7519 §4.1.4, §4.1.5)',
  'token-audience-unchecked': 'a token issued for another audience is accepted (RFC 8725 §3.9)',
  'token-alg-confusion':
    "an HS256 token whose HMAC secret is the WWSF's public key (PEM) is accepted (RFC 8725 §2.1, §3.1)",
  'token-embedded-key-trusted':
    'a token is verified with the jwk its own header embeds (RFC 8725 §3.10, RFC 7515 §4.1.3)',
  'token-exp-optional': 'a token without exp is accepted and never expires (RFC 9068 §2.2: exp REQUIRED)',
  'token-typ-unchecked':
    'a JWT whose typ is not at+jwt is accepted as an access token (RFC 8725 §3.11, RFC 9068 §4)',
  'token-identity-unbound':
    "the registered IMPU is not checked against the token: Alice's token registers Bob (TS 24.371 A.3.2)",
  'bearer-case-sensitive':
    'Authorization: bearer <token> (scheme name in lower case) is not taken as a token (RFC 7235 §2.1: case-insensitive)',
  'forward-bearer-token': "the WIC's Bearer token is forwarded to the IMS core on Mw",
  'no-auth-done':
    'a token REGISTER is forwarded without the TNA Authorization (integrity-protected="auth-done", TS 33.203 U.2)',
  'token-aud-optional':
    'a token without aud is accepted: the audience is checked only when present (RFC 9068 §4: aud MUST be validated)',
  'token-key-url-followed':
    'the verifier fetches the key a token names by its jku or x5u header and trusts it (RFC 8725 §3.10)',
  'token-keys-never-refreshed':
    "the WWSF's keys are read once: a key it adds later is unknown, a key it removes still honoured (key rotation)",
  'token-flow-trusted':
    'a REGISTER on a WebSocket once registered by token goes on as auth-done for that IMPI, whatever token and To it carries',
  'bearer-forwarded-on-requests':
    'the Bearer token a WIC repeats on requests other than REGISTER reaches Mw (TS 24.371 §7.2.1; R35)',
  'token-only-digest-allowed':
    'missingOrigin token-only (implied): a WebSocket without Origin may also register by digest',
  'oversized-token-ignored':
    'Bearer credentials over 8 KiB are dropped as if absent: the REGISTER goes on the digest way to Mw',
  'token-jti-replay-accepted':
    'epcscf.token.jtiReplay refuse (implied): a token already used on one WebSocket is accepted on another',
}

export const FAULT_NAMES: readonly FaultName[] = Object.keys(FAULT_DESCRIPTIONS) as FaultName[]

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULT_DESCRIPTIONS, name)
}

/** Validates fault names from a profile; an unknown one is a profile error, not a silent no-op. */
export function parseFaults(names: Iterable<string>): Set<FaultName> {
  const faults = new Set<FaultName>()
  for (const name of names) {
    if (!isFaultName(name)) {
      throw new ProfileError(
        `unknown fault switch "${name}" of the reference eP-CSCF; known: ${FAULT_NAMES.join(', ')}`,
      )
    }
    faults.add(name)
  }
  return faults
}

/** The set of active faults, read-only for the proxy. */
export interface Faults {
  has(name: FaultName): boolean
}
