import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'

/**
 * Issue 3: killing the eP-CSCF mid-run makes the affected scenarios fail with an environment error that says so,
 * not a hang and not a conformance failure. Runs the real CLI against Kamailio (sut/kamailio) on ports of its own,
 * and kills Kamailio when a given scenario starts.
 */
const kamailio = spawnSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' }).stdout.trim()

void test(
  'a Kamailio killed mid-run fails the remaining scenarios as SUT_DIED, never as a conformance failure',
  {
    timeout: 120_000,
    skip: kamailio === '' ? 'kamailio is not installed (.ci/install-debian-packages.sh)' : false,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sut-death-'))
    const profile = readFileSync(resolve('profiles/kamailio-process.yaml'), 'utf8')
      .replace(/^name: .*$/m, 'name: kamailio-sut-death')
      .replaceAll('../sut/', `${resolve('sut')}/`)
      .replace(/^epcscf:\n/m, 'epcscf:\n  wss: { port: 27443 }\n  mw: { port: 25060 }\n')
    writeFileSync(join(dir, 'profile.yaml'), `${profile}\nscscf: { port: 25070 }\nwwsf: { port: 28443 }\n`)
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/harness.ts',
        '--profile',
        join(dir, 'profile.yaml'),
        '--parallel',
        '1',
        '--reports',
        join(dir, 'reports'),
        '--format',
        'pretty',
        '--order',
        'defined',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    let killed = false
    cli.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (!killed && output.includes('Scenario: de-registration with Expires 0 removes the binding')) {
        killed = true
        spawnSync('pkill', ['-9', '-f', 'kamailio-sut-death/worker-0'])
      }
    })
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((done) => cli.on('close', done))
    assert.ok(killed, `the scenario to kill at never started:\n${output.slice(-2000)}`)
    assert.equal(code, 3, output.slice(-2000)) // exit code 3: an environment error, not non-conformance (1)
    assert.match(output, /ENVIRONMENT ERROR/)
    assert.match(output, /SUT_DIED: the system under test "kamailio-sut-death"/)
    // The summary: one line per scenario that did not pass; none of them may be a FAIL (a dead SUT is not judged).
    const summary = output.slice(output.lastIndexOf('kamailio-sut-death: '))
    assert.match(summary, /^\s+ENVIRONMENT ERROR\s/m)
    assert.doesNotMatch(summary, /^\s+FAIL\s/m, 'a dead SUT must not be judged non-conformant')
    assert.doesNotMatch(summary, /CONFORMANCE_FAILED/)
    // The same in JUnit (an error, not a failure), the conformance matrix and the index page.
    const junit = readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8')
    assert.match(junit, /<error type="SutDied"/)
    assert.match(junit, /failures="0"/)
    const matrix = readFileSync(join(dir, 'reports', 'conformance-matrix.md'), 'utf8')
    assert.match(matrix, /not judged \(error\)/)
    assert.doesNotMatch(matrix, /\*\*FAIL\*\*/)
    assert.match(readFileSync(join(dir, 'reports', 'index.html'), 'utf8'), />ENVIRONMENT ERROR</)
  },
)
