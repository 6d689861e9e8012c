/**
 * `npm start [-- --profile FILE] [cucumber options]`: runs the conformance suite against the eP-CSCF the profile
 * describes (default: the embedded reference eP-CSCF) and writes reports/. Exit code 0 when every scenario
 * passed, 1 when any failed, 2 when the profile or the command line is wrong.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { ProfileError } from '../support/errors.ts'
import { loadProfile } from '../support/profile/load-profile.ts'
import { ensurePki } from '../support/sut/sut-pki.ts'
import { writeConformanceMatrix } from './conformance-matrix.ts'
import { junitCounts } from './junit-counts.ts'

const USAGE = `usage: npm start -- [--profile FILE] [--parallel N] [cucumber options, e.g. --tags @digest]
  --profile FILE   SUT profile (YAML or JSON); default: HARNESS_PROFILE, else the embedded reference eP-CSCF
  --parallel N     cucumber workers (default 2; an external SUT always runs with 1)
  --reports DIR    where the reports go (default reports/)`

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
    if (arg === '--profile' || arg === '--parallel' || arg === '--reports') {
      const value = argv[i + 1]
      if (value === undefined) throw new ProfileError(`${arg} needs a value\n${USAGE}`)
      if (arg === '--profile') profileFile = value
      else if (arg === '--reports') reports = value
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
  const pki = await ensurePki(loaded)
  process.stdout.write(
    `eP-CSCF harness: profile "${profile.name}" (${profile.launcher.kind})${loaded.file ? ` from ${loaded.file}` : ''}\n` +
      `  eP-CSCF   wss://${profile.epcscf.wss.host}:${profile.epcscf.wss.port}${profile.epcscf.wss.path} (Mw ${profile.epcscf.mw.address}:${profile.epcscf.mw.port})\n` +
      `  S-CSCF    ${profile.scscf.address}:${profile.scscf.port} (mock, UDP and TCP)\n` +
      `  test PKI  ${pki.dir}\n  workers   ${parallel}\n\n`,
  )

  mkdirSync(reports, { recursive: true })
  rmSync(`${reports}/junit.xml`, { force: true })
  const cucumber = resolve(
    dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')),
    'bin/cucumber.js',
  )
  const run = spawnSync(process.execPath, [cucumber, ...passThrough], {
    stdio: 'inherit',
    env: {
      ...process.env,
      HARNESS_PROFILE: loaded.file ?? '',
      HARNESS_PARALLEL: String(parallel),
      HARNESS_PROFILE_NAME: profile.name,
      HARNESS_REPORTS_DIR: reports,
    },
  })
  let matrix = ''
  try {
    matrix = `, ${writeConformanceMatrix(reports, profile.name)}`
  } catch (error) {
    process.stderr.write(`no conformance matrix: ${(error as Error).message}\n`)
  }
  const counts = junitCounts(resolve(reports, 'junit.xml'))
  // A run that failed without a failed scenario (a hook error, a crash) still counts as one failure.
  if (run.status !== 0 && counts.failed === 0) counts.failed = 1
  process.stdout.write(
    `\n${profile.name}: ${counts.passed} scenarios passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}` +
      ` (${reports}/cucumber.html, ${reports}/junit.xml, ${reports}/messages.ndjson${matrix})\n` +
      `${counts.passed} passed, ${counts.failed} failed\n`,
  )
  return run.status ?? 1
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  },
)
