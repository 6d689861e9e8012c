import { must, should } from './requirement.ts'

/**
 * The requirements the registration and token checks decide on, in one place: level, catalogue id
 * (docs/requirements-catalogue.md), clause and, where the sentence was read, the sentence (`source: 'V'`; `'R'`
 * marks a clause recalled from memory and not re-read, as the catalogue tags it). Clause numbers follow the
 * catalogue's Appendix B.2 corrections (TS 24.229 §7.2A.2 for `integrity-protected`, RFC 8898 §2.2/§4 and RFC 6750
 * §3.1 for the Bearer refusal, RFC 5626 §5.3 only for forwarding over a flow).
 */

/** Digest registration through the eP-CSCF (TR 23.701 X.2.1.2, TS 24.229 §5.2.2). */
export const REGISTRATION = {
  /** R19: the proxy's own Via. Quoted from RFC 3261 §16.6 step 8. */
  ownVia: must('RFC 3261 §16.6 step 8', {
    id: 'R19',
    quote:
      'The proxy MUST insert a Via header field value into the copy before the existing Via header field values.',
    source: 'V',
  }),
  /** R19: Max-Forwards. Quoted from RFC 3261 §16.6 step 3. */
  maxForwards: must('RFC 3261 §16.6 step 3', {
    id: 'R19',
    quote: 'If the copy contains a Max-Forwards header field, the proxy MUST decrement its value by one (1).',
    source: 'V',
  }),
  /** R15: the P-CSCF records itself in Path so that terminating requests come back through it. */
  path: must('TS 24.229 §5.2.2.1, RFC 3327 §5.2', {
    id: 'R15',
    quote:
      'P-CSCF1 adds itself to the Path header value for future requests. (TS 24.228 flow R1-1c; TS 24.229 §5.2.1: ' +
      '"The P-CSCF shall support the Path and Service-Route header fields.")',
    source: 'V',
  }),
  /** R15: a Path entry is a loose route (RFC 3261 §19.1.1 `lr`); recalled, and judged by behaviour too: a WARN. */
  pathLooseRoute: should('RFC 3261 §19.1.1, RFC 3327 §5.2', { id: 'R15', source: 'R' }),
  /**
   * R57: a request sent along the Path reaches the registering WebSocket (the flow token, in whatever form the
   * eP-CSCF chose, is judged by this behaviour). RFC 5626 §5.3 is the edge proxy's forwarding to the flow.
   */
  pathReachesFlow: must('RFC 5626 §5.3, RFC 7118 Appendix B.1, RFC 3327 §5.2', { id: 'R57', source: 'R' }),
  /** R16: `Require: path` so that a registrar without Path support refuses rather than drops the Path. */
  requirePath: must('TS 24.229 §5.2.2.1, TS 24.228 flow R1-1c', {
    id: 'R16',
    quote:
      'Require: This header is included to ensure that the recipient correctly handles the Path header. If the ' +
      "recipient does not support the path header, a response will be received with a status code of 420 and an Unsupported header indicating 'path'.",
    source: 'V',
  }),
  /** R18: P-Charging-Vector with a globally unique icid-value on each REGISTER. */
  chargingVector: must('TS 24.229 §5.2.2.1, RFC 7315 §4.6, TS 24.228 flow R1-1c', {
    id: 'R18',
    quote: 'P-CSCF1 inserts this header and populates the icid parameters with a globally unique value.',
    source: 'V',
  }),
  /**
   * R19: the proxy forwards a copy of the REGISTER (RFC 3261 §16.6) and an edge proxy keeps the Contact's
   * +sip.instance and reg-id (RFC 5626 §5.1) [R]; the S-CSCF identifies the flow by them (TS 24.229 §5.4.1.2.2,
   * quoted), so dropping them breaks registration.
   */
  contactInstance: must('RFC 5626 §5.1, RFC 3261 §16.6 (the proxy); TS 24.229 §5.4.1.2.2 (the S-CSCF)', {
    id: 'R19',
    quote:
      "[the S-CSCF rejects with 403] if the REGISTER request does not contain a 'reg-id' header field parameter and " +
      'the contact address … was not previously registered',
    source: 'V',
  }),
  /** R20: the 200 (OK) reaches the WIC with what the UE needs (Service-Route, P-Associated-URI). */
  okRelayed: must('TS 24.229 §5.2.2.1 [R], RFC 3261 §16.7 step 9', { id: 'R20', source: 'R' }),
  /** R58: a response the S-CSCF sent to a request the eP-CSCF forwarded goes back to the WIC. */
  responseRelayed: must('RFC 3261 §16.7 step 9 and §18.2.2', { id: 'R58', source: 'R' }),
  /** R21: network-internal charging headers stay in the trust domain. */
  noChargingToWic: must('TS 24.229 §5.2.2.1, RFC 7315 §4.5 and §4.6', { id: 'R21', source: 'R' }),
  /** R24: the S-CSCF authenticates digest end to end; the eP-CSCF relays (the binding results at the S-CSCF). */
  digestForwarded: must('TS 33.203 X.2.2.3 (Annex N), TS 24.229 §5.2.2.1', {
    id: 'R24',
    quote:
      'The SIP Digest messages exchanged between the WIC and eP-CSCF and between the eP-CSCF and the I/S-CSCF are as ' +
      'defined in Annex N of this document.',
    source: 'V',
  }),
  /** R24: the challenge reaches the WIC with the same scheme and parameters (re-serialising is allowed). */
  challengeRelayed: must('TS 33.203 X.2.2.3 (Annex N), RFC 3261 §16.7 step 9', {
    id: 'R24',
    quote:
      'The SIP Digest messages exchanged between the WIC and eP-CSCF and between the eP-CSCF and the I/S-CSCF are as ' +
      'defined in Annex N of this document.',
    source: 'V',
  }),
  /** R25: several challenges, one per algorithm, most preferred first, reach the WIC in their order. */
  challengeOrder: must('RFC 8760 §2.3 and §2.4, RFC 3261 §16.7 step 7', { id: 'R25', source: 'R' }),
  /** R26: a digest REGISTER never carries an AKA or TNA `integrity-protected` value on Mw. Quoted from P.4.2. */
  digestIntegrity: must('TS 33.203 P.4.2 step 1, TS 24.229 §7.2A.2', {
    id: 'R26',
    quote:
      "If the flag is present and has either the value 'yes' or the value 'no' the S-CSCF concludes that the " +
      'REGISTER request relates to IMS AKA.',
    source: 'V',
  }),
  /** R26: the digest values of TS 24.229 §7.2A.2 the profile accepts (absent, tls-*, ip-assoc-*). */
  digestIntegrityProfile: must('TS 24.229 §7.2A.2 (profile epcscf.digest.integrityProtected)', {
    id: 'R26',
    source: 'R',
  }),
  /**
   * R39: only the trusted node sets the flag; a WIC's own value never reaches Mw (the REGISTER may instead be
   * refused with a 4xx). Quoted from TS 33.203 U.2 step 4.
   */
  wicIntegrityIgnored: must('TS 33.203 U.2 step 4, P.4.2', {
    id: 'R39',
    quote:
      "The Trusted Node inserts an 'integrity-protected' flag set to indicate that authentication has already been " +
      'performed.',
    source: 'V',
  }),
  /** R28: a digest failure is relayed and leaves no registration. */
  failureRelayed: must('RFC 3261 §16.7 step 9, TS 24.229 §5.2.2.1', { id: 'R28', source: 'R' }),
  /** R43: de-registration is forwarded and the binding goes. Quoted from TS 24.229 §5.4.1.2.2. */
  deregistered: must('TS 24.229 §5.2.2.1 and §5.4.1.2.2', {
    id: 'R43',
    quote:
      'If the registration expiration interval value indicates a zero value, the S-CSCF shall perform the ' +
      'deregistration procedures',
    source: 'V',
  }),
  /** R46: a refresh keeps the registration (Call-ID, CSeq order) and routes back to the same eP-CSCF. */
  refresh: must('RFC 3261 §16.6 step 1 (the proxy forwards a copy) and §10.3 step 7, RFC 3327 §5.2', {
    id: 'R46',
    source: 'R',
  }),
} as const

