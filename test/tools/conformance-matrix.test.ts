import assert from 'node:assert/strict'
import { test } from 'node:test'
import { conformanceMatrix, scenarioResults } from '../../tools/conformance-matrix.ts'

/** A cucumber message stream of three scenarios: one passed, one failed, one expected deviation. */
function stream(): string {
  const lines: object[] = []
  const scenario = (n: number, name: string, tags: string[], statuses: string[], deviation?: string) => {
    lines.push({
      pickle: { id: `p${n}`, name, uri: 'features/x.feature', tags: tags.map((t) => ({ name: t })) },
    })
    lines.push({ testCase: { id: `c${n}`, pickleId: `p${n}` } })
    lines.push({ testCaseStarted: { id: `s${n}`, testCaseId: `c${n}` } })
    if (deviation)
      lines.push({ attachment: { testCaseStartedId: `s${n}`, fileName: 'deviation.txt', body: deviation } })
    for (const status of statuses)
      lines.push({
        testStepFinished: {
          testCaseStartedId: `s${n}`,
          testStepResult: {
            status,
            message: status === 'FAILED' ? 'CONFORMANCE_FAILED: no Path\nstack' : undefined,
          },
        },
      })
    lines.push({ testCaseFinished: { testCaseStartedId: `s${n}`, willBeRetried: false } })
  }
  scenario(1, 'origin refused', ['@W2', '@R12'], ['PASSED', 'PASSED'])
  scenario(2, 'path added', ['@R15', '@RFC3327-4'], ['PASSED', 'FAILED', 'SKIPPED'])
  scenario(3, 'token registers', ['@token', '@R34'], ['PASSED', 'SKIPPED'], 'EXPECTED DEVIATION of k: no JWT')
  return lines.map((l) => JSON.stringify(l)).join('\n')
}

void test('it reads each scenario verdict from the message stream, the first failure line as the reason', () => {
  const results = scenarioResults(stream())
  assert.deepEqual(
    results.map((r) => [r.name, r.verdict, r.detail]),
    [
      ['origin refused', 'passed', ''],
      ['path added', 'failed', 'CONFORMANCE_FAILED: no Path'],
      ['token registers', 'deviation', 'EXPECTED DEVIATION of k: no JWT'],
    ],
  )
})

void test('it lists every SA3 aspect, requirement and clause with its verdict, and names uncovered aspects', () => {
  const catalogue = '**R12 — An Origin not authorised is rejected.**\n**R15 — Path\ninsertion.**\n'
  const md = conformanceMatrix(scenarioResults(stream()), 'sut-x', catalogue)
  assert.match(md, /^# Conformance matrix: sut-x/)
  assert.match(
    md,
    /\| the use of TLS, WSS and CORS at the relevant reference points \| pass \| 1 \| 0 \| 0 \|/,
  )
  assert.match(md, /\| R15 Path insertion\. \| \*\*FAIL\*\* \| 0 \| 1 \| 0 \|/)
  assert.match(md, /\| R34 {2}\| not verified \| 0 \| 0 \| 1 \|/)
  assert.match(md, /\| RFC3327-4 \| \*\*FAIL\*\*/)
  assert.match(md, /how to provide IMS digest authentication .* \| not yet covered by a scenario/)
})
