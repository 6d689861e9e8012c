/**
 * The harness tests itself: every fault switch of the reference eP-CSCF must be CAUGHT BY ITS INTENDED CHECK: a
 * scenario tagged with one of the requirements the fault breaks (support/epcscf/fault-requirements.ts) must end
 * FAIL with a ConformanceFailure of one of those requirements. A timeout, an inconclusive run, an environment or
 * harness error, or a failure at another check never counts. The clean reference must pass every scenario.
 * Jobs run in parallel shards (tools/matrix-shards.ts). Writes reports/fault-matrix.{md,xml}.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { FAULT_DESCRIPTIONS, type FaultName } from '../support/epcscf/faults.ts'
import { FAULT_REQUIREMENTS } from '../support/epcscf/fault-requirements.ts'
import { describeRequirement } from '../support/checks/requirement.ts'
import { requirementTitles } from './conformance-matrix.ts'
import { xmlEscape } from './junit-report.ts'
import type { MatrixJob } from './matrix-runner.ts'
import { runShards } from './matrix-shards.ts'
import type { RunResults, ScenarioResult } from './scenario-results.ts'

interface FaultOutcome {
  readonly fault: FaultName
  readonly ids: readonly string[]
  readonly caughtBy: ScenarioResult[]
  readonly others: ScenarioResult[]
  readonly ran: number
}

function judge(fault: FaultName, run: RunResults | undefined): FaultOutcome {
  const ids = FAULT_REQUIREMENTS[fault] ?? []
  const scenarios = run?.scenarios ?? []
  const caughtBy = scenarios.filter(
    (r) =>
      r.verdict.verdict === 'FAIL' &&
      ids.includes(r.verdict.requirement?.id ?? '') &&
      r.tags.some((t) => ids.includes(t.slice(1))),
  )
  const others = scenarios.filter((r) => !caughtBy.includes(r) && r.verdict.verdict !== 'PASS')
  return { fault, ids, caughtBy, others, ran: scenarios.length }
}

function line(o: FaultOutcome): string {
  const head = `| ${o.fault} | ${o.ids.join(', ') || '(none declared)'} |`
  if (o.caughtBy.length > 0)
    return `${head} caught | ${o.caughtBy.map((r) => `${r.name} at ${describeRequirement(r.verdict.requirement ?? { level: 'MUST', clause: '?' })}`).join('; ')} |`
  const seen = o.others.map(
    (r) =>
      `${r.name}: ${r.verdict.verdict}${r.verdict.requirement ? ` at ${describeRequirement(r.verdict.requirement)}` : ''}`,
  )
  return `${head} **NOT CAUGHT** (${o.ran} scenarios ran) | ${seen.join('; ') || 'every scenario passed'} |`
}

function cleanProblems(run: RunResults | undefined): string[] {
  if (run === undefined) return ['the clean run did not report']
  const bad = run.scenarios.filter((r) => !['PASS', 'WARN', 'N/A'].includes(r.verdict.verdict))
  return [
    ...run.runErrors.map((e) => `${e.verdict}: ${e.message}`),
    ...bad.map((r) => `${r.name}: ${r.verdict.verdict} ${r.verdict.message}`),
    ...(run.scenarios.length === 0 ? ['no scenario ran'] : []),
  ]
}

/** Catalogue requirements that no fault proves a check for, split into "checked by a scenario" and "no scenario". */
function unguarded(clean: RunResults | undefined): { tagged: string[]; untagged: string[] } {
  const catalogue = readFileSync(new URL('../docs/requirements-catalogue.md', import.meta.url), 'utf8')
  const all = [...requirementTitles(catalogue).keys()].map((t) => t.slice(1))
  const proven = new Set(Object.values(FAULT_REQUIREMENTS).flat())
  const tagged = new Set((clean?.scenarios ?? []).flatMap((r) => r.tags.map((t) => t.slice(1))))
  const open = all.filter((id) => !proven.has(id))
  return { tagged: open.filter((id) => tagged.has(id)), untagged: open.filter((id) => !tagged.has(id)) }
}

async function main(): Promise<number> {
  const only = process.env.FAULT_MATRIX_ONLY?.split(',')
  const faults = (Object.keys(FAULT_DESCRIPTIONS) as FaultName[]).filter(
    (f) => only === undefined || only.includes(f),
  )
  const jobs: MatrixJob[] = [
    { name: 'clean', faults: [], variants: [], tags: process.env.FAULT_MATRIX_TAGS },
    ...faults.map((fault) => {
      const ids = FAULT_REQUIREMENTS[fault] ?? []
      return {
        name: `fault:${fault}`,
        faults: [fault],
        variants: [],
        // Only the scenarios of the requirements the fault breaks: the intended check must be among them.
        tags: ids.length === 0 ? '@no-requirement-declared' : ids.map((id) => `@${id}`).join(' or '),
      }
    }),
  ]
  process.stdout.write(`fault matrix: ${faults.length} faults and the clean reference\n`)
  const runs = await runShards(jobs, (name) => process.stdout.write(`  done ${name}\n`))
  const problems = cleanProblems(runs.get('clean'))
  const outcomes = faults.map((fault) => judge(fault, runs.get(`fault:${fault}`)))
  const caught = outcomes.filter((o) => o.caughtBy.length > 0).length
  const { tagged, untagged } = unguarded(runs.get('clean'))
  const md = [
    '# Fault matrix',
    '',
    `Clean reference: ${problems.length === 0 ? 'every scenario passed' : `**${problems.length} problems**: ${problems.join('; ')}`}.`,
    `Faults caught by their intended check: ${caught} of ${outcomes.length} (${outcomes.length === 0 ? 100 : Math.round((100 * caught) / outcomes.length)} %).`,
    '',
    '| fault | requirements it breaks | verdict | caught by (scenario at check), or what was seen |',
    '|---|---|---|---|',
    ...outcomes.map(line),
    '',
    `Requirements with scenarios but no fault that proves their check can fail: ${tagged.join(', ') || 'none'}.`,
    '',
    `Requirements no scenario checks: ${untagged.join(', ') || 'none'}.`,
    '',
  ].join('\n')
  const cases = [
    `<testcase name="clean reference passes every scenario">${problems.length === 0 ? '' : `<failure message="${xmlEscape(problems.join('; '))}"/>`}</testcase>`,
    ...outcomes.map((o) =>
      o.caughtBy.length > 0
        ? `<testcase name="fault ${o.fault} is caught by its intended check"/>`
        : `<testcase name="fault ${o.fault} is caught by its intended check"><failure message="${xmlEscape(line(o))}"/></testcase>`,
    ),
  ]
  mkdirSync('reports', { recursive: true })
  writeFileSync('reports/fault-matrix.md', md)
  writeFileSync(
    'reports/fault-matrix.xml',
    `<?xml version="1.0"?>\n<testsuite name="fault matrix" tests="${cases.length}">\n${cases.join('\n')}\n</testsuite>\n`,
  )
  process.stdout.write(`\n${md}`)
  return problems.length === 0 && caught === outcomes.length ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(4)
  },
)
