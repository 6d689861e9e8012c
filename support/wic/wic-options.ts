import { randomBytes, randomUUID } from 'node:crypto'
import type { SecureVersion } from 'node:tls'
import type { DigestAlgorithm } from '../sip/digest.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'

/** RFC 3261 §17.1.1.1 timer values (T1, T2, T4), in ms. */
export interface WicTimers {
  T1: number
  T2: number
  T4: number
}

export const DEFAULT_TIMERS: WicTimers = { T1: 500, T2: 4000, T4: 5000 }

/** Options of `Wic.connect`. Defaults follow the interop contract (shared/interop-contract.md). */
export interface WicOptions {
  /** Short name used in traces and errors: observer `WIC <name>`. */
  name: string
  /** Private user identity, e.g. `alice@ims.harness.test` (Authorization username, TS 24.229 §5.1.1.2). */
  impi: string
  /** Public user identity registered, e.g. `sip:alice@ims.harness.test` (From and To of REGISTER). */
  impu: string
  password: string
  /** Home domain and realm; the REGISTER Request-URI is `sip:<domain>` (RFC 3261 §10.2). */
  domain?: string
  /** The eP-CSCF's WebSocket URL, e.g. `wss://127.0.0.1:7443/`. */
  url: string
  /** Origin header of the upgrade (RFC 6455 §4.1); undefined sends none. */
  origin?: string | undefined
  /** Sec-WebSocket-Protocol offered; default `['sip']` (RFC 7118 §4.1). */
  protocols?: string[]
  /** CA certificate(s) that signed the eP-CSCF's certificate (PEM). */
  ca?: string | Buffer
  minVersion?: SecureVersion
  maxVersion?: SecureVersion
  /** OpenSSL cipher list of the WIC's TLS client; `DEFAULT@SECLEVEL=0` lets it offer TLS 1.0/1.1 (R07 tests). */
  ciphers?: string
  servername?: string
  timers?: Partial<WicTimers>
  trace: TraceRecorder
  /** Default deadline of every expectation and of the handshake, in ms. */
  waitMs?: number
  /** `urn:uuid:...` (with or without `<>`); generated when absent (RFC 5626 §4.1). */
  instanceId?: string
  /** RFC 5626 §4.2 reg-id; default 1. */
  regId?: number
  /** Contact expires requested by `register()` when the call gives none; default 600. */
  expires?: number
  /** Digest algorithms this WIC supports, most preferred first; default SHA-256, SHA-256-sess, MD5, MD5-sess. */
  digestAlgorithms?: DigestAlgorithm[]
  /** TS 24.371 §7.2.1: repeat the Bearer token of the registration in every request built; default true. */
  repeatBearer?: boolean
  /**
   * Preload the Service-Route of the last registration as the Route of initial requests, as a 3GPP UE does
   * (TS 24.229 §5.1.2A.1.1, RFC 3608 §6.1); default true. False behaves as JsSIP and SIP.js do: no preloaded Route
   * (profile `wic.style: browser-library`).
   */
  preloadServiceRoute?: boolean
  userAgent?: string
}

export interface ResolvedWicOptions {
  readonly name: string
  readonly observer: string
  readonly impi: string
  readonly impu: string
  readonly password: string
  readonly domain: string
  readonly url: string
  readonly origin: string | undefined
  readonly protocols: string[]
  readonly ca: string | Buffer | undefined
  readonly minVersion: SecureVersion | undefined
  readonly maxVersion: SecureVersion | undefined
  readonly ciphers: string | undefined
  readonly servername: string | undefined
  readonly timers: WicTimers
  readonly trace: TraceRecorder
  readonly waitMs: number
  /** Always `urn:uuid:<uuid>`, without angle brackets. */
  readonly instanceId: string
  readonly regId: number
  readonly expires: number
  readonly digestAlgorithms: DigestAlgorithm[]
  readonly repeatBearer: boolean
  readonly preloadServiceRoute: boolean
  readonly userAgent: string
}

export const DEFAULT_DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
]

export function resolveWicOptions(opts: WicOptions): ResolvedWicOptions {
  const instance = (opts.instanceId ?? `urn:uuid:${randomUUID()}`).replace(/^<|>$/g, '')
  return {
    name: opts.name,
    observer: `WIC ${opts.name}`,
    impi: opts.impi,
    impu: opts.impu,
    password: opts.password,
    domain: opts.domain ?? 'ims.harness.test',
    url: opts.url,
    origin: opts.origin,
    protocols: opts.protocols ?? ['sip'],
    ca: opts.ca,
    minVersion: opts.minVersion,
    maxVersion: opts.maxVersion,
    ciphers: opts.ciphers,
    servername: opts.servername,
    timers: { ...DEFAULT_TIMERS, ...opts.timers },
    trace: opts.trace,
    waitMs: opts.waitMs ?? 4000,
    instanceId: instance,
    regId: opts.regId ?? 1,
    expires: opts.expires ?? 600,
    digestAlgorithms: [...(opts.digestAlgorithms ?? DEFAULT_DIGEST_ALGORITHMS)],
    repeatBearer: opts.repeatBearer ?? true,
    preloadServiceRoute: opts.preloadServiceRoute ?? true,
    userAgent: opts.userAgent ?? 'epcscf-harness-wic/0.1',
  }
}

/** A lower-case alphanumeric token of `length` characters, for `.invalid` host names and Contact users. */
export function randomToken(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(length)
  let out = ''
  for (const b of bytes) out += alphabet[b % alphabet.length]
  return out
}
