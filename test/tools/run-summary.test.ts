import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ScenarioVerdict } from '../../support/checks/verdict.ts'
import { runSummary } from '../../tools/run-summary.ts'
import type { ScenarioResult } from '../../tools/scenario-results.ts'

const expired: ScenarioVerdict = {
  verdict: 'INCONCLUSIVE',
  side: 'inconclusive',
  errorClass: 'TlsHandshakeFailed',
  message: 'TLS handshake with 127.0.0.1:7443 failed: certificate has expired\nmore detail',
  findings: [],
}
const fail: ScenarioVerdict = {
  verdict: 'FAIL',
  side: 'sut',
  errorClass: 'ConformanceFailure',
  requirement: { level: 'MUST', clause: 'RFC 3327 §5', id: 'R15' },
  message: 'no Path on the forwarded REGISTER',
  findings: [],
}

function scenario(name: string, verdict: ScenarioVerdict, line: number): ScenarioResult {
  return { name, feature: 'features/x.feature', line, tags: [], verdict, evidence: '' }
}

void test('identical failures are printed once with (×N: names); different ones stay apart', () => {
  const results = [
    scenario('alpha', expired, 3),
    scenario('beta', { verdict: 'PASS', message: '', findings: [] }, 5),
    scenario('gamma', fail, 7),
    scenario('delta', expired, 9),
    scenario('epsilon', { ...expired, message: 'TLS handshake with 127.0.0.1:7443 failed: unknown CA' }, 11),
    scenario('zeta', { ...expired, verdict: 'ENVIRONMENT ERROR' }, 13),
  ]
  const summary = runSummary('sut', results, [])
  const lines = summary.text.split('\n')
  const grouped = lines.filter((l) => l.includes('×'))
  assert.deepEqual(grouped, [
    '  INCONCLUSIVE      (×2: alpha (features/x.feature:3), delta (features/x.feature:9))',
  ])
  assert.equal(
    lines.filter((l) => l.includes('certificate has expired')).length,
    2,
    'once per group: INCONCLUSIVE, ENV',
  )
  assert.ok(lines.includes('  FAIL              gamma (features/x.feature:7) [MUST RFC 3327 §5 (R15)]'))
  assert.ok(lines.some((l) => l.startsWith('  INCONCLUSIVE      epsilon (')))
  assert.ok(lines.some((l) => l.startsWith('  ENVIRONMENT ERROR zeta (')))
  assert.equal(summary.failed, 5)
  assert.equal(summary.passed, 1)
})
