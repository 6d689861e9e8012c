import assert from 'node:assert/strict'
import { test } from 'node:test'
import { must } from '../../support/checks/requirement.ts'
import { scenarioVerdict } from '../../support/checks/verdict.ts'
import {
  ConformanceFailure,
  NoAnswer,
  PreconditionFailed,
  ScenarioMisuse,
  SutDied,
} from '../../support/errors.ts'

const R15 = must('RFC 3327 §5.2', { id: 'R15' })
const R16 = must('RFC 3327 §5.2', { id: 'R16' })

void test('the side of the error decides the verdict, by class', () => {
  assert.equal(scenarioVerdict(new ConformanceFailure(R15, 'no Path'), []).verdict, 'FAIL')
  assert.equal(scenarioVerdict(new NoAnswer('nothing arrived'), []).verdict, 'INCONCLUSIVE')
  assert.equal(scenarioVerdict(new PreconditionFailed('not registered'), []).verdict, 'INCONCLUSIVE')
  assert.equal(scenarioVerdict(new SutDied('exited'), []).verdict, 'ENVIRONMENT ERROR')
  assert.equal(scenarioVerdict(new ScenarioMisuse('no WIC'), []).verdict, 'HARNESS ERROR')
  assert.equal(scenarioVerdict(new TypeError('x is undefined'), []).verdict, 'HARNESS ERROR')
  assert.equal(scenarioVerdict(undefined, []).verdict, 'PASS')
  const warn = { kind: 'WARN' as const, message: '400, not 403' }
  assert.equal(scenarioVerdict(undefined, [warn]).verdict, 'WARN')
})

void test('a declared deviation covers a FAIL of its check only, never an inconclusive run', () => {
  const fail = new ConformanceFailure(R15, 'no Path')
  assert.equal(scenarioVerdict(fail, [], { reason: 'known' }).verdict, 'DEVIATION')
  assert.equal(scenarioVerdict(fail, [], { reason: 'known', requirement: 'R15' }).verdict, 'DEVIATION')
  assert.equal(
    scenarioVerdict(new ConformanceFailure(R16, 'no Require'), [], { reason: 'known', requirement: 'R15' })
      .verdict,
    'FAIL',
  )
  assert.equal(scenarioVerdict(new NoAnswer('silence'), [], { reason: 'known' }).verdict, 'INCONCLUSIVE')
  const fixed = scenarioVerdict(undefined, [], { reason: 'known' })
  assert.equal(fixed.verdict, 'WARN')
  assert.match(fixed.message, /remove it from expectedDeviations/)
})
