import { writeWwsfKeyFiles } from './key-files.ts'
import { SigningKeys } from './signing-keys.ts'
import type { Wwsf } from './wwsf.ts'

/**
 * The WWSF's key rotation as an eP-CSCF sees it (issue 9 §2): the WWSF signs with a new key and publishes it in its
 * JWKS (beside the old one, or instead of it), and the harness rewrites the key files it wrote for a statically
 * provisioned eP-CSCF (`{{wwsf.jwks}}` with the keys published, `{{wwsf.publicKeyPem}}` the new key). `undo` puts
 * the WWSF and the files back as they were, for the next scenario.
 */
export interface KeyRotation {
  readonly next: SigningKeys
  readonly previous: SigningKeys
  undo(): void
}

export async function rotateWwsfKey(
  wwsf: Wwsf,
  filesDir: string,
  mode: 'beside-old' | 'replace-old',
): Promise<KeyRotation> {
  const previous = wwsf.keys
  const published = wwsf.jwks
  const next = await SigningKeys.generate(previous.alg)
  wwsf.rotate(next, mode === 'beside-old' ? [next, previous] : [next])
  writeWwsfKeyFiles(filesDir, next, wwsf.jwks)
  return {
    next,
    previous,
    undo() {
      wwsf.rotate(previous, [previous])
      writeWwsfKeyFiles(filesDir, previous, published)
    },
  }
}

/**
 * Resolves once `intervalS` seconds have passed since the WWSF last served its JWKS (profile
 * epcscf.token.jwksRefetchIntervalS): an eP-CSCF that rate-limits its fetches may fetch again from then on.
 */
export async function awaitJwksRefetchWindow(wwsf: Wwsf, intervalS: number): Promise<void> {
  const waitMs = wwsf.lastJwksServedAt + intervalS * 1000 - Date.now()
  if (intervalS > 0 && waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
}
