import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backoff, DEFAULT_TIMER_SETTINGS, deriveTimers } from '../../support/transaction/timers.ts'

const T = { timeout: 2000 }

void describe('RFC 3261 Table 4 timers', () => {
  void it('derives the UDP values from T1, T2, T4', T, () => {
    const t = deriveTimers(DEFAULT_TIMER_SETTINGS, false)
    assert.deepEqual(
      { A: t.A, B: t.B, D: t.D, E: t.E, F: t.F, G: t.G, H: t.H, I: t.I, J: t.J, K: t.K },
      { A: 500, B: 32_000, D: 32_000, E: 500, F: 32_000, G: 500, H: 32_000, I: 5000, J: 32_000, K: 5000 },
    )
  })

  void it('zeroes the retransmission and absorption timers on reliable transports', T, () => {
    const t = deriveTimers({ T1: 20, T2: 80, T4: 100 }, true)
    assert.deepEqual(
      { A: t.A, B: t.B, D: t.D, E: t.E, F: t.F, G: t.G, H: t.H, I: t.I, J: t.J, K: t.K },
      { A: 0, B: 1280, D: 0, E: 0, F: 1280, G: 0, H: 1280, I: 0, J: 0, K: 0 },
    )
  })

  void it('keeps Timer D at least 32 s on UDP with a small T1', T, () => {
    assert.equal(deriveTimers({ T1: 20, T2: 80, T4: 100 }, false).D, 32_000)
  })

  void it('doubles E and G up to T2 and A without a cap', T, () => {
    const e: number[] = [500]
    for (let i = 0; i < 5; i += 1) e.push(backoff(e.at(-1) ?? 0, 4000))
    assert.deepEqual(e, [500, 1000, 2000, 4000, 4000, 4000])
    assert.equal(backoff(4000), 8000)
  })
})
