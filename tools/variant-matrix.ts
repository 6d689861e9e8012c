/**
 * The mirror image of the fault matrix: the suite runs once per variant switch of the reference eP-CSCF (each a
 * legitimate variation, support/epcscf/variants.ts) and must show zero FAIL, INCONCLUSIVE or error: a conformant
 * eP-CSCF that differs from the interop contract where the texts allow it passes. WARNs (a SHOULD not followed) are
 * allowed and listed. Jobs run in parallel shards. Writes reports/variant-matrix.{md,xml}.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { describeFinding } from '../support/checks/verdict.ts'
import { VARIANT_DESCRIPTIONS, type VariantName } from '../support/epcscf/variants.ts'
import { xmlEscape } from './junit-report.ts'
import { runShards } from './matrix-shards.ts'
import { isFailure, type RunResults } from './scenario-results.ts'

function verdictOf(run: RunResults | undefined): { bad: string[]; warns: string[]; passed: number } {
  if (run === undefined) return { bad: ['the run did not report'], warns: [], passed: 0 }
  const bad = [
    ...run.runErrors.map((e) => `${e.verdict}: ${e.message}`),
    ...run.scenarios
      .filter((r) => isFailure(r.verdict.verdict))
      .map((r) => `${r.name}: ${r.verdict.verdict}: ${r.verdict.message.split('\n')[0]}`),
    ...(run.scenarios.length === 0 ? ['no scenario ran'] : []),
  ]
  const warns = run.scenarios.flatMap((r) =>
    r.verdict.findings.filter((f) => f.kind === 'WARN').map((f) => `${r.name}: ${describeFinding(f)}`),
  )
  return { bad, warns, passed: run.scenarios.length - bad.length }
}

async function main(): Promise<number> {
  const only = process.env.VARIANT_MATRIX_ONLY?.split(',')
  const variants = (Object.keys(VARIANT_DESCRIPTIONS) as VariantName[]).filter(
    (v) => only === undefined || only.includes(v),
  )
  process.stdout.write(`variant matrix: ${variants.length} variants, the whole suite each\n`)
  const runs = await runShards(
    variants.map((v) => ({
      name: `variant:${v}`,
      faults: [],
      variants: [v],
      tags: process.env.VARIANT_MATRIX_TAGS,
    })),
    (name) => process.stdout.write(`  done ${name}\n`),
  )
  const rows: string[] = []
  const cases: string[] = []
  let failing = 0
  for (const v of variants) {
    const { bad, warns, passed } = verdictOf(runs.get(`variant:${v}`))
    if (bad.length > 0) failing += 1
    rows.push(
      `| ${v} | ${bad.length === 0 ? 'pass' : '**FAIL**'} | ${passed} | ${bad.map((b) => b.replace(/\|/g, '\\|')).join('; ') || ''} | ${warns.map((w) => w.replace(/\|/g, '\\|')).join('; ')} |`,
    )
    const name = `variant ${v} passes every scenario`
    cases.push(
      bad.length === 0
        ? `<testcase name="${name}">${warns.length ? `<system-out>${xmlEscape(warns.join('\n'))}</system-out>` : ''}</testcase>`
        : `<testcase name="${name}"><failure message="${xmlEscape(bad.join('; '))}"/></testcase>`,
    )
  }
  const md = [
    '# Variant matrix',
    '',
    `Each row: the reference eP-CSCF with one legitimate variation, the whole suite. ${variants.length - failing} of ${variants.length} pass.`,
    '',
    '| variant | verdict | scenarios passed | not passed | advisories (WARN) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    ...variants.map((v) => `- **${v}**: ${VARIANT_DESCRIPTIONS[v]}`),
    '',
  ].join('\n')
  mkdirSync('reports', { recursive: true })
  writeFileSync('reports/variant-matrix.md', md)
  writeFileSync(
    'reports/variant-matrix.xml',
    `<?xml version="1.0"?>\n<testsuite name="variant matrix" tests="${cases.length}">\n${cases.join('\n')}\n</testsuite>\n`,
  )
  process.stdout.write(`\n${md}`)
  return failing === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(4)
  },
)
