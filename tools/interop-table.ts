/**
 * The interoperability table of a run: the browser WIC scenarios (features/browser/), one row per scenario and one
 * column per client library (JsSIP, SIP.js in Chromium), each cell the scenario's verdict against the system under
 * test. Written to `<reports>/interop.md` by `npm start` when browser scenarios ran (and removed otherwise, so a stale
 * table never describes another run); `node --import tsx tools/interop-table.ts [reports]` rebuilds it from a run's
 * messages.ndjson.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { LIBRARIES } from '../support/browser/page-bundle.ts'
import { cell } from './conformance-matrix.ts'
import { readRunResults, type ScenarioResult } from './scenario-results.ts'

const LIBRARY_NAMES = Object.values(LIBRARIES).map((l) => l.name)
const PLACEHOLDER = '‹library›'

export interface InteropRow {
  readonly scenario: string
  /** Library name → the verdict (with the requirement and message when it did not pass). */
  readonly cells: ReadonlyMap<string, ScenarioResult['verdict']>
}

/** The browser scenarios by scenario (library name taken out of the title) and library, in feature order. */
export function interopRows(scenarios: readonly ScenarioResult[]): InteropRow[] {
  const rows = new Map<string, Map<string, ScenarioResult['verdict']>>()
  const browser = scenarios
    .filter((s) => s.feature.includes('features/browser/'))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  for (const s of browser) {
    const library = LIBRARY_NAMES.find((name) => s.name.includes(name))
    if (library === undefined) continue
    const key = s.name.replace(library, PLACEHOLDER)
    rows.set(key, (rows.get(key) ?? new Map()).set(library, s.verdict))
  }
  return [...rows].map(([scenario, cells]) => ({ scenario, cells }))
}

/** The table as Markdown, or undefined when the run had no browser scenario. */
export function interopMarkdown(scenarios: readonly ScenarioResult[], sut: string): string | undefined {
  const rows = interopRows(scenarios)
  if (rows.length === 0) return undefined
  const verdictOf = (v: ScenarioResult['verdict'] | undefined) => (v === undefined ? 'not run' : v.verdict)
  const notes = rows.flatMap((row) =>
    [...row.cells]
      .filter(([, v]) => v.verdict !== 'PASS')
      .map(
        ([library, v]) =>
          `- ${cell(row.scenario.replace(PLACEHOLDER, library))}: ${v.verdict} — ${cell(v.message)}`,
      ),
  )
  return [
    `# Interoperability: real WICs in Chromium against ${sut}`,
    '',
    'Each cell is the verdict of the browser WIC scenario (features/browser/browser-wic.feature) with that client',
    'library in headless Chromium; the SIP trace and the browser console of each are in the scenario evidence.',
    '',
    `| scenario | ${LIBRARY_NAMES.join(' | ')} |`,
    `|---|${LIBRARY_NAMES.map(() => '---').join('|')}|`,
    ...rows.map(
      (row) =>
        `| ${cell(row.scenario)} | ${LIBRARY_NAMES.map((name) => verdictOf(row.cells.get(name))).join(' | ')} |`,
    ),
    ...(notes.length === 0 ? [] : ['', 'Not passed:', '', ...notes]),
    '',
  ].join('\n')
}

/** Writes `<reports>/interop.md`, or removes a stale one when the run had no browser scenario; returns the path. */
export function writeInteropTable(
  reports: string,
  scenarios: readonly ScenarioResult[],
  sut: string,
): string | undefined {
  const file = `${reports}/interop.md`
  const text = interopMarkdown(scenarios, sut)
  if (text === undefined) {
    rmSync(file, { force: true })
    return undefined
  }
  writeFileSync(file, text)
  return file
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const reports = process.argv[2] ?? 'reports'
  const { scenarios } = await readRunResults(`${reports}/messages.ndjson`)
  const written = writeInteropTable(
    reports,
    scenarios,
    process.env.HARNESS_PROFILE_NAME ?? 'the system under test',
  )
  process.stdout.write(written === undefined ? 'no browser scenario in this run\n' : `${written}\n`)
}
