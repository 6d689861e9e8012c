/**
 * `npm run bench`: the parser's throughput against npm `sip` (bench/parser.bench.ts) and the suite's wall time and
 * median scenario time against the embedded reference eP-CSCF. Speed is measured here, never asserted in tests.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'

const node = process.execPath
spawnSync(node, ['--import', 'tsx', 'bench/parser.bench.ts'], { stdio: 'inherit' })
// Load (issue 12): SIPp vs the harness's UDP generator, WSS registrations/s, memory and CPU per WIC; --expose-gc
// so that heaps are measured after a collection.
spawnSync(node, ['--expose-gc', '--import', 'tsx', 'bench/load.bench.ts'], { stdio: 'inherit' })

const cucumber = resolve(
  dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')),
  'bin/cucumber.js',
)
for (const parallel of [1, 2]) {
  const started = performance.now()
  const run = spawnSync(node, [cucumber, '--format', 'message:reports/bench-messages.ndjson'], {
    env: { ...process.env, HARNESS_PARALLEL: String(parallel), HARNESS_PROFILE: '' },
    encoding: 'utf8',
  })
  const wall = (performance.now() - started) / 1000
  const durations = scenarioDurations('reports/bench-messages.ndjson')
  const median = durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)] ?? NaN
  process.stdout.write(
    `suite: ${durations.length} scenarios against the reference, ${parallel} worker(s): wall ${wall.toFixed(2)} s, ` +
      `median scenario ${median.toFixed(1)} ms${run.status === 0 ? '' : ' (some scenarios failed)'}\n`,
  )
}

/** Per-scenario durations in ms from a cucumber message stream (testCaseStarted → testCaseFinished). */
function scenarioDurations(file: string): number[] {
  const started = new Map<string, number>()
  const durations: number[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue
    const envelope = JSON.parse(line) as {
      testCaseStarted?: { id: string; timestamp: { seconds: number; nanos: number } }
      testCaseFinished?: { testCaseStartedId: string; timestamp: { seconds: number; nanos: number } }
    }
    const ms = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6
    if (envelope.testCaseStarted)
      started.set(envelope.testCaseStarted.id, ms(envelope.testCaseStarted.timestamp))
    const finished = envelope.testCaseFinished
    const begin = finished ? started.get(finished.testCaseStartedId) : undefined
    if (finished && begin !== undefined) durations.push(ms(finished.timestamp) - begin)
  }
  return durations
}
