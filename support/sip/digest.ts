/**
 * HTTP Digest as used by SIP: RFC 2617 §3.2.2 (MD5, MD5-sess, qop=auth and the RFC 2069 no-qop form), RFC 7616
 * §3.4 (SHA-256, SHA-256-sess) and RFC 8760 (SHA-256 in SIP, which updates RFC 3261 §22.4).
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess'

export interface DigestInput {
  algorithm: DigestAlgorithm
  username: string
  realm: string
  password: string
  method: string
  uri: string
  nonce: string
  qop?: 'auth'
  /** nonce-count, 8 hex digits (`00000001`); required with qop. */
  nc?: string
  /** Required with qop and with the -sess algorithms. */
  cnonce?: string
  /** Message body; only qop=auth-int would use it, which the harness does not offer. */
  body?: string
}

function hash(algorithm: DigestAlgorithm, data: string): string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5'
  return createHash(name).update(data, 'utf8').digest('hex')
}

/**
 * The request-digest in lower-case hex. RFC 7616 §3.4.1: "If the qop value is "auth" ...
 * response = <"> < KD ( H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2) ) <">"; RFC 2617 §3.2.2.1 for
 * the compatibility form without qop: "request-digest = <"> < KD ( H(A1), unq(nonce-value) ":" H(A2) ) > <">".
 * A1 = unq(username) ":" unq(realm) ":" passwd; for "-sess": "A1 = H( unq(username) ":" unq(realm) ":" passwd )
 * ":" unq(nonce-prime) ":" unq(cnonce-prime)" (RFC 7616 §3.4.2). A2 = Method ":" request-uri (RFC 7616 §3.4.3).
 */
export function computeDigestResponse(input: DigestInput): string {
  const { algorithm } = input
  let ha1 = hash(algorithm, `${input.username}:${input.realm}:${input.password}`)
  if (algorithm.endsWith('-sess')) {
    if (input.cnonce === undefined) throw new TypeError(`${algorithm} needs a cnonce`)
    ha1 = hash(algorithm, `${ha1}:${input.nonce}:${input.cnonce}`)
  }
  const ha2 = hash(algorithm, `${input.method}:${input.uri}`)
  if (input.qop === undefined) return hash(algorithm, `${ha1}:${input.nonce}:${ha2}`)
  if (input.nc === undefined || input.cnonce === undefined)
    throw new TypeError('qop=auth needs nc and cnonce')
  return hash(algorithm, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`)
}

/** Checks a received response value in constant time (hex compared case-insensitively). */
export function verifyDigestResponse(input: DigestInput, response: string): boolean {
  const expected = Buffer.from(computeDigestResponse(input), 'utf8')
  const actual = Buffer.from(response.toLowerCase(), 'utf8')
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
