import { createPublicKey, createSecretKey, KeyObject, X509Certificate, type JsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Faults } from './faults.ts'
import { get } from 'node:https'
import {
  createLocalJWKSet,
  decodeJwt,
  EmbeddedJWK,
  decodeProtectedHeader,
  errors,
  generateKeyPair,
  SignJWT,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'

/**
 * Verification of the WWSF's access token for the web-authentication scheme (TR 23.701 X.2.1.3 step 4: "The
 * eP-CSCF validates the contents of the security token and confirms that the IMS identities being registered are
 * authorized by the security token"). The JWT profile is the harness's (interop contract: ES256 or RS256, `kid`,
 * `typ: at+jwt`, claims iss/aud/exp/nbf and the identity claims `impi` and `impu`, renamable).
 */

export interface TokenVerifierOptions {
  /** Where the keys come from: a JWKS URL (fetched with `ca` as trust anchor), a JWKS, or one SPKI PEM. */
  readonly jwksUrl?: string
  readonly ca?: string
  readonly jwks?: JSONWebKeySet
  /** A JWKS file, read again whenever it changes (the WWSF's key rotation, written by the harness). */
  readonly jwksFile?: string
  readonly publicKeyPem?: string
  /** Expected `iss`, e.g. https://wwsf.harness.test:8443. */
  readonly issuer: string
  /** Expected `aud`: the eP-CSCF identity, e.g. sip:epcscf.harness.test. */
  readonly audience: string
  /** Allow-list of JWS algorithms (RFC 8725 §3.1: never take `alg` on trust). Default ES256, RS256. */
  readonly algorithms?: readonly string[]
  /** Claim names of the identities (3GPP defines none). Default `impi`, `impu`. */
  readonly claims?: { readonly impi?: string; readonly impu?: string }
  readonly clockToleranceS?: number
  /** The clock (tests move it instead of sleeping). */
  readonly now?: () => Date
  /** Fault switches of the reference eP-CSCF that act here (token-signature/expiry/audience-unchecked, ...). */
  readonly faults?: Faults
}

export type TokenVerdict =
  | {
      readonly ok: true
      readonly impi: string
      readonly impus: readonly string[]
      readonly payload: JWTPayload
    }
  | { readonly ok: false; readonly reason: string }

export interface TokenVerifier {
  verify(token: string): Promise<TokenVerdict>
}

/** The JWT access token profile's media type (RFC 9068 §2.1: "typ" header parameter value "at+jwt"). */
const ACCESS_TOKEN_TYP = 'at+jwt'

export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const algorithms = [...(opts.algorithms ?? ['ES256', 'RS256'])]
  const impiClaim = opts.claims?.impi ?? 'impi'
  const impuClaim = opts.claims?.impu ?? 'impu'
  const key = keySource(opts)
  const fault = (name: Parameters<Faults['has']>[0]) => opts.faults?.has(name) === true

  return {
    async verify(token: string): Promise<TokenVerdict> {
      let payload: JWTPayload
      try {
        const checked = fault('token-signature-unchecked')
          ? await resignedUnchecked(token)
          : await faultyKey(token, key, fault)
        ;({ payload } = await jwtVerify(checked?.token ?? token, checked?.key ?? key, {
          issuer: opts.issuer,
          ...(fault('token-audience-unchecked') || (fault('token-aud-optional') && !hasAud(token))
            ? {}
            : { audience: opts.audience }),
          algorithms: checked?.algorithms ?? algorithms,
          // RFC 8725 §3.11 (explicit typing): a JWT of another kind is not an access token.
          ...(fault('token-typ-unchecked') ? {} : { typ: ACCESS_TOKEN_TYP }),
          requiredClaims: fault('token-exp-optional')
            ? [impiClaim, impuClaim]
            : ['exp', impiClaim, impuClaim],
          // The expiry fault: a tolerance of ten years makes exp and nbf meaningless.
          clockTolerance: fault('token-expiry-unchecked') ? 10 * 365 * 86_400 : (opts.clockToleranceS ?? 5),
          ...(opts.now === undefined ? {} : { currentDate: opts.now() }),
        }))
      } catch (error) {
        return { ok: false, reason: describe(error) }
      }
      const impi = payload[impiClaim]
      const impuValue = payload[impuClaim]
      const impus = typeof impuValue === 'string' ? [impuValue] : impuValue
      if (typeof impi !== 'string' || impi === '')
        return { ok: false, reason: `claim ${impiClaim} is not a string` }
      if (!Array.isArray(impus) || impus.length === 0 || !impus.every((u) => typeof u === 'string')) {
        return { ok: false, reason: `claim ${impuClaim} is not a list of URIs` }
      }
      return { ok: true, impi, impus: impus as string[], payload }
    },
  }
}

/**
 * The key of two faults of the classic JWS pitfalls (RFC 8725 §2.1, §3.1, §3.10): `token-alg-confusion` verifies an
 * HS256 token with the WWSF's public key (SPKI PEM) as the HMAC secret; `token-embedded-key-trusted` verifies a
 * token with the `jwk` its own header embeds. Undefined (the correct path) otherwise.
 */
async function faultyKey(
  token: string,
  key: JWTVerifyGetKey | KeyObject,
  fault: (name: Parameters<Faults['has']>[0]) => boolean,
): Promise<
  { token: string; key: KeyObject | CryptoKey | JWTVerifyGetKey; algorithms: string[] } | undefined
