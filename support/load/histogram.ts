import * as hdr from 'hdr-histogram-js'

/** Percentiles of one latency distribution, in milliseconds (microsecond resolution). */
export interface LatencySummary {
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/** Microseconds per millisecond: values are recorded as whole microseconds. */
const US = 1000

/**
 * A latency histogram: the one place the load generator uses `hdr-histogram-js` (HdrHistogram, 3 significant
 * digits, 1 µs to one hour). Values are milliseconds; a value above the range is clamped to it.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000 * US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: false,
  })

  record(ms: number): void {
    const us = Math.min(3_600_000 * US, Math.max(1, Math.round(ms * US)))
    this.histogram.recordValue(us)
  }

  get count(): number {
    return this.histogram.totalCount
  }

  /** The value at this percentile (0–100), in ms; 0 when empty. */
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / US
  }

  summary(): LatencySummary {
    const count = this.count
    if (count === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 }
    // A percentile is reported as the top of its bucket (3 digits); never above the largest value recorded.
    const max = this.histogram.maxValue / US
    return {
      count,
      p50: round(Math.min(max, this.percentile(50))),
      p95: round(Math.min(max, this.percentile(95))),
      p99: round(Math.min(max, this.percentile(99))),
      max: round(max),
      mean: round(this.histogram.mean / US),
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
