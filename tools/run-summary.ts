/**
 * The console summary of a run: counts per verdict, then one line per scenario that did not pass plainly (its
 * verdict, the requirement and why), then the plain line `N passed, N failed` CI reads (failed = FAIL,
 * INCONCLUSIVE, ENVIRONMENT ERROR and HARNESS ERROR; WARN, N/A and DEVIATION are not failures).
 */
import { describeRequirement } from '../support/checks/requirement.ts'
import { describeFinding, type VerdictKind } from '../support/checks/verdict.ts'
import { isFailure, type RunError, type ScenarioResult } from './scenario-results.ts'

const ORDER: readonly VerdictKind[] = [
  'PASS',
  'WARN',
  'FAIL',
  'INCONCLUSIVE',
  'ENVIRONMENT ERROR',
  'HARNESS ERROR',
  'N/A',
  'DEVIATION',
]

export function runSummary(
  sut: string,
  results: readonly ScenarioResult[],
  runErrors: readonly RunError[],
): { text: string; passed: number; failed: number } {
  const count = (v: VerdictKind) => results.filter((r) => r.verdict.verdict === v).length
  const lines = [
    `${sut}: ${results.length} scenarios: ${
      ORDER.filter(count)
        .map((v) => `${count(v)} ${v}`)
        .join(', ') || 'none ran'
    }`,
  ]
  for (const e of runErrors)
    lines.push(`  ${e.verdict} (${e.errorClass}) before or after the scenarios: ${e.message}`)
  for (const r of results) {
    const v = r.verdict
    if (v.verdict === 'PASS') continue
    const where = `${r.feature}${r.line ? `:${r.line}` : ''}`
    const requirement = v.requirement ? ` [${describeRequirement(v.requirement)}]` : ''
    lines.push(`  ${v.verdict.padEnd(17)} ${r.name} (${where})${requirement}`)
    if (v.verdict === 'WARN')
      for (const f of v.findings) lines.push(`                    ${describeFinding(f)}`)
    else if (v.message !== '') lines.push(`                    ${v.message.split('\n')[0]}`)
  }
  const failed = results.filter((r) => isFailure(r.verdict.verdict)).length + runErrors.length
  const passed = results.length - failed + runErrors.length
  return { text: `${lines.join('\n')}\n`, passed, failed }
}
