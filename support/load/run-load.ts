import { availableParallelism, cpus, totalmem } from 'node:os'
import type { LoadedProfile } from '../profile/load-profile.ts'
import { rateAt, sharePlan, type ArrivalPlan } from './arrival-schedule.ts'
import { floodVerdict, type HeldCriteria } from './flood-verdict.ts'
import { startGenerator, type Generator, type GeneratorKind } from './generator-channel.ts'
import {
  heapAfterGc,
  type LoadAuth,
  type WorkerConfig,
  type WorkerMessage,
  type Workload,
} from './load-config.ts'
import { LoadEnvironment } from './load-environment.ts'
import type { HeapSample, LoadReport } from './load-report.ts'
import { LoadStats, pct, type Occupancy, type SecondRow } from './load-stats.ts'
import { threadCpu } from './tick-recorder.ts'

export interface LoadOptions {
  readonly workload: Workload
  readonly auth: LoadAuth
  readonly plan: ArrivalPlan
  readonly holdS: number
  readonly expires: number
  /** Seconds after the last arrival before the run stops (refreshes go on meanwhile). */
  readonly settleS: number
  /** Generators: how many, and whether threads of this process or processes of their own. */
  readonly threads: number
  readonly generators: GeneratorKind
  /** 0: the embedded reference runs in this process; N: in N processes of its own (reference launcher only). */
  readonly sutProcesses: number
  readonly pool: number
  readonly callShare: number
  readonly callHoldMs: number
  readonly floodRate: number
  readonly baselineS: number
  readonly halfOpenS: number
  readonly held: HeldCriteria
  readonly command: string
  /** Called once a second with the second's row and the progress line. */
  readonly progress?: (line: string, row: SecondRow) => void
  /** Measure the heaps (after a collection when run with --expose-gc) before the arrivals and before the stop. */
  readonly heapProbe?: boolean
  /** Resolves when the run must stop early (Ctrl-C). */
  readonly interrupt?: Promise<void>
}

/** Default number of generator threads: the machine's cores (the mock core and the SUT have their own). */
export const DEFAULT_THREADS = Math.max(1, availableParallelism())

/**
 * Runs one load: starts the environment (mock core thread, SUT), spreads the arrivals over generator threads,
 * collects their ticks into per-second rows and totals, stops everything (each wait with a deadline), and
 * returns the report. Nothing it started outlives it: the threads are terminated and the SUT stopped in `finally`.
 */
