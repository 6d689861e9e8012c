import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose'

/**
 * The WWSF's signing key, and the only place the harness makes tokens (TR 23.701 X.2.1.3 step 1: "issues a
 * security token for the user ... and returns the IMS identities as claims within the security token"). The JWT
 * profile is the interop contract's: JWS compact, header `kid` and `typ: at+jwt` (RFC 9068 §2.1), claims iss,
 * aud, sub, iat, nbf, exp, jti and the identity claims (`impi`, `impu`; renamable). `mintHostile` makes the
 * tokens of the attack matrix (RFC 8725 §3), each wrong in exactly one way, signed by the same trusted key unless
 * the defect is the signature.
 */

export type SigningAlgorithm = 'ES256' | 'RS256'

/** Who a token is for: the web user's IMS identities (TS 24.371 A.3.2 step 1). */
export interface TokenSubject {
  readonly impi: string
  readonly impus: readonly string[]
}

export interface TokenProfile {
  readonly issuer: string
  readonly audience: string
  /** Lifetime in seconds; default 300. */
  readonly lifetimeS?: number
  /** Identity claim names; default `impi`, `impu`. */
  readonly claims?: { readonly impi?: string; readonly impu?: string }
}

/** One defect per token of the attack matrix (docs/requirements-catalogue.md §4.3). */
export type HostileToken =
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'alg-none'
  | 'unknown-key'
  | 'tampered-payload'
  /** Signed by the trusted key, but claiming identities of another subscriber (`other`). */
  | 'foreign-impu'
  /** HS256 with the WWSF's public key (SPKI PEM) as the HMAC secret (RFC 8725 §2.1). */
  | 'alg-confusion'
  /** Signed by an attacker's key whose public half the header embeds as `jwk` (RFC 8725 §3.10). */
  | 'embedded-jwk'
  /** Without `exp` (RFC 9068 §2.2: exp is REQUIRED). */
  | 'no-exp'
  /** `aud` an array holding only another audience (RFC 7519 §4.1.3). */
  | 'aud-array-other'
  /** `typ` of another kind of JWT (secevent+jwt, RFC 8417) instead of at+jwt (RFC 8725 §3.11, RFC 9068 §4). */
  | 'wrong-typ'
  /** The genuine token with its signature in a character set that is not base64url (RFC 7515 §7.1, §2). */
  | 'malformed-base64url'
  /** Without `aud` (RFC 9068 §2.2: aud REQUIRED; §4: the resource server MUST validate it). */
  | 'no-aud'
  /** Over 64 KiB: the genuine claims with a padding claim added after signing (so also tampered). */
  | 'oversized'

export const HOSTILE_TOKENS: readonly HostileToken[] = [
  'expired',
  'not-yet-valid',
  'wrong-audience',
  'wrong-issuer',
  'alg-none',
  'unknown-key',
  'tampered-payload',
  'foreign-impu',
  'alg-confusion',
  'embedded-jwk',
  'no-exp',
  'aud-array-other',
  'wrong-typ',
  'malformed-base64url',
  'no-aud',
  'oversized',
]

/** The size of the `oversized` token: 64 KiB and more (issue 9 §2). */
export const OVERSIZED_TOKEN_BYTES = 64 * 1024

export const TOKEN_TYP = 'at+jwt'

export class SigningKeys {
  private constructor(
    readonly alg: SigningAlgorithm,
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly publicKeyPem: string,
    readonly kid: string,
    readonly privateKeyPem: string,
  ) {}

