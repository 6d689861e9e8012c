import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import type { TransactionType, WorkerGauges, WorkerTick } from './load-config.ts'

/** Counts of one transaction type over some span. */
class Counts {
  attempts = 0
  successes = 0
  readonly failures = new Map<string, number>()
  readonly latency = new LatencyHistogram()

  get failed(): number {
    let n = 0
    for (const count of this.failures.values()) n += count
    return n
  }
}

/** One transaction type over the whole run or one phase. */
export interface TypeTotals {
  readonly attempts: number
  readonly successes: number
  readonly failures: Readonly<Record<string, number>>
  /** Successes per second over the span. */
  readonly throughput: number
  /** successes / (successes + failures); 1 when nothing ended. */
  readonly successRatio: number
  readonly latency: LatencySummary
}

/** Registered WICs, open WebSockets, half-open TLS connections, and how late the generators fired arrivals (ms). */
export interface Occupancy {
  readonly registered: number
  readonly open: number
  readonly halfOpen: number
  readonly lagMs: number
}

/** CPU in % of one core: the mock core's thread, the generator threads, the main thread, the whole machine. */
export interface CpuPercent {
  readonly core: number
  readonly generators: number
  readonly main: number
  readonly machine: number
}

/** One second of the run, for the plots. */
export interface SecondRow extends Occupancy {
  readonly t: number
  readonly target: number
  readonly successes: Partial<Record<TransactionType, number>>
  readonly failures: Partial<Record<TransactionType, number>>
  readonly p50: Partial<Record<TransactionType, number>>
  readonly p99: Partial<Record<TransactionType, number>>
  readonly cpu: CpuPercent
}

/** CPU of one second, µs, by component; machine busy in % of all cores. */
export interface SecondCpu {
  readonly coreUs: number
  readonly mainUs: number
  readonly machinePct: number
}

/**
 * The run's counts: per transaction type over the run and per phase (the flood's baseline and flood), and per
 * second for the plots. Worker ticks land in the second their interval ended in.
 */
export class LoadStats {
  private readonly totals = new Map<TransactionType, Counts>()
  private readonly phases = new Map<string, Map<TransactionType, Counts>>()
  private readonly phaseSpan = new Map<string, { from: number; to: number }>()
  private readonly seconds = new Map<number, Map<TransactionType, Counts>>()
  private readonly generatorCpu = new Map<number, number>()
  private readonly rows: SecondRow[] = []
  private readonly gauges = new Map<number, WorkerGauges>()

  constructor(readonly startAt: number) {}

  /** Adds one worker tick, in the phase given (a name the report compares). */
  add(tick: WorkerTick, phase: string): void {
    const second = Math.max(0, Math.ceil((tick.at - this.startAt) / 1000) - 1)
    this.gauges.set(tick.worker, tick.gauges)
    this.generatorCpu.set(second, (this.generatorCpu.get(second) ?? 0) + tick.cpuUs)
    const span = this.phaseSpan.get(phase)
    this.phaseSpan.set(phase, {
      from: Math.min(span?.from ?? second, second),
      to: Math.max(span?.to ?? second, second + 1),
    })
    const phaseMap = this.phases.get(phase) ?? new Map<TransactionType, Counts>()
    this.phases.set(phase, phaseMap)
    const secondMap = this.seconds.get(second) ?? new Map<TransactionType, Counts>()
    this.seconds.set(second, secondMap)
    const targets = [this.totals, phaseMap, secondMap]
    const types = new Set([
      ...Object.keys(tick.attempts),
      ...Object.keys(tick.successes),
    ]) as Set<TransactionType>
    for (const key of Object.keys(tick.failures)) types.add(key.split('\t')[0] as TransactionType)
    for (const type of types) {
      for (const map of targets) {
        const counts = map.get(type) ?? new Counts()
        map.set(type, counts)
        counts.attempts += tick.attempts[type] ?? 0
        counts.successes += tick.successes[type] ?? 0
        for (const ms of tick.samples[type] ?? []) counts.latency.record(ms)
      }
    }
    for (const [key, n] of Object.entries(tick.failures)) {
      const [type, reason = '?'] = key.split('\t') as [TransactionType, string]
      for (const map of targets) {
        const failures = map.get(type)!.failures
        failures.set(reason, (failures.get(reason) ?? 0) + n)
      }
    }
  }

