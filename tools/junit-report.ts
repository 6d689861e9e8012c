/**
 * JUnit XML of one run, written from the scenario verdicts (not cucumber's junit formatter, which knows only
 * passed/failed): FAIL → <failure>, INCONCLUSIVE / ENVIRONMENT ERROR / HARNESS ERROR → <error>, N/A and DEVIATION
 * → <skipped> with the reason, WARN → a pass whose advisories are in <system-out>. Every testcase that is not a pass
 * carries its verdict text and the scenario's ladder (capped) so that a CI page shows the evidence.
 */
import { writeFileSync } from 'node:fs'
import { describeFinding } from '../support/checks/verdict.ts'
import { describeRequirement } from '../support/checks/requirement.ts'
import type { RunError, ScenarioResult } from './scenario-results.ts'

export function xmlEscape(text: string): string {
  // XML 1.0 has no place for most control characters: they are dropped (a hostile SUT may send them).
  const printable = [...text].filter((c) => {
    const code = c.codePointAt(0) ?? 0
    return code >= 0x20 ? code !== 0xfffe && code !== 0xffff : code === 0x09 || code === 0x0a || code === 0x0d
  })
  return printable
    .join('')
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c)
}

function testcase(r: ScenarioResult): string {
  const v = r.verdict
  const name = `name="${xmlEscape(r.name)}" classname="${xmlEscape(r.feature)}"`
  const why = `${v.verdict}${v.requirement ? ` [${describeRequirement(v.requirement)}]` : ''}: ${v.message}`
  const out = [
    `VERDICT: ${why}`,
    ...v.findings.map(describeFinding),
    ...(v.verdict === 'PASS' || v.verdict === 'WARN' ? [] : ['', r.evidence]),
  ].join('\n')
  const systemOut = `<system-out>${xmlEscape(out)}</system-out>`
  const type = `type="${xmlEscape(v.errorClass ?? v.verdict)}"`
  switch (v.verdict) {
    case 'PASS':
      return `<testcase ${name}/>`
    case 'WARN':
      return `<testcase ${name}>${systemOut}</testcase>`
    case 'FAIL':
      return `<testcase ${name}><failure ${type} message="${xmlEscape(why)}"/>${systemOut}</testcase>`
    case 'N/A':
    case 'DEVIATION':
      return `<testcase ${name}><skipped message="${xmlEscape(why)}"/>${systemOut}</testcase>`
    default:
      return `<testcase ${name}><error ${type} message="${xmlEscape(why)}"/>${systemOut}</testcase>`
  }
}

export function junitXml(
  suite: string,
  results: readonly ScenarioResult[],
  runErrors: readonly RunError[],
): string {
  const cases = results.map(testcase)
  for (const e of runErrors)
    cases.push(
      `<testcase name="${xmlEscape(`run: ${e.verdict}`)}" classname="run"><error type="${xmlEscape(e.errorClass)}" message="${xmlEscape(e.message)}"/></testcase>`,
    )
  const count = (re: RegExp) => cases.filter((c) => re.test(c)).length
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${count(/<failure /)}" errors="${count(/<error /)}" skipped="${count(/<skipped /)}">\n` +
    `${cases.join('\n')}\n</testsuite>\n`
  )
}

export function writeJunit(
  file: string,
  suite: string,
  results: readonly ScenarioResult[],
  runErrors: readonly RunError[],
): void {
  writeFileSync(file, junitXml(suite, results, runErrors))
}
