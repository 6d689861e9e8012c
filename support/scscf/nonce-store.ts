import type { DigestAlgorithm } from '../sip/digest.ts'
import { randomText } from '../sip/ids.ts'

/** One nonce the registrar issued in a 401 (RFC 7616 §3.3). */
export interface IssuedNonce {
  readonly value: string
  /** The IMPI the challenge was for: a nonce is not valid for anybody else. */
  readonly impi: string
  /** Algorithms offered alongside this nonce, in the order of the WWW-Authenticate lines. */
  readonly algorithms: readonly DigestAlgorithm[]
  readonly issuedAt: number
  readonly expiresAt: number
  /** Highest nonce count accepted so far (0: none yet). */
  lastNc: number
}

export type NonceCheck =
  | { readonly state: 'unknown' }
  | { readonly state: 'stale'; readonly nonce: IssuedNonce }
  | { readonly state: 'valid'; readonly nonce: IssuedNonce }

/**
 * Nonces issued by the registrar, each with a lifetime (RFC 7616 §3.3: "The contents of the nonce are
 * implementation dependent"; the server decides how long one stays valid) and the nonce count seen so far, for
 * the replay check of RFC 7616 §3.4 ("The server can use the nc value to detect replay").
 */
export class NonceStore {
  private readonly nonces = new Map<string, IssuedNonce>()

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  issue(impi: string, algorithms: readonly DigestAlgorithm[]): IssuedNonce {
    this.sweep()
    const issuedAt = this.now()
    const nonce: IssuedNonce = {
      value: randomText(18, 'base64url'),
      impi,
      algorithms: [...algorithms],
      issuedAt,
      expiresAt: issuedAt + this.lifetimeMs,
      lastNc: 0,
    }
    this.nonces.set(nonce.value, nonce)
    return nonce
  }

  check(value: string): NonceCheck {
    const nonce = this.nonces.get(value)
    if (!nonce) return { state: 'unknown' }
    return this.now() >= nonce.expiresAt ? { state: 'stale', nonce } : { state: 'valid', nonce }
  }

  /**
   * Accepts a nonce count (8 hex digits, RFC 7616 §3.4) if it is higher than every one accepted before with this
   * nonce; returns false for a replay or a malformed count.
   */
  acceptNc(nonce: IssuedNonce, nc: string): boolean {
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) return false
    const count = Number.parseInt(nc, 16)
    if (count <= nonce.lastNc) return false
    nonce.lastNc = count
    return true
  }

  clear(): void {
    this.nonces.clear()
  }

  get size(): number {
    return this.nonces.size
  }

  /**
   * Forgets nonces long past their lifetime (kept a while so that a late answer is stale, not unknown). Every nonce
   * gets the same lifetime, so the Map's insertion order is the order of expiry: the sweep walks from the oldest
   * and stops at the first one still kept, O(1) amortised per issued nonce (a scan of the whole Map each time was
   * O(n) per challenge, slow under load with many thousand nonces).
   */
  private sweep(): void {
    const cutoff = this.now() - 10 * this.lifetimeMs
    for (const [value, nonce] of this.nonces) {
      if (nonce.expiresAt >= cutoff) break
      this.nonces.delete(value)
    }
  }
}