> {
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch {
    return undefined
  }
  if (fault('token-embedded-key-trusted') && header.jwk !== undefined)
    return { token, key: EmbeddedJWK, algorithms: ['ES256', 'RS256'] }
  const keyUrl = header.jku ?? header.x5u
  if (fault('token-key-url-followed') && typeof keyUrl === 'string') {
    // The SSRF of RFC 8725 §3.10: the key comes from wherever the token says, the attacker's server included.
    const body = await fetchText(keyUrl, undefined, false)
    const key =
      header.jku !== undefined
        ? createLocalJWKSet(JSON.parse(body) as JSONWebKeySet)
        : new X509Certificate(body).publicKey
    return { token, key, algorithms: ['ES256', 'RS256'] }
  }
  if (fault('token-alg-confusion') && header.alg === 'HS256') {
    const parts = token.split('.')
    const asEs256 = { ...header, alg: 'ES256' }
    const publicKey =
      typeof key === 'function'
        ? await key(asEs256, { payload: parts[1] ?? '', signature: parts[2] ?? '' })
        : key
    if (publicKey instanceof Uint8Array) return undefined
    const asObject =
      publicKey instanceof KeyObject
        ? publicKey
        : 'kty' in publicKey
          ? createPublicKey({ key: publicKey as JsonWebKey, format: 'jwk' })
          : KeyObject.from(publicKey as CryptoKey)
    const pem = asObject.export({ type: 'spki', format: 'pem' }).toString()
    return { token, key: createSecretKey(Buffer.from(pem)), algorithms: ['HS256'] }
  }
  return undefined
}

/**
 * The `token-signature-unchecked` fault: the token's header and claims are re-signed with a throwaway key, so
 * that every other check still runs and only the signature (and `alg`) is never verified.
 */
let throwaway: Promise<Awaited<ReturnType<typeof generateKeyPair>>> | undefined
async function resignedUnchecked(
  token: string,
): Promise<{ token: string; key: KeyObject | CryptoKey; algorithms: string[] }> {
  throwaway ??= generateKeyPair('ES256')
  const { privateKey, publicKey } = await throwaway
  const header = decodeProtectedHeader(token)
  const resigned = await new SignJWT(decodeJwt(token))
    .setProtectedHeader({ ...header, alg: 'ES256' })
    .sign(privateKey)
  return { token: resigned, key: publicKey, algorithms: ['ES256'] }
}

function keySource(opts: TokenVerifierOptions): JWTVerifyGetKey | KeyObject {
  if (opts.jwksFile !== undefined)
    return fileJwks(opts.jwksFile, opts.faults?.has('token-keys-never-refreshed') === true)
  if (opts.jwks !== undefined) return createLocalJWKSet(opts.jwks)
  // jose checks the key type against the token's alg (an EC key only verifies ES*, an RSA key RS*/PS*).
  if (opts.publicKeyPem !== undefined) return createPublicKey(opts.publicKeyPem)
  if (opts.jwksUrl !== undefined) return remoteJwks(opts.jwksUrl, opts.ca)
  throw new TypeError('token verification needs jwks, publicKeyPem or jwksUrl')
}

/**
 * A JWKS fetched over HTTPS with the harness CA (node's https, since the test CA is not in fetch's trust store),
 * re-fetched at most every 10 s when a token names a key it does not hold (key rotation).
 */
function remoteJwks(url: string, ca: string | undefined): JWTVerifyGetKey {
  let current: JWTVerifyGetKey | undefined
  let fetchedAt = 0
  const load = async (): Promise<JWTVerifyGetKey> => {
    current = createLocalJWKSet(await fetchJson(url, ca))
    fetchedAt = Date.now()
    return current
  }
  return async (header, token) => {
    const keys = current ?? (await load())
    try {
      return await keys(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - fetchedAt < 10_000) throw error
      return (await load())(header, token)
    }
  }
}

/**
 * A JWKS file provisioned by the operator, read again when its content changes: a key the WWSF added is
 * honoured and a key it removed is refused from the next token on (OpenID Connect Core §10.1.1 rotation, recalled).
 */
function fileJwks(path: string, readOnce: boolean): JWTVerifyGetKey {
  // Compared by content, not by modification time (a rewrite within the file system's time resolution).
  const read = () => {
    const text = readFileSync(path, 'utf8')
    return { text, keys: createLocalJWKSet(JSON.parse(text) as JSONWebKeySet) }
  }
  // Read at start, as provisioned; the token-keys-never-refreshed fault keeps these keys whatever the file says.
  let loaded = read()
  return async (header, token) => {
    if (!readOnce && readFileSync(path, 'utf8') !== loaded.text) loaded = read()
    return loaded.keys(header, token)
  }
}

/** Whether the token's payload has an `aud` claim (for the token-aud-optional fault). */
function hasAud(token: string): boolean {
  try {
    return decodeJwt(token).aud !== undefined
  } catch {
    return true
  }
}

async function fetchJson(url: string, ca: string | undefined): Promise<JSONWebKeySet> {
  return JSON.parse(await fetchText(url, ca)) as JSONWebKeySet
}

function fetchText(url: string, ca: string | undefined, verifyPeer = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const tls = { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: verifyPeer }
    const req = get(url, { ...tls, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`))
        else resolve(body)
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)))
    req.on('error', reject)
  })
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}
