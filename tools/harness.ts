/**
 * `npm start [-- --profile FILE] [cucumber options]`: runs the conformance suite against the eP-CSCF the profile
 * describes (default: the embedded reference eP-CSCF) and writes reports/. Exit codes (support/checks/verdict.ts):
 * 0 every scenario passed (WARN, N/A and declared deviations included), 1 a FAIL or INCONCLUSIVE, 2 the profile or
 * the command line is wrong (or no scenario matched), 3 an environment error (SUT did not start or died,
 * interrupted), 4 a harness error.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { exitCodeOf } from '../support/checks/verdict.ts'
import { ProfileError } from '../support/errors.ts'
import { loadProfile } from '../support/profile/load-profile.ts'
import { ensurePki } from '../support/sut/sut-pki.ts'
import { harnessVersion, writeConformancePage } from './conformance-html.ts'
import { conformanceModel, readCatalogue, writeConformanceMatrix } from './conformance-matrix.ts'
import { runCucumber } from './cucumber-run.ts'
import { checkDeviations } from './deviation-check.ts'
import { EvidenceWriter } from './evidence-export.ts'
import { featurePaths, featureTags, isFiltered, runFilter } from './feature-paths.ts'
import { writeIndexPage } from './index-page.ts'
import { headCucumberHtml } from './cucumber-html-header.ts'
import { writeInteropTable } from './interop-table.ts'
import { writeJunit } from './junit-report.ts'
import { runSummary } from './run-summary.ts'
import { readRunResults } from './scenario-results.ts'

const USAGE = `usage: npm start -- [--profile FILE] [--parallel N] [cucumber options, e.g. --tags @digest]
  --profile FILE   SUT profile (YAML or JSON); default: HARNESS_PROFILE, else the embedded reference eP-CSCF
  --parallel N     cucumber workers (default 2; an external SUT always runs with 1)
  --reports DIR    where the reports go (default reports/)
  --port-base N    move every port at once: eP-CSCF WSS N+443, Mw N+60, mock S-CSCF N+70, mock WWSF N+843
                   (default: HARNESS_PORT_BASE, else the profile's ports)`

async function main(argv: string[]): Promise<number> {
  let profileFile = process.env.HARNESS_PROFILE
  let parallel = Number(process.env.HARNESS_PARALLEL ?? 2)
  let reports = process.env.HARNESS_REPORTS_DIR || 'reports'
  const passThrough: string[] = []
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? ''
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`)
      return 0
    }
    if (arg === '--profile' || arg === '--parallel' || arg === '--reports' || arg === '--port-base') {
      const value = argv[i + 1]
      if (value === undefined) throw new ProfileError(`${arg} needs a value\n${USAGE}`)
      if (arg === '--profile') profileFile = value
      else if (arg === '--reports') reports = value
      else if (arg === '--port-base')
        process.env.HARNESS_PORT_BASE = value // the workers load the profile again
      else parallel = Number(value)
      i += 1
    } else if (arg.startsWith('--profile=')) profileFile = arg.slice('--profile='.length)
    else passThrough.push(arg)
  }
  if (!Number.isInteger(parallel) || parallel < 0)
    throw new ProfileError(`--parallel: expected a whole number, got ${parallel}`)

  const loaded = loadProfile(profileFile)
  const { profile } = loaded
  if (profile.launcher.kind === 'external' && parallel > 1) parallel = 1 // one SUT, one set of addresses
  await checkDeviations(profile.expectedDeviations)
  const pki = await ensurePki(loaded)
  process.stdout.write(
    `eP-CSCF harness: profile "${profile.name}" (${profile.launcher.kind})${loaded.file ? ` from ${loaded.file}` : ''}\n` +
      `  eP-CSCF   wss://${profile.epcscf.wss.host}:${profile.epcscf.wss.port}${profile.epcscf.wss.path} (Mw ${profile.epcscf.mw.address}:${profile.epcscf.mw.port})\n` +
      `  S-CSCF    ${profile.scscf.address}:${profile.scscf.port} (mock, UDP and TCP)\n` +
      `  test PKI  ${pki.dir}${pki.notice ? `\n            NOTE: ${pki.notice}` : ''}\n  workers   ${parallel}\n\n`,
  )

  mkdirSync(reports, { recursive: true })
  for (const stale of ['junit.xml', 'messages.ndjson', 'conformance-matrix.md', 'conformance.html'])
    rmSync(`${reports}/${stale}`, { force: true })
  const startedAt = new Date()
  const paths = featurePaths(passThrough)
  const run = await runCucumber(passThrough, {
    ...process.env,
    HARNESS_FEATURE_PATHS: paths.length > 0 ? '1' : '',
    HARNESS_PROFILE: loaded.file ?? '',
    HARNESS_PARALLEL: String(parallel),
    HARNESS_PROFILE_NAME: profile.name,
    HARNESS_REPORTS_DIR: reports,
  })
  const evidence = new EvidenceWriter(reports)
  const { scenarios, runErrors, unfinished } = await readRunResults(`${reports}/messages.ndjson`, evidence)
  if (run.interrupted)
    runErrors.push({
      verdict: 'ENVIRONMENT ERROR',
      errorClass: 'Interrupted',
      message: 'the run was interrupted (SIGINT/SIGTERM); scenarios that had not finished are not reported',
    })
  else if (run.status !== 0 && scenarios.length === 0 && runErrors.length === 0)
    runErrors.push({
      verdict: 'HARNESS ERROR',
      errorClass: 'CucumberExit',
      message: `cucumber exited with ${run.status ?? 'a signal'} before any scenario ran (see its output above)`,
    })
  const filter = runFilter(passThrough)
  writeJunit(`${reports}/junit.xml`, `eP-CSCF conformance: ${profile.name}`, scenarios, runErrors)
  const model = conformanceModel(scenarios, profile.name, readCatalogue(), {
    filtered: isFiltered(filter),
    runErrors,
    available: featureTags(),
    unfinished: new Set(unfinished.flatMap((u) => u.tags)),
  })
  const matrix = writeConformanceMatrix(reports, model)
  const launcher = profile.launcher
  const header = {
    sut: profile.name,
    launcher: launcher.kind,
    profileFile: loaded.file,
    switches:
      launcher.kind === 'reference'
        ? [...launcher.faults.map((f) => `fault ${f}`), ...launcher.variants.map((v) => `variant ${v}`)]
        : [],
    wssUrl: `wss://${profile.epcscf.wss.host}:${profile.epcscf.wss.port}${profile.epcscf.wss.path}`,
    arguments: passThrough,
    startedAt,
  }
  writeIndexPage(`${reports}/index.html`, header, scenarios, runErrors, evidence.folders)
  headCucumberHtml(`${reports}/cucumber.html`, header)
  writeInteropTable(reports, scenarios, profile.name) // library × scenario of the browser WICs (issue 11)
  const page = writeConformancePage(
    reports,
    model,
    { ...header, filter, version: harnessVersion() },
    evidence.folders,
  )
  const summary = runSummary(profile.name, scenarios, runErrors)
  process.stdout.write(
    `\n${summary.text}  reports: ${reports}/index.html (evidence per scenario in ${reports}/scenarios/), ${reports}/cucumber.html, ${reports}/junit.xml, ${reports}/messages.ndjson, ${page}, ${matrix}\n`,
  )
  if (scenarios.length === 0 && runErrors.length === 0) {
    process.stdout.write(
      `no scenario matched ${passThrough.join(' ') || 'the features'}\n0 passed, 1 failed\n`,
    )
    return 2
  }
  process.stdout.write(`${summary.passed} passed, ${summary.failed} failed\n`)
  const verdicts = [
    ...scenarios.map((r) => r.verdict),
    ...runErrors.map((e) => ({ verdict: e.verdict, errorClass: e.errorClass })),
  ]
  return exitCodeOf(verdicts)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  },
)