export async function runLoad(loaded: LoadedProfile, o: LoadOptions): Promise<LoadReport> {
  const users = usersFor(o)
  const env = await LoadEnvironment.start(loaded, users, o.sutProcesses)
  const workers: Generator[] = []
  try {
    const target = env.target(o.auth)
    const waitMs = loaded.profile.waitMs
    const configs: WorkerConfig[] = Array.from({ length: o.threads }, (_, index) => ({
      index,
      workers: o.threads,
      workload: o.workload,
      auth: o.auth,
      target,
      plan: sharePlan(o.plan, o.threads, index),
      holdS: o.holdS,
      expires: o.expires,
      pool: Math.ceil(o.pool / o.threads),
      callShare: o.callShare,
      callHoldMs: o.callHoldMs,
      floodRate: o.floodRate / o.threads,
      floodFromS: o.baselineS,
      halfOpenS: o.halfOpenS,
      users,
    }))
    const ready = new Set<number>()
    const done = new Set<number>()
    const heaps = new Map<number, number>()
    let onHeap: () => void = () => undefined
    let onReady: () => void = () => undefined
    let onDone: () => void = () => undefined
    let stats: LoadStats | undefined = undefined
    const floodPhase = (at: number): string =>
      o.workload !== 'flood' || stats === undefined
        ? 'run'
        : at - stats.startAt < o.baselineS * 1000 + 500
          ? 'baseline'
          : 'flood'
    for (const config of configs) {
      const worker = startGenerator(o.generators, config)
      worker.onMessage((m: WorkerMessage) => {
        if (m.kind === 'ready') {
          ready.add(m.worker)
          onReady()
        } else if (m.kind === 'heap') {
          heaps.set(m.worker, m.heapUsed)
          onHeap()
        } else if (m.kind === 'tick') stats?.add(m, floodPhase(m.at))
        else {
          stats?.add(m.tick, floodPhase(m.tick.at))
          done.add(m.worker)
          onDone()
        }
      })
      worker.onError((error) => process.stderr.write(`generator ${config.index}: ${error.message}\n`))
      workers.push(worker)
    }
    await until(
      (resolve) => (onReady = () => ready.size === workers.length && resolve()),
      waitMs * 3 + 10_000,
      () => `generator threads ready: ${ready.size} of ${workers.length}`,
    )
    /** Heaps after a collection (with --expose-gc): generator threads summed, main thread, core thread. */
    const probeHeaps = async (): Promise<HeapSample> => {
      heaps.clear()
      for (const worker of workers) worker.post({ kind: 'heap' })
      await until(
        (resolve) => (onHeap = () => heaps.size === workers.length && resolve()),
        10_000,
        () => `heap reports: ${heaps.size} of ${workers.length}`,
      )
      return {
        generators: [...heaps.values()].reduce((a, b) => a + b, 0),
        main: heapAfterGc(),
        core: (await env.core.heap()) ?? NaN,
        registered: stats?.gaugeSum().registered ?? 0,
        bindings: env.core.bindings,
      }
    }
    const heapBefore = o.heapProbe ? await probeHeaps() : undefined
    const startAt = performance.timeOrigin + performance.now() + 200
    stats = new LoadStats(startAt)
    for (const worker of workers) worker.post({ kind: 'start', startAt })
    const totalS = Math.ceil(o.plan.durationS + o.settleS)
    let interrupted = false
    void o.interrupt?.then(() => (interrupted = true))
    let lastMain = threadCpu()
    let lastMachine = machineTimes()
    let coreUs = 0
    let mainUs = 0
    let machineBusy = 0
    let second = 0
    const cores = cpus().length
    while (second < totalS && !interrupted) {
      const next = startAt + (second + 1) * 1000 + 300
      await sleepUntil(next, o.interrupt)
      if (interrupted) break
      const main = threadCpu()
      const machine = machineTimes()
      const core = env.core.takeCpu()
      const busyPct =
        machine.total > lastMachine.total
          ? (100 * (machine.busy - lastMachine.busy)) / (machine.total - lastMachine.total)
          : 0
      const row = stats.closeSecond(second, rateAt(o.plan, second + 0.5), {
        coreUs: core,
        mainUs: main - lastMain,
        machinePct: busyPct * cores,
      })
      coreUs += core
      mainUs += main - lastMain
      machineBusy += busyPct * cores
      lastMain = main
      lastMachine = machine
      o.progress?.(progressLine(row, env.core.bindings), row)
      second += 1
    }
    const heapEnd = o.heapProbe && !interrupted ? await probeHeaps() : undefined
    for (const worker of workers) worker.post({ kind: 'stop' })
    await until(
      (resolve) => (onDone = () => done.size === workers.length && resolve()),
      waitMs + 5000,
      () => `generator threads closed their WICs: ${done.size} of ${workers.length}`,
    ).catch((error: Error) => process.stderr.write(`${error.message}; terminating them\n`))
    const durationS = Math.max(1, second)
    const generatorUs = stats.series.reduce((a, r) => a + r.cpu.generators * 10_000, 0)
    const phases = stats.byPhase()
    const profile = loaded.profile
    return {
      sut: env.sut.name,
      processes: {
        run: process.pid,
        generators: workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid])),
      },
      workload: o.workload,
      command: o.command,
      startedAt: new Date(startAt).toISOString(),
      durationS,
      interrupted,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? '?',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: {
        profile: profile.name,
        wss: target.url,
        auth: o.auth,
        plan: { ...o.plan, limit: Number.isFinite(o.plan.limit) ? o.plan.limit : 'none' },
        holdS: Number.isFinite(o.holdS) ? o.holdS : 'to the end',
        expires: o.expires,
        settleS: o.settleS,
        threads: o.threads,
        generators: o.generators,
        sutProcesses: o.sutProcesses,
        pool: o.pool,
        callShare: o.callShare,
        callHoldMs: o.callHoldMs,
        floodRate: o.floodRate,
        baselineS: o.baselineS,
        halfOpenS: o.halfOpenS,
        users,
        waitMs,
      },
      totals: stats.totalsByType(durationS),
      phases,
      peak: peakOf(stats.series),
      cpu: {
        core: pct(coreUs / durationS),
        generators: pct(generatorUs / durationS),
        main: pct(mainUs / durationS),
        machine: Math.round((machineBusy / durationS) * 10) / 10,
        coreShare: coreUs / Math.max(1, coreUs + generatorUs + mainUs),
      },
      flood:
        o.workload === 'flood'
          ? floodVerdict(phases.baseline?.register, phases.flood?.register, o.held)
          : undefined,
      series: stats.series,
      ...(heapBefore && heapEnd ? { heap: { before: heapBefore, end: heapEnd } } : {}),
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
    await env.stop()
  }
}

