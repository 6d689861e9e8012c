import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { threadId } from 'node:worker_threads'
import { DEFAULT_TIMERS } from '../wic/wic-options.ts'
import {
  BAD_ORIGIN,
  loadTrace,
  type LoadAuth,
  type TargetConfig,
  type TransactionType,
} from './load-config.ts'
import { LoadWics } from './load-wics.ts'
import { TickRecorder } from './tick-recorder.ts'

/**
 * The WIC workload for Artillery (load/artillery/artillery-engine-wic is the engine, a thin CommonJS adapter that
 * imports this module): each virtual user runs its flow with the same LoadWics as `npm run load`, and what it
 * measured becomes Artillery metrics: counters `wic.<type>.attempts`, `wic.<type>.ok`,
 * `wic.<type>.failed.<reason>` and histograms `wic.<type>` (ms), for connect, register, refresh, invite and bye.
 */

/** `config.wic` of an Artillery script (every field optional). */
export interface ArtilleryWicConfig {
  /** CA file trusted for the eP-CSCF (default .harness/pki/ca.crt, the harness's minted test PKI). */
  readonly ca?: string
  readonly origin?: string
  readonly servername?: string
  readonly domain?: string
  /** Load users in the mock HSS (`npm run load -- --serve --users N`); a virtual user takes one at random. */
  readonly users?: number
  readonly waitMs?: number
  readonly expires?: number
  readonly auth?: LoadAuth
}

/** One step of a scenario's flow: register a WIC (and keep it), place a call from it, wait. */
export type FlowStep =
  | { readonly register: { readonly hold?: number } | null }
  | { readonly call: { readonly holdMs?: number } | null }
  | { readonly think: number }

/** What the engine passes to emit a metric (Artillery's event emitter: 'counter', 'histogram'). */
export type Emit = (kind: 'counter' | 'histogram', name: string, value: number) => void

let virtualUsers = 0

export async function runArtilleryScenario(
  config: { readonly target?: string; readonly wic?: ArtilleryWicConfig },
  flow: readonly FlowStep[],
  emit: Emit,
): Promise<void> {
  const wic = config.wic ?? {}
  const url = config.target ?? 'wss://127.0.0.1:7443/'
  const parsed = new URL(url)
  const target: TargetConfig = {
    url,
    origin: wic.origin ?? 'https://wwsf.harness.test:8443',
    badOrigin: BAD_ORIGIN,
    caPem: readFileSync(resolve(wic.ca ?? '.harness/pki/ca.crt'), 'utf8'),
    servername: wic.servername ?? 'epcscf.harness.test',
    host: parsed.hostname,
    port: Number(parsed.port || 443),
    domain: wic.domain ?? 'ims.harness.test',
    waitMs: wic.waitMs ?? 4000,
    timers: DEFAULT_TIMERS,
  }
  const users = wic.users ?? 1000
  // A user per virtual user, spread over Artillery's worker threads.
  const user = (threadId * 7919 + virtualUsers++) % users
  const recorder = new TickRecorder(0)
  const trace = loadTrace()
  const wics = new LoadWics(
    {
      index: user,
      workers: 1,
      workload: 'register',
      auth: wic.auth ?? 'digest',
      target,
      plan: { rate: 1, rampS: 0, durationS: 1, limit: 1 },
      holdS: Infinity,
      expires: wic.expires ?? 600,
      pool: 0,
      callShare: 0,
      callHoldMs: 0,
      floodRate: 0,
      floodFromS: 0,
      halfOpenS: 0,
      users,
    },
    recorder,
    trace,
  )
  await wics.init()
  try {
    for (const step of flow) {
      if ('register' in step) {
        await wics.arrive(Infinity)
        const hold = step.register?.hold ?? 0
        if (hold > 0) await sleep(hold * 1000)
      } else if ('call' in step) await wics.call()
      else if ('think' in step) await sleep(step.think * 1000)
    }
  } finally {
    await wics.closeAll(target.waitMs)
    const tick = recorder.flush({
      open: 0,
      registered: 0,
      halfOpen: 0,
      halfOpenClosedEarly: 0,
      lagMs: 0,
      arrivals: 0,
      heapUsed: 0,
    })
    for (const [type, n] of Object.entries(tick.attempts)) emit('counter', `wic.${type}.attempts`, n)
    for (const [type, n] of Object.entries(tick.successes)) emit('counter', `wic.${type}.ok`, n)
    for (const [key, n] of Object.entries(tick.failures)) {
      const [type, reason] = key.split('\t')
      emit('counter', `wic.${type}.failed.${reason}`, n)
    }
    for (const [type, samples] of Object.entries(tick.samples) as [TransactionType, number[]][])
      for (const ms of samples) emit('histogram', `wic.${type}`, ms)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
