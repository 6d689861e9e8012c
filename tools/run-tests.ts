/**
 * `npm test`: every tier of the project's own checks, in order, whatever fails on the way, then one plain line
 * `N passed, N failed` that counts unit tests, scenarios and the fault matrix together (CI reads it).
 *   static   eslint, prettier --check, tsc --noEmit (one check each)
 *   unit     node:test over test/**\/*.test.ts but the system folders → reports/unit-junit.xml
 *   system   (not by default) test/{e2e,hostile,sut,load}: real SUTs, floods, signals, load runs → reports/system-junit.xml
 *   suite    the scenarios against the reference eP-CSCF → reports/junit.xml (npm start)
 *   faults   each fault switch is caught by its intended check → reports/fault-matrix.{md,xml}
 *   variants each legitimate variant passes every scenario   → reports/variant-matrix.{md,xml}
 * Set HARNESS_PROFILE to run the suite tier against another system under test.
 */
import { spawn, spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { junitCounts, type Counts } from './junit-counts.ts'

const node = process.execPath
const only = new Set((process.env.TEST_TIERS ?? 'static,unit,suite,faults,variants').split(','))
const total: Counts = { passed: 0, failed: 0, skipped: 0 }
const lines: string[] = []

function run(label: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n=== ${label}: ${command} ${args.join(' ')}\n`)
  const result = spawnSync(command, args, { stdio: 'inherit' })
  return result.status === 0
}

/**
 * Runs several commands at once, each with its output kept and printed whole when it ends (in the order given),
 * so that their lines do not interleave; resolves with whether each exited 0.
 */
async function runTogether(
  jobs: readonly { label: string; args: string[]; env: Record<string, string> }[],
): Promise<boolean[]> {
  return Promise.all(
    jobs.map(
      (job) =>
        new Promise<{ ok: boolean; output: string }>((resolve) => {
          const child = spawn(node, job.args, {
            env: { ...process.env, ...job.env },
            stdio: ['ignore', 'pipe', 'pipe'],
          })
          let output = ''
          child.stdout.on('data', (d: Buffer) => (output += d.toString()))
          child.stderr.on('data', (d: Buffer) => (output += d.toString()))
          child.once('close', (code) => resolve({ ok: code === 0, output }))
        }),
    ),
  ).then((done) =>
    done.map(({ ok, output }, i) => {
      process.stdout.write(`\n=== ${jobs[i]!.label}: node ${jobs[i]!.args.join(' ')}\n${output}`)
      return ok
    }),
  )
}

function add(label: string, counts: Counts, ok: boolean): void {
  // A tier that failed without reporting a failed test (a crash, a configuration error) still counts as a failure.
  const failed = counts.failed === 0 && !ok ? 1 : counts.failed
  total.passed += counts.passed
  total.failed += failed
  total.skipped += counts.skipped
  lines.push(
    `${label}: ${counts.passed} passed, ${failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`,
  )
}

mkdirSync('reports', { recursive: true })
if (only.has('static')) {
  for (const [label, bin, args] of [
    ['eslint', 'eslint', ['.']],
    ['prettier', 'prettier', ['--check', '.']],
    ['tsc', 'tsc', ['--noEmit']],
  ] as const) {
    const ok = run(label, bin, [...args])
    add(label, { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 }, ok)
  }
}
/**
 * Unit tests: every test file outside the system-test folders. System tests (test/e2e, test/hostile, test/sut, test/load) run
 * real SUT processes, containers, floods and signals for tens of seconds each: they are the `system` tier, which
 * `.ci/run` runs after `npm test` (or `TEST_TIERS=system npm test`; `npm run test:system`).
 */
const SYSTEM_DIRS = ['e2e', 'hostile', 'sut', 'load']

function testFiles(system: boolean): string[] {
  return readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .filter((file) => SYSTEM_DIRS.includes(file.split(/[/\\]/)[0] ?? '') === system)
    .map((file) => join('test', file))
    .sort()
}

function nodeTests(label: string, junit: string, files: string[], concurrency: number): void {
  const ok = run(label, node, [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=120000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=junit',
    `--test-reporter-destination=${junit}`,
    ...files,
  ])
  add(label, junitCounts(junit), ok)
}

// Unit test files use ports of their own or free ones, so they run two at a time; system tests one at a time.
if (only.has('unit')) nodeTests('unit tests', 'reports/unit-junit.xml', testFiles(false), 2)
if (only.has('system')) nodeTests('system tests', 'reports/system-junit.xml', testFiles(true), 1)
if (only.has('suite')) {
  const ok = run('scenarios', node, ['--import', 'tsx', 'tools/harness.ts'])
  add(`scenarios (${process.env.HARNESS_PROFILE || 'reference'})`, junitCounts('reports/junit.xml'), ok)
}
/**
 * The two matrices run at once, each on shards and ports of its own (MATRIX_PORT_BLOCK), a shard per core each:
 * their scenarios mostly wait on the network (29 s of CPU in a 92 s fault matrix), so one after another they left
 * the cores idle. Not with the suite as well: with its Chromium and two workers, and three shards per matrix, a first WSS
 * handshake of a matrix missed its short deadline (1.5 s) once in CI.
 */
const matrices = [
  { tier: 'faults', label: 'fault matrix', tool: 'tools/fault-matrix.ts', xml: 'reports/fault-matrix.xml' },
  {
    tier: 'variants',
    label: 'variant matrix',
    tool: 'tools/variant-matrix.ts',
    xml: 'reports/variant-matrix.xml',
  },
].filter((m) => only.has(m.tier))
const shards = String(process.env.MATRIX_SHARDS ?? availableParallelism())
const matrixOk = await runTogether(
  matrices.map((m, i) => ({
    label: m.label,
    args: ['--import', 'tsx', m.tool],
    env: { MATRIX_SHARDS: shards, MATRIX_PORT_BLOCK: String(i) },
  })),
)
matrices.forEach((m, i) => add(m.label, junitCounts(m.xml), matrixOk[i] ?? false))
process.stdout.write(`\n${lines.join('\n')}\n`)
process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`)
process.exit(total.failed === 0 ? 0 : 1)
