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

export type FlowTokenResolution =
  | { readonly kind: 'valid'; readonly connection: number }
  /** Not a token of this instance, or altered on the way. */
  | { readonly kind: 'tampered' }

export class FlowTokens {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  issue(connection: number): string {
    const id = Buffer.alloc(4)
    id.writeUInt32BE(connection)
    return Buffer.concat([id, this.mac(id)]).toString('base64url')
  }

  resolve(token: string): FlowTokenResolution {
    const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0)
    if (bytes.length !== 4 + MAC_BYTES) return { kind: 'tampered' }
    const id = bytes.subarray(0, 4)
    if (!timingSafeEqual(bytes.subarray(4), this.mac(id))) return { kind: 'tampered' }
    return { kind: 'valid', connection: id.readUInt32BE() }
  }

  private mac(id: Buffer): Buffer {
    return createHmac('sha256', this.key).update(id).digest().subarray(0, MAC_BYTES)
  }
}
