/**
 * Why the mock S-CSCF refused, challenged again or could not serve a request: one table of reason → status →
 * text, after Kamailio's ims_registrar_scscf (`rerrno.h` + `reply.c`). Every response that is not a plain first
 * challenge or a success carries its reason on the wire as
 * `Warning: 399 scscf.harness.test "<reason>"` (RFC 3261 §20.43: warn-code 399 is "Miscellaneous warning"), so a
 * ladder diagram explains each 4xx without reading the harness's logs.
 */
export const REJECT_REASONS = {
  // Malformed requests (RFC 3261 §8.2, §21.4.1)
  unparseable: { status: 400, text: 'The request does not follow the RFC 3261 §25 grammar' },
  'missing-header': {
    status: 400,
    text: 'A mandatory header field (RFC 3261 §8.1.1) is missing or unparseable',
  },
  'cseq-method-mismatch': { status: 400, text: 'The CSeq method differs from the request method' },
  'to-invalid': { status: 400, text: 'The To header field does not hold a SIP or tel URI' },
  'authorization-invalid': { status: 400, text: 'The Authorization header field does not parse' },
  'contact-invalid': { status: 400, text: 'A Contact header field does not parse' },
  'expires-invalid': { status: 400, text: 'An Expires header field or expires parameter is not a number' },
  'star-contact-invalid': {
    status: 400,
    text: 'Contact "*" must be alone and come with Expires: 0 (RFC 3261 §10.3 step 6)',
  },
  'path-invalid': { status: 400, text: 'A Path header field does not parse' },
  'digest-uri-mismatch': {
    status: 400,
    text: 'The digest uri differs from the Request-URI (RFC 2617 §3.2.2.5)',
  },
  'digest-params-missing': { status: 400, text: 'qop=auth needs nc and cnonce (RFC 7616 §3.4)' },

  // Identities (Cx, TS 29.228)
  'unknown-impi': { status: 403, text: 'The HSS has no such private user identity' },
  'unknown-impu': { status: 403, text: 'The HSS has no such public user identity' },
  'impu-not-bound-to-impi': {
    status: 403,
    text: 'The public identity does not belong to the private identity',
  },

  // Authentication (TS 24.229 §5.4.1.2, RFC 7616, TS 33.203 Annex U)
  'digest-response-mismatch': { status: 403, text: 'The digest response does not match the HSS password' },
  'digest-realm-mismatch': { status: 403, text: 'The credentials are for another realm' },
  'digest-algorithm-not-offered': {
    status: 403,
    text: 'The digest algorithm was not offered in the challenge',
  },
  'digest-qop-mismatch': { status: 403, text: 'The challenge asked for qop=auth and the credentials differ' },
  'nonce-impi-mismatch': { status: 403, text: 'The nonce was issued for another private identity' },
  'nonce-unknown': { status: 401, text: 'The nonce was never issued here; a new challenge follows' },
  'nonce-stale': { status: 401, text: 'The nonce expired; the digest was right, retry with the new nonce' },
  'nonce-count-replay': {
    status: 401,
    text: 'The nonce count did not increase (RFC 7616 §3.4 replay check)',
  },
  'auth-done-from-untrusted-node': {
    status: 401,
    text: 'integrity-protected=auth-done is honoured only from a trusted node (TS 33.203 Annex U)',
  },
  'aka-integrity-value-ignored': {
    status: 401,
    text: 'integrity-protected yes/no/tls-connected denote IMS AKA (TS 33.203 P.4.2); the mock challenges with Digest',
  },

  // Registration procedure (RFC 3261 §10.3, RFC 3327)
  'out-of-order-cseq': {
    status: 500,
    text: 'Same Call-ID with a CSeq not higher than the binding (RFC 3261 §10.3 step 7)',
  },
  'interval-too-brief': {
    status: 423,
    text: 'The expiration interval is below Min-Expires (RFC 3261 §10.3)',
  },
  'path-missing': { status: 421, text: 'The REGISTER carries no Path (RFC 3327) and the mock requires one' },
  'not-registered': {
    status: 480,
    text: 'The public identity has no registered contact (RFC 3261 §21.4.18)',
  },

  // Anything else
  'no-route': { status: 404, text: 'The mock S-CSCF has no handler for this request' },
  'no-matching-transaction': { status: 481, text: 'CANCEL for no pending INVITE (RFC 3261 §9.2)' },
  'method-not-allowed': { status: 405, text: 'The mock S-CSCF does not serve this method' },
  'internal-error': { status: 500, text: 'A handler of the mock S-CSCF failed (see the trace notes)' },
} as const satisfies Record<string, { status: number; text: string }>

export type RejectReason = keyof typeof REJECT_REASONS

/** The warn-agent of the mock S-CSCF's Warning header fields. */
export const WARN_AGENT = 'scscf.harness.test'

/** `399 scscf.harness.test "digest-response-mismatch"` (RFC 3261 §20.43). */
export function warningValue(reason: RejectReason | string, agent = WARN_AGENT): string {
  return `399 ${agent} "${reason.replace(/["\\]/g, '')}"`
}

/** The reason a Warning header value names, if it is one of ours. */
export function reasonOfWarning(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^\s*399\s+\S+\s+"([^"]*)"/.exec(value)
  return m?.[1]
}
