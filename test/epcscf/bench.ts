import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { ReferenceEpcscf, type ReferenceEpcscfOptions } from '../../support/epcscf/reference-epcscf.ts'
import type { FaultName } from '../../support/epcscf/faults.ts'
import type { VariantName } from '../../support/epcscf/variants.ts'
import { MockScscf } from '../../support/scscf/mock-scscf.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { Wic } from '../../support/wic/wic.ts'
import type { WicOptions } from '../../support/wic/wic-options.ts'
import { localPki } from '../helpers/pki.ts'

/**
 * A real reference eP-CSCF in front of the real mock I/S-CSCF, both on free loopback ports, with scripted WICs:
 * the bench of the variant and fault unit tests. Short RFC 3261 timers; everything stops with `stop()`.
 */

export const ORIGIN = 'https://wwsf.harness.test:8443'
export const TIMERS = { T1: 50, T2: 400, T4: 500 }
const ISSUER = ORIGIN
const AUDIENCE = 'sip:epcscf.harness.test'

const USERS = {
  alice: { impi: 'alice@ims.harness.test', impu: 'sip:alice@ims.harness.test', password: 'alice-secret' },
  bob: { impi: 'bob@ims.harness.test', impu: 'sip:bob@ims.harness.test', password: 'bob-secret' },
} as const
export type User = keyof typeof USERS

export interface BenchOptions {
  readonly faults?: readonly FaultName[]
  readonly variants?: readonly VariantName[]
  /** Web authentication on, with a signing key of the bench (see `token`). */
  readonly tokens?: boolean
  readonly epcscf?: Partial<Omit<ReferenceEpcscfOptions, 'faults' | 'variants' | 'trace' | 'wss'>>
  readonly hostnames?: Readonly<Record<string, string>>
}

export interface Bench {
  readonly epcscf: ReferenceEpcscf
  readonly scscf: MockScscf
  readonly trace: TraceRecorder
  /** A connected WIC (default user alice, authorized origin). */
  wic(user?: User, over?: Partial<WicOptions>): Promise<Wic>
  /** Connects, expecting a refusal or an odd upgrade: the raw outcome of the handshake. */
  tryWic(over: Partial<WicOptions>): ReturnType<typeof Wic.tryConnect>
  /** A token for `user` signed by the bench's key (claims overridable). */
  token(
    user?: User,
    claims?: Record<string, unknown>,
    signingKey?: Parameters<SignJWT['sign']>[0],
  ): Promise<string>
  /** The key pair the bench's tokens are signed with (the reference knows its public half as kid "bench"). */
  readonly keys: Awaited<ReturnType<typeof generateKeyPair>>
  /** The JWKS file the reference reads the keys from (rewritten by key-rotation probes). */
  readonly jwksFile: string
  /** The requests of this method the S-CSCF received as scenario traffic. */
  atScscf(method: string): SipRequest[]
  stop(): Promise<void>
}

export async function startBench(opts: BenchOptions = {}): Promise<Bench> {
  const pki = await localPki()
  const trace = new TraceRecorder()
  const scscf = await MockScscf.start({
    port: 0,
    trace,
    timers: TIMERS,
    trustedNodes: ['127.0.0.1'],
    hostnames: opts.hostnames ?? { 'epcscf.harness.test': '127.0.0.1' },
  })
  const keys = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'ES256' }
  const jwksDir = mkdtempSync(join(tmpdir(), 'bench-jwks-'))
  const jwksFile = join(jwksDir, 'jwks.json')
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }))
  let epcscf: ReferenceEpcscf
  try {
    epcscf = await ReferenceEpcscf.start({
      timers: TIMERS,
      responseTimeoutMs: 1000,
      ...opts.epcscf,
      wss: { host: '127.0.0.1', port: 0, path: '/', tls: { cert: pki.server.cert, key: pki.server.key } },
      mw: { address: '127.0.0.1', port: 0 },
      nextHop: { address: '127.0.0.1', port: scscf.port, transport: 'UDP', ...opts.epcscf?.nextHop },
      trace,
      faults: opts.faults ?? [],
      variants: opts.variants ?? [],
      ...(opts.tokens === true
        ? {
            token: {
              jwksFile,
              issuer: ISSUER,
              algorithms: ['ES256'],
              claims: { impi: 'impi', impu: 'impu' },
            },
          }
        : {}),
    })
  } catch (error) {
    await scscf.stop()
    rmSync(jwksDir, { recursive: true, force: true })
    throw error
  }
  const wics: Wic[] = []
  const options = (user: User, over: Partial<WicOptions>): WicOptions => ({
    name: user,
    ...USERS[user],
    url: epcscf.wssUrl,
    origin: ORIGIN,
    ca: pki.ca.cert,
    trace,
    waitMs: 2000,
    timers: TIMERS,
    ...over,
  })
  return {
    epcscf,
    scscf,
    trace,
    keys,
    jwksFile,
    async wic(user = 'alice', over = {}) {
      const wic = await Wic.connect(options(user, over))
      wics.push(wic)
      return wic
    },
    async tryWic(over) {
      const outcome = await Wic.tryConnect(options('alice', over))
      if (outcome.ok) wics.push(outcome.wic)
      return outcome
    },
    async token(user = 'alice', claims = {}, signingKey) {
      // `iss`, `aud` and `exp` among the claims (a token for another audience, an expired one) are kept;
      // otherwise the bench's issuer and audience, valid for 5 minutes.
      const jwt = new SignJWT({
        impi: USERS[user].impi,
        impu: [USERS[user].impu],
        iss: ISSUER,
        aud: AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
        .setIssuedAt()
      return jwt.sign(signingKey ?? keys.privateKey)
    },
    atScscf(method) {
      return scscf.received.map((r) => r.request).filter((r) => r.method === method)
    },
    async stop() {
      for (const wic of wics) await wic.close().catch(() => undefined)
      await epcscf.stop()
      await scscf.stop()
      rmSync(jwksDir, { recursive: true, force: true })
    },
  }
}

/** Runs `body` against a bench with these switches, and stops the bench whatever happens. */
export async function withBench<T>(opts: BenchOptions, body: (bench: Bench) => Promise<T>): Promise<T> {
  const bench = await startBench(opts)
  try {
    return await body(bench)
  } finally {
    await bench.stop()
  }
}