/** Load users the mock HSS needs: one per WIC that can be registered at once (at most 200,000). */
function usersFor(o: LoadOptions): number {
  const arrivals = Number.isFinite(o.plan.limit) ? o.plan.limit : Math.ceil(o.plan.rate * o.plan.durationS)
  return Math.min(200_000, Math.max(1, arrivals + o.pool + o.threads))
}

function progressLine(row: SecondRow, bindings: number): string {
  const parts = (Object.keys(row.successes) as (keyof SecondRow['successes'])[]).map((type) => {
    const p99 = row.p99[type]
    return `${type} ${row.successes[type]}/s${row.failures[type] ? ` ✗${row.failures[type]}` : ''}${p99 === undefined ? '' : ` p99 ${p99.toFixed(1)}ms`}`
  })
  return (
    `[${String(row.t + 1).padStart(4)}s] target ${Math.round(row.target)}/s | ${parts.join(' | ') || 'idle'} | ` +
    `registered ${row.registered} (core bindings ${bindings}) open ${row.open}${row.halfOpen ? ` half-open ${row.halfOpen}` : ''} | ` +
    `${row.lagMs > 100 ? `generators late ${(row.lagMs / 1000).toFixed(1)} s | ` : ''}` +
    `CPU% core ${row.cpu.core} gen ${row.cpu.generators} main ${row.cpu.main} machine ${row.cpu.machine}`
  )
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0
  let total = 0
  for (const cpu of cpus()) {
    const t = cpu.times
    const all = t.user + t.nice + t.sys + t.idle + t.irq
    total += all
    busy += all - t.idle
  }
  return { busy, total }
}

/** The largest occupancy of any second. */
function peakOf(rows: readonly SecondRow[]): Occupancy {
  const peak = { registered: 0, open: 0, halfOpen: 0, lagMs: 0 }
  for (const row of rows)
    for (const key of Object.keys(peak) as (keyof Occupancy)[]) peak[key] = Math.max(peak[key], row[key])
  return peak
}

async function sleepUntil(at: number, interrupt: Promise<void> | undefined): Promise<void> {
  const ms = Math.max(0, at - (performance.timeOrigin + performance.now()))
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    interrupt ?? new Promise(() => undefined),
  ])
  clearTimeout(timer)
}

/** Waits until `arm`'s resolve is called, at most `deadlineMs`; the failure says what was awaited. */
function until(arm: (resolve: () => void) => void, deadlineMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what()} after ${deadlineMs} ms`)), deadlineMs)
    arm(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
