import type { FaultName } from './faults.ts'

/**
 * The catalogue requirements (docs/requirements-catalogue.md) each fault switch of the reference eP-CSCF breaks.
 * The fault matrix (tools/fault-matrix.ts) counts a fault as caught only when a scenario tagged with one of these
 * ids FAILs with a ConformanceFailure whose requirement id is one of them: so every id here is carried by the check
 * that sees the defect (support/checks/requirements-*.ts and the other checks) and tags the scenario that runs it.
 */
export const FAULT_REQUIREMENTS: Readonly<Record<FaultName, readonly string[]>> = {
  // W2: TLS versions (tls.feature, transport-checks.ts)
  'legacy-tls-allowed': ['R07'],
  // W2 surface: plain ws:// anywhere on the WIC-facing host (exposed-surface.feature, exposure-checks.ts)
  'plain-ws-listener': ['R06'],
  'weak-tls12-ciphers': ['R07'],
  // Hostile WebSocket clients (websocket-robustness.feature, robustness-checks.ts)
  'utf8-unchecked': ['R08'],
  'hostile-frames-stop-edge': ['R73'],
  'malformed-sip-stops-edge': ['R73'],
  'unmasked-frames-accepted': ['R09'],
  'fragmented-messages-dropped': ['R08'],
  'ws-message-split': ['R08'],
  'w2-connection-cap': ['R73'],
  // CRLF keep-alive (keepalive.feature, websocket-checks.ts): no catalogue id; the clause tag is the id
  'crlf-keepalive-unanswered': ['RFC5626-5.4'],
  // W2: Origin and subprotocol at the upgrade (websocket-origin.feature)
  'no-origin-check': ['R12', 'R13'],
  'origin-substring-match': ['R12'],
  'origin-host-suffix-match': ['R12'],
  'origin-host-prefix-match': ['R12'],
  'origin-case-sensitive': ['R11'],
  'origin-first-header-only': ['R12'],
  'websocket-version-unchecked': ['R05'],
  'subprotocol-not-required': ['R04'],
  // Mw: what the P-CSCF writes into a forwarded request (digest.feature, register-checks.ts)
  'no-own-via': ['R19'],
  'max-forwards-untouched': ['R19'],
  'no-path': ['R15'],
  'no-require-path': ['R16'],
  'deregister-answered-locally': ['R43'],
  'no-p-charging-vector': ['R18'], // also breaks R68 (originating requests), which no check carries yet
  'contact-rewritten': ['R19'],
  // Mw: integrity-protected (digest.feature, register-checks.ts, registration-outcome-checks.ts)
  'forward-wic-integrity-protected': ['R39'],
  'integrity-protected-yes': ['R26'],
  // Originating requests (origination-termination.feature, routing-checks.ts)
  'no-service-route': ['R53'],
  'trust-wic-asserted-identity': ['R47', 'R48'],
  'accept-unregistered': ['R49'],
  // P-headers the WIC writes (untrusted-headers.feature, security-checks.ts)
  'trust-wic-charging-vector': ['R18', 'R68'],
  'trust-wic-visited-network': ['R17'],
  'trust-wic-access-network-info': ['R02'],
  // Responses toward the WIC (digest.feature, registration-outcome-checks.ts)
  'challenge-altered': ['R24'],
  'leak-charging-vector-to-wic': ['R21'],
  'drop-responses': ['R58'],
  'response-to-wrong-flow': ['R58'],
  // Terminating requests (origination-termination.feature)
  'no-flow-failed': ['R45'],
  // Dialogs and sessions (calls.feature, dialog-checks.ts, sdp-checks.ts)
  'no-record-route': ['R54', 'R55'],
  'in-dialog-bypass': ['R50'],
  'sdp-stripped': ['R66'],
  'invite-failure-rewritten': ['R58'],
  'cancel-ignored': ['R58'],
  'wic-sdp-without-ice': ['R62'],
  'wic-sdp-without-rtcp-mux': ['R64'],
  'wic-sdp-without-dtls': ['R61'],
  // Identity, routing and media profiles (identity.feature, media.feature, identity-checks.ts)
  'ppi-unchecked': ['R47', 'R48'],
  'ppi-ignored': ['R48'],
  'assert-from-header': ['R48'],
  'identity-bound-before-200': ['R49'],
  'preloaded-route-kept': ['R53'],
  'max-forwards-zero-forwarded': ['R72'],
  'terminating-to-first-flow': ['R57', 'R46'],
  'flow-token-unchecked': ['R52'],
  'untrusted-mw-source': ['R52'],
  'mw-sdp-altered': ['R59'],
  'anchored-ice-kept': ['R59'],
  'anchored-bundle-kept': ['R60'],
  // Token registration (token.feature, token-checks.ts)
  'token-signature-unchecked': ['R32'],
  'token-expiry-unchecked': ['R32'],
  'token-audience-unchecked': ['R32'],
  'token-alg-confusion': ['R32'],
  'token-embedded-key-trusted': ['R32'],
  'token-exp-optional': ['R32'],
  'token-typ-unchecked': ['R32'],
  // Not a token: the REGISTER goes the digest way and the S-CSCF challenges it (token-checks.ts, noChallenge).
  'bearer-case-sensitive': ['R34'],
  'token-identity-unbound': ['R36'],
  'forward-bearer-token': ['R35'],
  'no-auth-done': ['R34'],
  // The rest of the token attack matrix (issue 9 §1, §2: token.feature, token-lifecycle.feature,
  // token-without-origin.feature, token-rotation.feature; token-checks.ts, token-lifecycle-checks.ts)
  'token-aud-optional': ['R32'],
  'token-key-url-followed': ['R32'],
  'token-keys-never-refreshed': ['R31', 'R32'],
  'token-flow-trusted': ['R32', 'R36', 'R39', 'R42'],
  'bearer-forwarded-on-requests': ['R35', 'R41'],
  'token-only-digest-allowed': ['R13'],
  'oversized-token-ignored': ['R32'],
  'token-jti-replay-accepted': ['R32'],
}

/**
 * Catalogue requirements that no check of the suite carries yet (R01–R74 minus the ids of every must()/should()
 * in support/checks/ and steps/, as of this writing), for the report: the suite says nothing about them, PASS or
 * FAIL. test/checks/fault-requirements.test.ts keeps the list honest against the source.
 */
export const UNGUARDED_REQUIREMENTS: readonly string[] = [
  'R10',
  'R22',
  'R23',
  'R27',
  'R29',
  'R30',
  'R37',
  'R38',
  'R40',
  'R44',
  'R51',
  'R63',
  'R65',
  'R67',
  'R69',
  'R71',
  'R74',
]
