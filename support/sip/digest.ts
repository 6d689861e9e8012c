/** HTTP Digest for SIP (RFC 2617, RFC 7616, RFC 8760). TODO: implementation in progress. */
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
  nc?: string
  cnonce?: string
  body?: string
}
export function computeDigestResponse(_input: DigestInput): string {
  throw new Error('TODO')
}
export function verifyDigestResponse(_input: DigestInput, _response: string): boolean {
  throw new Error('TODO')
}
