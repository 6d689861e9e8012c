import { TraceRecorder } from '../trace/trace-recorder.ts'
import type { WicOptions } from '../wic/wic.ts'
import type { ArrivalPlan } from './arrival-schedule.ts'

/** What one arrival does (`npm run load -- --workload ...`). */
export type Workload = 'register' | 'call' | 'mixed' | 'flood'
export const WORKLOADS: readonly Workload[] = ['register', 'call', 'mixed', 'flood']

/** An Origin no profile allows (the flood's unauthorized handshakes). */
export const BAD_ORIGIN = 'https://attacker.example:8443'

/** How authorized WICs authenticate: IMS digest (401 then 200) or the WWSF's token (TS 24.371 §7.2.1). */
export type LoadAuth = 'digest' | 'token'

/**
 * Transaction types measured: `connect` (TCP, TLS and the WebSocket upgrade), `register` (initial registration,
 * challenge answered, to the 2xx), `refresh`, `invite` (INVITE to its 2xx), `bye`, and the flood's `flood-origin`
 * (an unauthorized Origin refused), `flood-register` (an unauthenticated REGISTER answered 401/403) and
 * `flood-half-open` (a TCP connection to the WSS port that never completes TLS).
 */
export type TransactionType =
  | 'connect'
  | 'register'
  | 'refresh'
  | 'invite'
  | 'bye'
  | 'flood-origin'
  | 'flood-register'
  | 'flood-half-open'

/** What a WIC generator thread needs to reach the eP-CSCF under test. */
export interface TargetConfig {
  readonly url: string
  readonly origin: string
  /** An Origin the eP-CSCF must refuse (flood). */
  readonly badOrigin: string
  readonly caPem: string
  readonly servername: string
  readonly host: string
  readonly port: number
  readonly domain: string
  readonly waitMs: number
  readonly timers: { readonly T1: number; readonly T2: number; readonly T4: number }
  /** Token registration: where the WWSF's signing key is kept and the token profile. */
  readonly token?: {
    readonly keyFile: string
    readonly alg: 'ES256' | 'RS256'
    readonly issuer: string
    readonly audience: string
    readonly claims?: { readonly impi?: string; readonly impu?: string }
    readonly carriage: 'rfc8898' | 'access-token-param'
  }
}

/** One generator thread's part of the run. */
export interface WorkerConfig {
  readonly index: number
  readonly workers: number
  readonly workload: Workload
  readonly auth: LoadAuth
  readonly target: TargetConfig
  /** Arrivals of this thread (WICs registering, or calls for `call`). */
  readonly plan: ArrivalPlan
  /** Seconds a WIC stays registered (Infinity: to the end of the run). */
  readonly holdS: number
  /** Contact expires asked for; the WIC refreshes at half the expires granted. */
  readonly expires: number
  /** `call`: WICs this thread registers before the calls start. `mixed`: share of arrivals that are calls. */
  readonly pool: number
  readonly callShare: number
  /** Milliseconds between the ACK and the BYE. */
  readonly callHoldMs: number
  /** `flood`: attack arrivals per second of this thread, from `floodFromS` on; each half-open kept `halfOpenS`. */
  readonly floodRate: number
  readonly floodFromS: number
  readonly halfOpenS: number
  /** Load users (`load-<n>`) this thread may use: n = index, index + workers, ... below `users`. */
  readonly users: number
}

/** From the coordinator: start the arrivals at `startAt` (ms since the epoch), or stop and close everything. */
export type CoordinatorMessage =
  { readonly kind: 'start'; readonly startAt: number } | { readonly kind: 'stop' } | { readonly kind: 'heap' }

/** A generator thread's report of the last interval. */
export interface WorkerTick {
  readonly kind: 'tick'
  readonly worker: number
  /** End of the interval, ms since the epoch. */
  readonly at: number
  /** Latencies (ms) of the successful transactions, by type. */
  readonly samples: Partial<Record<TransactionType, number[]>>
  readonly attempts: Partial<Record<TransactionType, number>>
  readonly successes: Partial<Record<TransactionType, number>>
  /** Failures by `type\treason`. */
  readonly failures: Record<string, number>
  readonly gauges: WorkerGauges
  /** CPU of this thread in the interval, µs (process.threadCpuUsage). */
  readonly cpuUs: number
}

export interface WorkerGauges {
  /** WICs with an open WebSocket. */
  readonly open: number
  /** WICs registered now. */
  readonly registered: number
  /** Half-open TLS connections held now. */
  readonly halfOpen: number
  /** Half-open connections the SUT closed before the hold ended, so far. */
  readonly halfOpenClosedEarly: number
  /** Arrivals so far. */
  readonly arrivals: number
  /** How late the thread fired an arrival, at most, in the interval (ms): it cannot keep the rate when large. */
  readonly lagMs: number
  readonly heapUsed: number
}

/** `ready` once its pool is registered; `done` once it closed everything after `stop`, with the last counts. */
export type WorkerMessage =
  | WorkerTick
  | { readonly kind: 'ready'; readonly worker: number }
  | { readonly kind: 'heap'; readonly worker: number; readonly heapUsed: number }
  | { readonly kind: 'done'; readonly worker: number; readonly tick: WorkerTick }

/** The IMPI, IMPU and password of load user n (the mock HSS holds the same). */
export function loadUser(n: number, domain: string): { impi: string; impu: string; password: string } {
  return { impi: `load-${n}@${domain}`, impu: `sip:load-${n}@${domain}`, password: `load-${n}-secret` }
}

/** Heap in use after a full collection when the process runs with --expose-gc (else as it is), bytes. */
export function heapAfterGc(): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

/** The small trace of a load run's thread: a load run is measured, not reported message by message. */
export function loadTrace(): TraceRecorder {
  return new TraceRecorder({ eventChars: 512, headEvents: 0, headChars: 0, tailEvents: 20, tailChars: 16384 })
}

/** The options of a load WIC `name` with this user's identities, connecting to `target`. */
export function loadWicOptions(
  target: TargetConfig,
  name: string,
  user: { readonly impi: string; readonly impu: string; readonly password: string },
  trace: TraceRecorder,
): WicOptions {
  return {
    name,
    ...user,
    domain: target.domain,
    url: target.url,
    origin: target.origin,
    ca: target.caPem,
    servername: target.servername,
    timers: target.timers,
    waitMs: target.waitMs,
    trace,
  }
}