  /** Sum of the workers' latest gauges. */
  gaugeSum(): WorkerGauges {
    let open = 0,
      registered = 0,
      halfOpen = 0,
      halfOpenClosedEarly = 0,
      lagMs = 0,
      arrivals = 0,
      heapUsed = 0
    for (const g of this.gauges.values()) {
      open += g.open
      registered += g.registered
      halfOpen += g.halfOpen
      halfOpenClosedEarly += g.halfOpenClosedEarly
      arrivals += g.arrivals
      heapUsed += g.heapUsed
      lagMs = Math.max(lagMs, g.lagMs)
    }
    return { open, registered, halfOpen, halfOpenClosedEarly, arrivals, lagMs, heapUsed }
  }

  /** Closes second `t` (its counts are complete enough) with its CPU and target rate; returns its row. */
  closeSecond(t: number, target: number, cpu: SecondCpu): SecondRow {
    const map = this.seconds.get(t) ?? new Map<TransactionType, Counts>()
    const successes: SecondRow['successes'] = {}
    const failures: SecondRow['failures'] = {}
    const p50: SecondRow['p50'] = {}
    const p99: SecondRow['p99'] = {}
    for (const [type, counts] of map) {
      successes[type] = counts.successes
      failures[type] = counts.failed
      if (counts.latency.count > 0) {
        p50[type] = counts.latency.percentile(50)
        p99[type] = counts.latency.percentile(99)
      }
    }
    const g = this.gaugeSum()
    const row: SecondRow = {
      t,
      target,
      successes,
      failures,
      p50,
      p99,
      registered: g.registered,
      open: g.open,
      halfOpen: g.halfOpen,
      lagMs: g.lagMs,
      cpu: {
        core: pct(cpu.coreUs),
        generators: pct(this.generatorCpu.get(t) ?? 0),
        main: pct(cpu.mainUs),
        machine: Math.round(cpu.machinePct * 10) / 10,
      },
    }
    this.rows.push(row)
    return row
  }

  get series(): readonly SecondRow[] {
    return this.rows
  }

  totalsByType(durationS: number): Partial<Record<TransactionType, TypeTotals>> {
    return summarise(this.totals, durationS)
  }

  /**
   * Per phase (e.g. `baseline`, `flood`), each over its own span of seconds. A transaction belongs to the phase
   * it ended in, so a phase's attempts are its successes plus failures.
   */
  byPhase(): Record<string, Partial<Record<TransactionType, TypeTotals>>> {
    const out: Record<string, Partial<Record<TransactionType, TypeTotals>>> = {}
    for (const [phase, map] of this.phases) {
      const span = this.phaseSpan.get(phase)!
      out[phase] = summarise(map, Math.max(1, span.to - span.from), true)
    }
    return out
  }
}

function summarise(
  map: Map<TransactionType, Counts>,
  durationS: number,
  byEnd = false,
): Partial<Record<TransactionType, TypeTotals>> {
  const out: Partial<Record<TransactionType, TypeTotals>> = {}
  for (const [type, c] of map) {
    const ended = c.successes + c.failed
    out[type] = {
      attempts: byEnd ? ended : c.attempts,
      successes: c.successes,
      failures: Object.fromEntries(c.failures),
      throughput: Math.round((c.successes / Math.max(durationS, 1e-3)) * 10) / 10,
      successRatio: ended === 0 ? 1 : c.successes / ended,
      latency: c.latency.summary(),
    }
  }
  return out
}

/** µs of CPU in one second as % of one core. */
export function pct(us: number): number {
  return Math.round(us / 1000) / 10
}