  /** A fresh key pair. */
  static async generate(alg: SigningAlgorithm = 'ES256'): Promise<SigningKeys> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true })
    return SigningKeys.fromPrivateKey(alg, privateKey)
  }

  /** A key pair from its PKCS #8 PEM (a profile's fixed key, so that an eP-CSCF is provisioned once). */
  static async fromPem(pem: string, alg: SigningAlgorithm = 'ES256'): Promise<SigningKeys> {
    return SigningKeys.fromPrivateKey(alg, await importPKCS8(pem, alg, { extractable: true }))
  }

  /**
   * The key kept at `path` (PKCS #8 PEM), minted on first use and kept across runs like the test PKI. Written to
   * a temporary file renamed into place, so that parallel workers all end up with one key.
   */
  static async ensure(path: string, alg: SigningAlgorithm = 'ES256'): Promise<SigningKeys> {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true })
      const staging = `${path}.${process.pid}.${randomUUID()}.tmp`
      writeFileSync(staging, (await SigningKeys.generate(alg)).privateKeyPem, { mode: 0o600 })
      if (existsSync(path)) rmSync(staging, { force: true })
      else renameSync(staging, path)
    }
    return SigningKeys.fromPem(readFileSync(path, 'utf8'), alg)
  }

  private static async fromPrivateKey(alg: SigningAlgorithm, privateKey: CryptoKey): Promise<SigningKeys> {
    const privateJwk = await exportJWK(privateKey)
    const publicOnly: JWK =
      privateJwk.kty === 'RSA'
        ? { kty: 'RSA', n: privateJwk.n, e: privateJwk.e }
        : { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y }
    const kid = await calculateJwkThumbprint(publicOnly)
    const publicJwk: JWK = { ...publicOnly, kid, alg, use: 'sig' }
    const publicKeyPem = await exportSPKI(createPublicKey({ key: publicOnly as JsonWebKey, format: 'jwk' }))
    return new SigningKeys(alg, privateKey, publicJwk, publicKeyPem, kid, await exportPKCS8(privateKey))
  }

  /** The JWKS the WWSF publishes (and the harness writes for a statically provisioned eP-CSCF). */
  get jwks(): JSONWebKeySet {
    return { keys: [this.publicJwk] }
  }

  /** The claims of a genuine token for `subject`, issued now. */
  claims(profile: TokenProfile, subject: TokenSubject, nowS = Math.floor(Date.now() / 1000)): JWTPayload {
    return {
      iss: profile.issuer,
      aud: profile.audience,
      sub: subject.impi,
      iat: nowS,
      nbf: nowS,
      exp: nowS + (profile.lifetimeS ?? 300),
      jti: randomUUID(),
      [profile.claims?.impi ?? 'impi']: subject.impi,
      [profile.claims?.impu ?? 'impu']: [...subject.impus],
    }
  }

  /** Signs `payload` as an access token with this key. */
  sign(payload: JWTPayload): Promise<string> {
    return SigningKeys.signWith(this.privateKey, this.alg, this.kid, payload)
  }

  /** A genuine token for `subject`. */
  issue(profile: TokenProfile, subject: TokenSubject): Promise<string> {
    return this.sign(this.claims(profile, subject))
  }

  /**
   * A token for `subject` wrong in exactly one way. `other` is the subscriber whose identities a `foreign-impu`
   * token claims; for `tampered-payload` the genuine token's payload gets `other`'s IMPUs added (the subject's stay, so
   * that only the signature can catch it) and the signature is kept.
   */
  async mintHostile(
    kind: HostileToken,
    profile: TokenProfile,
    subject: TokenSubject,
    other?: TokenSubject,
  ): Promise<string> {
    const nowS = Math.floor(Date.now() / 1000)
    const good = this.claims(profile, subject, nowS)
    const impuClaim = profile.claims?.impu ?? 'impu'
    const foreign = [...(other ?? { impus: ['sip:mallory@attacker.invalid'] }).impus]
    switch (kind) {
      case 'expired':
        return this.sign({ ...good, iat: nowS - 3600, nbf: nowS - 3600, exp: nowS - 3300 })
      case 'not-yet-valid':
        return this.sign({ ...good, nbf: nowS + 3600, exp: nowS + 3900 })
      case 'wrong-audience':
        return this.sign({ ...good, aud: 'sip:other-epcscf.attacker.invalid' })
      case 'wrong-issuer':
        return this.sign({ ...good, iss: 'https://wwsf.attacker.invalid' })
      case 'alg-none':
        return `${b64({ alg: 'none', kid: this.kid, typ: TOKEN_TYP })}.${b64(good)}.`
      case 'unknown-key': {
        // Same kid as the trusted key: a key substitution, not merely an unknown kid.
        const { privateKey } = await generateKeyPair(this.alg)
        return SigningKeys.signWith(privateKey, this.alg, this.kid, good)
      }
      case 'tampered-payload': {
        const [header, , signature] = (await this.sign(good)).split('.')
        return `${header}.${b64({ ...good, [impuClaim]: [...subject.impus, ...foreign] })}.${signature}`
      }
      case 'foreign-impu':
        return this.sign({ ...good, [impuClaim]: foreign })
      case 'alg-confusion':
        return new SignJWT(good)
          .setProtectedHeader({ alg: 'HS256', kid: this.kid, typ: TOKEN_TYP })
          .sign(Buffer.from(this.publicKeyPem))
      case 'embedded-jwk': {
        const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
        const jwk = await exportJWK(publicKey)
        return new SignJWT(good).setProtectedHeader({ alg: 'ES256', jwk, typ: TOKEN_TYP }).sign(privateKey)
      }
      case 'no-exp': {
        const rest = { ...good }
        delete rest.exp
        return this.sign(rest)
      }
      case 'aud-array-other':
        return this.sign({ ...good, aud: ['sip:other-epcscf.attacker.invalid'] })
      case 'malformed-base64url': {
        const [header, payload, signature] = (await this.sign(good)).split('.')
        return `${header}.${payload}.${(signature ?? '').replace(/-/g, '+').replace(/_/g, '/')}!*==`
      }
      case 'no-aud': {
        const rest = { ...good }
        delete rest.aud
        return this.sign(rest)
      }
      case 'oversized': {
        const [header, , signature] = (await this.sign(good)).split('.')
        const pad = 'A'.repeat(Math.ceil((OVERSIZED_TOKEN_BYTES * 3) / 4))
        return `${header}.${b64({ ...good, pad })}.${signature}`
      }
      case 'wrong-typ':
        return new SignJWT(good)
          .setProtectedHeader({ alg: this.alg, kid: this.kid, typ: 'secevent+jwt' })
          .sign(this.privateKey)
    }
  }

  private static signWith(
    key: CryptoKey,
    alg: SigningAlgorithm,
    kid: string,
    payload: JWTPayload,
  ): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: TOKEN_TYP }).sign(key)
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
