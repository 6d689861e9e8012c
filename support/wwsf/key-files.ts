import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { JSONWebKeySet } from 'jose'
import type { SigningKeys } from './signing-keys.ts'

/** Paths of the WWSF's public key as written for an eP-CSCF provisioned statically (interop contract). */
export interface WwsfKeyFiles {
  readonly jwks: string
  readonly publicKeyPem: string
}

export function wwsfKeyFiles(filesDir: string): WwsfKeyFiles {
  return {
    jwks: join(filesDir, 'wwsf', 'jwks.json'),
    publicKeyPem: join(filesDir, 'wwsf', 'signing-key.pub.pem'),
  }
}

/**
 * Writes the public key as a JWKS file and an SPKI PEM file into the SUT files folder; after a key rotation, the
 * JWKS the WWSF publishes (`jwks`) and the PEM of the key it signs with.
 */
export function writeWwsfKeyFiles(filesDir: string, keys: SigningKeys, jwks?: JSONWebKeySet): WwsfKeyFiles {
  const files = wwsfKeyFiles(filesDir)
  mkdirSync(join(filesDir, 'wwsf'), { recursive: true })
  writeFileSync(files.jwks, `${JSON.stringify(jwks ?? keys.jwks, null, 2)}\n`)
  writeFileSync(files.publicKeyPem, keys.publicKeyPem)
  return files
}
