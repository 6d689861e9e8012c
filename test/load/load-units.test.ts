/** The pure parts of the load generator: the arrival schedule, the HDR histogram wrapper, the flood verdict. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { arrivalTime, rateAt, sharePlan } from '../../support/load/arrival-schedule.ts'
import { floodVerdict } from '../../support/load/flood-verdict.ts'
import { LatencyHistogram } from '../../support/load/histogram.ts'
import type { TypeTotals } from '../../support/load/load-stats.ts'

void describe('arrival schedule (open loop, linear ramp)', () => {
  const plan = { rate: 100, rampS: 2, durationS: 10, limit: Infinity }
  const arrivals = (p = plan) => {
    const times: number[] = []
    for (let k = 0; ; k += 1) {
      const t = arrivalTime(p, k)
      if (t === undefined) return times
      times.push(t)
    }
  }

  void it('has the integral of the rate: 100 during the 2 s ramp, 800 in the 8 s after it', () => {
    const times = arrivals()
    assert.equal(times.filter((t) => t < 2).length, 100)
    assert.equal(times.length, 900)
    assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]!))
  })

  void it('stops at the limit, and rateAt follows the ramp', () => {
    assert.equal(arrivals({ ...plan, limit: 42 }).length, 42)
    assert.equal(rateAt(plan, 1), 50)
    assert.equal(rateAt(plan, 5), 100)
    assert.equal(rateAt(plan, 10), 0)
  })

  void it('shares a plan among generators without losing arrivals', () => {
    const limited = { ...plan, limit: 1001 }
    const shares = [0, 1, 2].map((i) => sharePlan(limited, 3, i))
    assert.deepEqual(
      shares.map((s) => s.limit),
      [334, 334, 333],
    )
    assert.ok(shares.every((s) => Math.abs(s.rate - 100 / 3) < 1e-9))
  })
})

void describe('latency histogram (hdr-histogram-js)', () => {
  void it('gives percentiles within 0.1 % and never above the max', () => {
    const h = new LatencyHistogram()
    for (let ms = 1; ms <= 1000; ms += 1) h.record(ms)
    const s = h.summary()
    assert.equal(s.count, 1000)
    assert.ok(Math.abs(s.p50 - 500) <= 0.5, `p50 ${s.p50}`)
    assert.ok(Math.abs(s.p99 - 990) <= 1, `p99 ${s.p99}`)
    assert.ok(s.p99 <= s.max && Math.abs(s.max - 1000) <= 1)
  })

  void it('is all zeros when empty', () => {
    assert.deepEqual(new LatencyHistogram().summary(), { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 })
  })
})

void describe('flood verdict', () => {
  const totals = (successRatio: number, p99: number): TypeTotals => ({
    attempts: 100,
    successes: Math.round(successRatio * 100),
    failures: {},
    throughput: 10,
    successRatio,
    latency: { count: 100, p50: p99 / 2, p95: p99, p99, max: p99, mean: p99 / 2 },
  })

  void it('holds when success and p99 stay within the criteria', () => {
    const v = floodVerdict(totals(1, 20), totals(0.995, 39))
    assert.equal(v.held, true, v.text)
  })

  void it('does not hold when the success ratio drops, or p99 more than doubles (and by more than 20 ms)', () => {
    assert.equal(floodVerdict(totals(1, 20), totals(0.95, 20)).successHeld, false)
    const slow = floodVerdict(totals(1, 20), totals(1, 45))
    assert.equal(slow.p99Held, false)
    assert.match(slow.text, /NOT HELD/)
  })

  void it('is not judged without registrations in both phases', () => {
    const v = floodVerdict(undefined, totals(1, 5))
    assert.equal(v.held, false)
    assert.match(v.text, /not judged/)
  })
})
