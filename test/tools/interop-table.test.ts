import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { interopMarkdown, interopRows } from '../../tools/interop-table.ts'
import type { ScenarioResult } from '../../tools/scenario-results.ts'

function result(name: string, line: number, verdict: 'PASS' | 'FAIL' = 'PASS', message = ''): ScenarioResult {
  return {
    name,
    feature: 'features/browser/browser-wic.feature',
    line,
    tags: ['@browser'],
    verdict: { verdict, message, findings: [] },
    evidence: '',
  }
}

void describe('interop table (library × scenario of the browser WICs)', () => {
  const scenarios = [
    result('JsSIP in Chromium registers with IMS digest through the eP-CSCF', 20),
    result('SIP.js in Chromium registers with IMS digest through the eP-CSCF', 21, 'FAIL', 'no Path'),
    result('a JsSIP page served from an unauthorized origin cannot open the SIP WebSocket', 33),
    { ...result('some other scenario', 5), feature: 'features/registration/digest.feature' },
  ]

  void it('puts each library in its column and each scenario once, the library taken out of its title', () => {
    const rows = interopRows(scenarios)
    assert.equal(rows.length, 2)
    assert.equal(rows[0]?.scenario, '‹library› in Chromium registers with IMS digest through the eP-CSCF')
    assert.equal(rows[0]?.cells.get('JsSIP')?.verdict, 'PASS')
    assert.equal(rows[0]?.cells.get('SIP.js')?.verdict, 'FAIL')
    assert.equal(rows[1]?.cells.get('SIP.js'), undefined)
  })

  void it('writes the verdicts, "not run" for a missing cell, and why a cell did not pass', () => {
    const text = interopMarkdown(scenarios, 'kamailio-process') ?? ''
    assert.match(text, /against kamailio-process/)
    assert.match(text, /\| ‹library› in Chromium registers .* \| PASS \| FAIL \|/)
    assert.match(text, /cannot open the SIP WebSocket \| PASS \| not run \|/)
    assert.match(text, /SIP\.js in Chromium registers .*: FAIL — no Path/)
  })

  void it('is absent when the run had no browser scenario', () => {
    assert.equal(interopMarkdown(scenarios.slice(3), 'reference'), undefined)
  })
})
