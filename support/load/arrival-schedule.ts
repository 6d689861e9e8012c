/**
 * An open-loop arrival schedule (arrivals do not wait for earlier ones to complete): the rate rises linearly from
 * 0 to `rate` per second over `rampS` seconds, then stays; arrivals stop after `durationS` seconds or `limit`
 * arrivals, whichever comes first. Arrival k is due when the integral of the rate reaches k + 1/2, so the
 * spacing is even (deterministic, not Poisson) and the count over any second matches the rate.
 */
export interface ArrivalPlan {
  /** Arrivals per second at full rate (> 0). */
  readonly rate: number
  /** Seconds of the linear ramp from 0 to `rate` (0: full rate at once). */
  readonly rampS: number
  /** Seconds after which no arrival is due. */
  readonly durationS: number
  /** Most arrivals in all (Infinity: no limit). */
  readonly limit: number
}

/** Seconds from the start at which arrival `k` (0-based) is due, or undefined when it never is. */
export function arrivalTime(plan: ArrivalPlan, k: number): number | undefined {
  if (k >= plan.limit || plan.rate <= 0) return undefined
  const target = k + 0.5
  const { rate, rampS } = plan
  // During the ramp the integral is rate·t²/(2·ramp); it reaches rate·ramp/2 at the end of the ramp.
  const rampArrivals = (rate * rampS) / 2
  const t =
    target <= rampArrivals ? Math.sqrt((2 * target * rampS) / rate) : rampS + (target - rampArrivals) / rate
  return t < plan.durationS ? t : undefined
}

/** The instantaneous target rate at `t` seconds, per second. */
export function rateAt(plan: ArrivalPlan, t: number): number {
  if (t < 0 || t >= plan.durationS) return 0
  return plan.rampS > 0 && t < plan.rampS ? (plan.rate * t) / plan.rampS : plan.rate
}

/** The share of a plan one of `workers` generators runs: the same shape at 1/workers of the rate and limit. */
export function sharePlan(plan: ArrivalPlan, workers: number, index: number): ArrivalPlan {
  const base = Math.floor(plan.limit / workers)
  const limit = Number.isFinite(plan.limit) ? base + (index < plan.limit % workers ? 1 : 0) : Infinity
  return { ...plan, rate: plan.rate / workers, limit }
}
