import { HarnessError } from '../errors.ts'
import type { TransactionType, WorkerGauges, WorkerTick } from './load-config.ts'

/** What a generator thread counted since its last tick; `flush` hands it over and starts afresh. */
export class TickRecorder {
  private samples: Partial<Record<TransactionType, number[]>> = {}
  private attempts: Partial<Record<TransactionType, number>> = {}
  private successes: Partial<Record<TransactionType, number>> = {}
  private failures: Record<string, number> = {}
  private lastCpu = threadCpu()

  constructor(private readonly worker: number) {}

  attempt(type: TransactionType): void {
    this.attempts[type] = (this.attempts[type] ?? 0) + 1
  }

  success(type: TransactionType, ms: number): void {
    this.successes[type] = (this.successes[type] ?? 0) + 1
    ;(this.samples[type] ??= []).push(ms)
  }

  failure(type: TransactionType, reason: string): void {
    const key = `${type}\t${reason}`
    this.failures[key] = (this.failures[key] ?? 0) + 1
  }

  /** Runs one measured transaction: counts the attempt, then a success with its latency or a failure by reason. */
  async measure<T>(
    type: TransactionType,
    work: () => Promise<T>,
    ok: (result: T) => string | true,
  ): Promise<T | undefined> {
    this.attempt(type)
    const started = performance.now()
    try {
      const result = await work()
      const verdict = ok(result)
      if (verdict === true) this.success(type, performance.now() - started)
      else this.failure(type, verdict)
      return result
    } catch (error) {
      this.failure(type, failureReason(error))
      return undefined
    }
  }

  flush(gauges: WorkerGauges): WorkerTick {
    const cpu = threadCpu()
    const tick: WorkerTick = {
      kind: 'tick',
      worker: this.worker,
      at: performance.timeOrigin + performance.now(),
      samples: this.samples,
      attempts: this.attempts,
      successes: this.successes,
      failures: this.failures,
      gauges,
      cpuUs: cpu - this.lastCpu,
    }
    this.lastCpu = cpu
    this.samples = {}
    this.attempts = {}
    this.successes = {}
    this.failures = {}
    return tick
  }
}

/** CPU time of the calling thread, µs (user + system). */
export function threadCpu(): number {
  const usage = process.threadCpuUsage()
  return usage.user + usage.system
}

/**
 * A failure reason short enough to count by: the harness error code (with the HTTP status of a refused
 * upgrade), else the error's own code or class.
 */
export function failureReason(error: unknown): string {
  if (error instanceof HarnessError) {
    const status = (error as { status?: unknown }).status
    return typeof status === 'number' ? `${error.code} ${status}` : error.code
  }
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.name
  return String(error)
}