/** Registration based on web authentication (TR 23.701 X.2.1.3, TS 24.371 §6.1 b), TS 33.203 Annex U). */
export const TOKEN = {
  /** R31: a REGISTER with a valid Bearer token registers through TNA. Quoted from TS 24.371 §6.1 b). */
  accepted: must('TS 24.371 §6.1 b), A.3.2 step 3', {
    id: 'R31',
    quote:
      'Web authentication scheme: The registration procedure between the eP-CSCF and the IM CN subsystem reuses the ' +
      'Trusted Node Authentication (TNA) procedure specified in 3GPP TS 33.203',
    source: 'V',
  }),
  /** R34: one `Authorization: Digest` with `integrity-protected="auth-done"`. Quoted from TS 33.203 U.2 step 4. */
  authDone: must('TS 33.203 U.2 step 4, TS 24.371 §6.1 b)', {
    id: 'R34',
    quote:
      "The Trusted Node inserts an 'integrity-protected' flag set to indicate that authentication has already been " +
      'performed.',
    source: 'V',
  }),
  /** R34: the IMPI of the TNA REGISTER is the one bound to the token (TS 24.371 A.3.2 step 1). */
  authDoneIdentity: must('TS 24.371 A.3.2 step 1, TS 33.203 U.2', {
    id: 'R34',
    quote:
      "The user's web identity is mapped to the corresponding IMS subscriber identity (i.e. private user identity and " +
      'public user identity).',
    source: 'V',
  }),
  /** R34: the S-CSCF, seeing the trusted node's flag, registers without a challenge. Quoted from TS 33.203 U.1. */
  noChallenge: must('TS 33.203 U.1', {
    id: 'R34',
    quote:
      "The S-CSCF looks for an indication in the 'integrity-protected' flag that authentication is already performed " +
      'by the trusted node',
    source: 'V',
  }),
  /**
   * R35: the end user's token stays at the edge. RFC 6750 §5.3 binds the client; the eP-CSCF holds the WIC's
   * token and the S-CSCF relies only on the trusted node's flag, so the same duty is read onto it (catalogue [I]).
   */
  noBearerOnMw: must('RFC 6750 §5.3 (read onto the eP-CSCF), TS 33.203 U.2', {
    id: 'R35',
    quote:
      'Client implementations MUST ensure that bearer tokens are not leaked to unintended parties, as they will be ' +
      'able to use them to gain access to protected resources.',
    source: 'V',
  }),
  /**
   * R32: a token that does not validate registers nothing and nothing goes to the IMS core (TS 24.371 A.3.2 step 4);
   * the clause of each defect is `tokenValidated(defect)`.
   */
  validated: must('TS 24.371 A.3.2 step 4', { id: 'R32', source: 'R' }),
  /** R33: the status codes RFC 6750 gives for token errors (400, 401, 403): a SHOULD each, so a WARN. */
  refusalCode: should('RFC 6750 §3.1, RFC 8898 §2.2 and §4', {
    id: 'R33',
    quote:
      'The access token provided is expired, revoked, malformed, or invalid for other reasons. The resource SHOULD ' +
      'respond with the HTTP 401 (Unauthorized) status code.',
    source: 'V',
  }),
  /** R33: `error="invalid_token"` on the Bearer challenge. Quoted from RFC 6750 §3. */
  invalidTokenError: should('RFC 6750 §3, RFC 8898 §2.2', {
    id: 'R33',
    quote:
      'If the protected resource request included an access token and failed authentication, the resource server ' +
      'SHOULD include the "error" attribute to provide the client with the reason why the access request was declined.',
    source: 'V',
  }),
  /** R36: a token registers only the identities it is bound to. Quoted from TS 24.371 A.3.2 step 1. */
  identityBound: must('TS 24.371 A.3.2 step 1, TS 33.203 X.3', {
    id: 'R36',
    quote: 'The WWSF forwards the access token and the IMS identity to the WIC.',
    source: 'V',
  }),
} as const

