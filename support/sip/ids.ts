/**
 * Random identifiers. RFC 3261 §8.1.1.7: "The branch ID inserted by an element compliant with this specification
 * MUST always begin with the characters "z9hG4bK""; §19.3: tags and Call-IDs "MUST be globally unique" and tags need
 * "at least 32 bits of randomness". All values are token characters (base64url or hex).
 */
import { randomBytes } from 'node:crypto'

export const MAGIC_COOKIE = 'z9hG4bK'

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomBytes(12).toString('base64url')}`
}

export function newTag(): string {
  return randomBytes(8).toString('hex')
}

/** callid = word [ "@" word ] (RFC 3261 §25.1); the host, when given, becomes the part after '@'. */
export function newCallId(host?: string): string {
  const id = randomBytes(16).toString('base64url')
  return host === undefined || host === '' ? id : `${id}@${host}`
}

export function newCnonce(): string {
  return randomBytes(16).toString('hex')
}
