/**
 * The console summary of a run: counts per verdict, then one line per scenario that did not pass plainly (its
 * verdict, the requirement and why; scenarios with the same verdict, requirement and message, e.g. every scenario of a
 * SUT whose certificate expired, are printed once with `(×N: name1, name2, …)`), then the plain line `N passed, N failed` CI reads (failed = FAIL,
 * INCONCLUSIVE, ENVIRONMENT ERROR and HARNESS ERROR; WARN, N/A and DEVIATION are not failures).
 */
import { describeRequirement } from '../support/checks/requirement.ts'
import {
  describeFinding,
  type ScenarioVerdict,
  VERDICT_KINDS,
  type VerdictKind,
} from '../support/checks/verdict.ts'
import { isFailure, type RunError, type ScenarioResult } from './scenario-results.ts'

const ORDER = VERDICT_KINDS

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
  for (const group of identicalOutcomes(results)) {
    const v = group[0]?.verdict
    if (v === undefined) continue
    const requirement = v.requirement ? ` [${describeRequirement(v.requirement)}]` : ''
    const names = group.map((r) => `${r.name} (${r.feature}${r.line ? `:${r.line}` : ''})`)
    const who = names.length === 1 ? names[0] : `(×${names.length}: ${names.join(', ')})`
    lines.push(`  ${v.verdict.padEnd(17)} ${who}${requirement}`)
    for (const detail of details(v)) lines.push(`                    ${detail}`)
  }
  const failed = results.filter((r) => isFailure(r.verdict.verdict)).length + runErrors.length
  const passed = results.length - failed + runErrors.length
  return { text: `${lines.join('\n')}\n`, passed, failed }
}

/** What the summary prints under a scenario: the findings of a WARN, else the first line of the message. */
function details(v: ScenarioVerdict): string[] {
  if (v.verdict === 'WARN') return v.findings.map(describeFinding)
  return v.message === '' ? [] : [v.message.split('\n')[0] ?? '']
}

/**
 * The scenarios that did not pass, those with the same verdict, requirement and printed details together (in the
 * order of their first scenario), so that one cause met by many scenarios is read once.
 */
function identicalOutcomes(results: readonly ScenarioResult[]): ScenarioResult[][] {
  const groups = new Map<string, ScenarioResult[]>()
  for (const r of results) {
    const v = r.verdict
    if (v.verdict === 'PASS') continue
    const key = JSON.stringify([
      v.verdict,
      v.requirement ? describeRequirement(v.requirement) : '',
      details(v),
    ])
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [r])
    else group.push(r)
  }
  return [...groups.values()]
}
