import type { TypeTotals } from './load-stats.ts'

/** When the authorized WICs' service counts as held under the flood (`npm run load -- --workload flood`). */
export interface HeldCriteria {
  /** Largest drop of the registration success ratio from the baseline, in percentage points. */
  readonly maxSuccessDropPct: number
  /** Largest p99 under the flood, as a multiple of the baseline's p99… */
  readonly maxP99Factor: number
  /** …or the baseline's p99 plus this many ms, whichever is larger (a baseline of 2 ms must not fail at 5 ms). */
  readonly p99SlackMs: number
}

export const DEFAULT_HELD: HeldCriteria = { maxSuccessDropPct: 1, maxP99Factor: 2, p99SlackMs: 20 }

export interface FloodVerdict {
  readonly held: boolean
  readonly successHeld: boolean
  readonly p99Held: boolean
  readonly baseline: { readonly successRatio: number; readonly p99: number; readonly registrations: number }
  readonly flood: { readonly successRatio: number; readonly p99: number; readonly registrations: number }
  readonly criteria: HeldCriteria
  /** One sentence for the console and the page. */
  readonly text: string
}

/**
 * Whether the authorized WICs' registrations held under the flood: their success ratio fell by at most
 * `maxSuccessDropPct` points and their p99 stayed within max(factor × baseline, baseline + slack).
 */
export function floodVerdict(
  baseline: TypeTotals | undefined,
  flood: TypeTotals | undefined,
  criteria: HeldCriteria = DEFAULT_HELD,
): FloodVerdict {
  const b = {
    successRatio: baseline?.successRatio ?? 0,
    p99: baseline?.latency.p99 ?? 0,
    registrations: baseline?.attempts ?? 0,
  }
  const f = {
    successRatio: flood?.successRatio ?? 0,
    p99: flood?.latency.p99 ?? 0,
    registrations: flood?.attempts ?? 0,
  }
  const measured = b.registrations > 0 && f.registrations > 0
  const successHeld = measured && (b.successRatio - f.successRatio) * 100 <= criteria.maxSuccessDropPct
  const p99Limit = Math.max(b.p99 * criteria.maxP99Factor, b.p99 + criteria.p99SlackMs)
  const p99Held = measured && f.p99 <= p99Limit
  const held = successHeld && p99Held
  const pctText = (r: number) => `${(r * 100).toFixed(2)} %`
  const text = !measured
    ? `not judged: ${b.registrations} baseline and ${f.registrations} flood registrations (both phases need some)`
    : `${held ? 'HELD' : 'NOT HELD'}: authorized registrations succeeded ${pctText(f.successRatio)} under the flood ` +
      `(baseline ${pctText(b.successRatio)}, allowed drop ${criteria.maxSuccessDropPct} points${successHeld ? '' : ': exceeded'}), ` +
      `p99 ${f.p99.toFixed(1)} ms (baseline ${b.p99.toFixed(1)} ms, limit ${p99Limit.toFixed(1)} ms${p99Held ? '' : ': exceeded'})`
  return { held, successHeld, p99Held, baseline: b, flood: f, criteria, text }
}