/** The clause that makes each defect of a token invalid (recalled, not re-read: source 'R'). */
const TOKEN_DEFECT_CLAUSES: Readonly<Record<string, string>> = {
  expired: 'RFC 7519 §4.1.4 (exp)',
  'not-yet-valid': 'RFC 7519 §4.1.5 (nbf)',
  'wrong-audience': 'RFC 7519 §4.1.3 (aud), RFC 8725 §3.9',
  'wrong-issuer': 'RFC 8725 §3.8 (iss)',
  'alg-none': 'RFC 8725 §3.1, RFC 7518 §3.6',
  'unknown-key': 'RFC 7515 §5.2 (signature validation)',
  'tampered-payload': 'RFC 7515 §5.2 (signature validation)',
  'alg-confusion': 'RFC 8725 §2.1, §3.1 (algorithm allow-list; a public key is no HMAC secret)',
  'embedded-jwk': 'RFC 8725 §3.10, RFC 7515 §4.1.3 (a key the token brings is not trusted)',
  'no-exp': 'RFC 9068 §2.2 (exp REQUIRED)',
  'aud-array-other': 'RFC 7519 §4.1.3 (aud, an array not holding the eP-CSCF), RFC 8725 §3.9',
  'wrong-typ': 'RFC 8725 §3.11 (explicit typing), RFC 9068 §2.1 and §4 (typ at+jwt)',
  // RFC 7519 §4.1.3 (read) rejects only "when this claim is present" and calls aud OPTIONAL: the MUST for a token
  // without aud is RFC 9068's (the WWSF token taken as a JWT access token) and RFC 8725 §3.9's for an issuer whose
  // tokens serve several relying parties ("if the audience value is not present ... it MUST reject the JWT", recalled).
  'no-aud': 'RFC 9068 §2.2 (aud REQUIRED) and §4 (the resource server MUST validate aud), RFC 8725 §3.9',
  oversized: 'RFC 7515 §5.2 (signature validation; the payload grew after signing)',
  'jku-decoy': 'RFC 8725 §3.10, RFC 7515 §4.1.2 (a key the token points at by jku is not the WWSF key)',
  'x5u-decoy': 'RFC 8725 §3.10, RFC 7515 §4.1.5 (a key the token points at by x5u is not the WWSF key)',
  'removed-key': 'RFC 7515 §5.2 (a key the WWSF no longer publishes is not its key)',
  replayed: 'RFC 7519 §4.1.7 (jti; profile epcscf.token.jtiReplay: refuse)',
  'malformed-base64url': 'RFC 7515 §5.2 step 1, §2 (Base64url Encoding without padding)',
}

/** R32 for one defect of the token (`expired`, `wrong-issuer`, ...): TS 24.371 A.3.2 step 4 and the defect's RFC. */
export function tokenValidated(defect: string | undefined) {
  const clause = defect === undefined ? undefined : TOKEN_DEFECT_CLAUSES[defect]
  return clause === undefined
    ? TOKEN.validated
    : must(`TS 24.371 A.3.2 step 4; ${clause}`, { id: 'R32', source: 'R' })
}
