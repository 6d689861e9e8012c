import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Envelope } from '@cucumber/messages'
import type { ScenarioVerdict } from '../../support/checks/verdict.ts'
import { ProgressLines } from '../../tools/progress-formatter.ts'

function feed(progress: ProgressLines, envelopes: object[]): void {
  for (const e of envelopes) progress.update(e as Envelope)
}

const pickle = (id: string, name: string, line: number) => ({
  pickle: { id, name, uri: 'features/x.feature', location: { line }, tags: [] },
})
const verdictOf = (started: string, v: ScenarioVerdict) => ({
  attachment: { testCaseStartedId: started, fileName: 'verdict.json', body: JSON.stringify(v) },
})

void test('one line per scenario as it ends: counter, verdict, name, place and the requirement of a FAIL', () => {
  const out: string[] = []
  const progress = new ProgressLines((text) => out.push(text))
  feed(progress, [
    pickle('p1', 'Path added', 72),
    pickle('p2', 'TLS 1.3', 12),
    pickle('p3', 'not selected', 99),
    { testCase: { id: 'c1', pickleId: 'p1' } },
    { testCase: { id: 'c2', pickleId: 'p2' } },
    { testCaseStarted: { id: 's2', testCaseId: 'c2' } },
    verdictOf('s2', { verdict: 'PASS', message: '', findings: [] }),
    { testCaseFinished: { testCaseStartedId: 's2', willBeRetried: false } },
  ])
  assert.deepEqual(out, ['[1/2] PASS              TLS 1.3 (features/x.feature:12)\n'])
  feed(progress, [
    { testCaseStarted: { id: 's1', testCaseId: 'c1' } },
    verdictOf('s1', {
      verdict: 'FAIL',
      requirement: { level: 'MUST', clause: 'RFC 3327 §5', id: 'R15' },
      message: 'no Path',
      findings: [],
    }),
    { testCaseFinished: { testCaseStartedId: 's1', willBeRetried: false } },
  ])
  assert.equal(
    out[1],
    '[2/2] FAIL              Path added (features/x.feature:72) [MUST RFC 3327 §5 (R15)]\n',
  )
})

void test('a retried attempt prints nothing; a harness error or a missing verdict shows the failed step', () => {
  const out: string[] = []
  const progress = new ProgressLines((text) => out.push(text))
  feed(progress, [
    pickle('p1', 'flaky', 3),
    { testCase: { id: 'c1', pickleId: 'p1' } },
    { testCaseStarted: { id: 's1', testCaseId: 'c1' } },
    { testCaseFinished: { testCaseStartedId: 's1', willBeRetried: true } },
    { testCaseStarted: { id: 's2', testCaseId: 'c1' } },
    {
      testStepFinished: {
        testCaseStartedId: 's2',
        testStepResult: {
          status: 'FAILED',
          message: 'TypeError: x is undefined\n    at step (steps/a.ts:3)',
        },
      },
    },
    { testCaseFinished: { testCaseStartedId: 's2', willBeRetried: false } },
  ])
  assert.equal(out.length, 1)
  assert.match(
    out[0] ?? '',
    /^\[1\/1\] NO VERDICT +flaky \(features\/x\.feature:3\)\n {6}TypeError: x is undefined\n {10}at step/,
  )
})
