import assert from 'node:assert/strict'
import { test } from 'node:test'
import { conformanceMatrix } from '../../tools/conformance-matrix.ts'
import { junitXml } from '../../tools/junit-report.ts'
import { ResultCollector, type RunResults } from '../../tools/scenario-results.ts'
import { exitCodeOf, type ScenarioVerdict } from '../../support/checks/verdict.ts'

/** A cucumber message stream of scenarios, each with the verdict.json its After hook attached. */
function run(scenarios: [string, string[], ScenarioVerdict][]): RunResults {
  const collector = new ResultCollector()
  scenarios.forEach(([name, tags, verdict], n) => {
    collector.add({
      pickle: { id: `p${n}`, name, uri: 'features/x.feature', tags: tags.map((t) => ({ name: t })) },
    })
    collector.add({ testCase: { id: `c${n}`, pickleId: `p${n}` } })
    collector.add({ testCaseStarted: { id: `s${n}`, testCaseId: `c${n}` } })
    collector.add({
      attachment: { testCaseStartedId: `s${n}`, fileName: 'verdict.json', body: JSON.stringify(verdict) },
    })
    collector.add({ testCaseFinished: { testCaseStartedId: `s${n}`, willBeRetried: false } })
  })
  return collector.results()
}

const PASS: ScenarioVerdict = { verdict: 'PASS', message: '', findings: [] }
const FAIL: ScenarioVerdict = {
  verdict: 'FAIL',
  side: 'sut',
  errorClass: 'ConformanceFailure',
  requirement: { level: 'MUST', clause: 'RFC 3327 §5', id: 'R15' },
  message: 'no Path',
  findings: [],
}
const DIED: ScenarioVerdict = {
  verdict: 'ENVIRONMENT ERROR',
  side: 'environment',
  errorClass: 'SutDied',
  message: 'SUT_DIED: kamailio exited',
  findings: [],
}
const WARN: ScenarioVerdict = {
  verdict: 'WARN',
  message: '',
  findings: [
    { kind: 'WARN', requirement: { level: 'SHOULD', clause: 'RFC 6455 §10.2' }, message: '400, not 403' },
  ],
}

void test('each verdict reaches the matrix; an environment error is "not judged", never FAIL', () => {
  const { scenarios } = run([
    ['origin refused', ['@cors', '@R12'], WARN],
    ['path added', ['@R15', '@RFC3327-4'], FAIL],
    ['token registers', ['@token', '@R34'], DIED],
  ])
  const catalogue =
    '**R12 — An Origin not authorised is rejected.**\n**R15 — Path\ninsertion.**\n**R34 — TNA.**\n'
  const md = conformanceMatrix(scenarios, 'sut-x', catalogue)
  assert.match(md, /^# Conformance matrix: sut-x/)
  assert.match(
    md,
    /\| the use of TLS, WSS and CORS at the relevant reference points \| pass \(WARN\) \| 0 \| 1 \|/,
  )
  assert.match(md, /\| R15 Path insertion\. \| \*\*FAIL\*\* \| 0 \| 0 \| 1 \|/)
  assert.match(md, /\| R34 TNA\. \| not judged \(error\) \|/)
  assert.doesNotMatch(md.split('\n').find((l) => l.includes('security token')) ?? '', /FAIL/)
  assert.match(md, /how to provide IMS digest authentication .* \| no scenario yet/)
})

void test('JUnit tells a failure from an error from a skip, and the exit code tells FAIL (1) from ENV (3)', () => {
  const { scenarios } = run([
    ['a', [], PASS],
    ['b', [], FAIL],
  ])
  const xml = junitXml('s', scenarios, [])
  assert.match(xml, /failures="1" errors="0"/)
  assert.match(xml, /<failure type="ConformanceFailure" message="FAIL \[MUST RFC 3327 §5 \(R15\)\]: no Path"/)
  assert.equal(exitCodeOf(scenarios.map((s) => s.verdict)), 1)
  const died = run([
    ['b', [], FAIL],
    ['c', [], DIED],
  ]).scenarios
  assert.match(junitXml('s', died, []), /<error type="SutDied"/)
  assert.equal(exitCodeOf(died.map((s) => s.verdict)), 3)
  assert.equal(exitCodeOf([WARN, PASS]), 0)
})
