import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Flow tokens (RFC 5626 §5.2): the user part of the eP-CSCF's Path and Record-Route URIs names the WebSocket
 * connection a WIC registered on, so that a terminating request that comes back along the Path is delivered over
 * that same connection (RFC 7118 Appendix B: the WebSocket server acts as an outbound edge proxy).
 *
 * RFC 5626 §5.2 asks that the proxy can tell a token it issued from a forged one; the token is the connection
 * number followed by a truncated HMAC-SHA-256 of it under a key of this eP-CSCF instance, base64url-encoded
 * (every base64url character is allowed in a SIP URI user part, RFC 3261 §25.1 `unreserved`).
 */

const MAC_BYTES = 12
const SALT_BYTES = 4

export type FlowTokenResolution =
  | { readonly kind: 'valid'; readonly connection: number }
  /** Not a token of this instance, or altered on the way. */
  | { readonly kind: 'tampered' }

export class FlowTokens {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  /** The connection's token; `fresh` adds 4 random bytes, so that each REGISTER gets a new token for the same
   * connection (the `flow-token-per-refresh` variant: RFC 5626 §5.2 leaves the token's form to the proxy). */
  issue(connection: number, fresh = false): string {
    const id = Buffer.alloc(4)
    id.writeUInt32BE(connection)
    const payload = fresh ? Buffer.concat([id, randomBytes(SALT_BYTES)]) : id
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url')
  }

  resolve(token: string): FlowTokenResolution {
    const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0)
    const payloadBytes = bytes.length - MAC_BYTES
    if (payloadBytes !== 4 && payloadBytes !== 4 + SALT_BYTES) return { kind: 'tampered' }
    const payload = bytes.subarray(0, payloadBytes)
    if (!timingSafeEqual(bytes.subarray(payloadBytes), this.mac(payload))) return { kind: 'tampered' }
    return { kind: 'valid', connection: payload.readUInt32BE(0) }
  }

  private mac(id: Buffer): Buffer {
    return createHmac('sha256', this.key).update(id).digest().subarray(0, MAC_BYTES)
  }
}
