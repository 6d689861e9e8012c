/**
 * Issue 12 §1: `npm run load` end to end against the reference eP-CSCF: a small flood run writes the JSON and the
 * HTML report (with its plots and the flood verdict, whatever it is: no timing is asserted), and Ctrl-C stops a run
 * cleanly (exit 3, the report of what ran written, nothing left listening).
 * Ports: --port-base 29400 (WSS 29843, Mw 29460, mock S-CSCF 29470).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { LoadReport } from '../../support/load/load-report.ts'

const LOAD = ['--import', 'tsx', 'tools/load.ts', '--port-base', '29400', '--threads', '1']

/** Runs `npm run load` with `args`; `onLine` sees each line of its output; resolves with the exit code and output. */
function load(args: string[], onLine?: (line: string, signal: (s: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, [...LOAD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString()
    output += text
    for (const line of text.split('\n')) onLine?.(line, (s) => child.kill(s))
  })
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

void describe('npm run load (issue 12)', { timeout: 200_000 }, () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'load-run-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('a flood run reports registrations, the three attacks, the verdict and the plots', async () => {
    const reports = join(dir, 'flood')
    const args = ['--workload', 'flood', '--rate', '5', '--ramp', '0', '--duration', '6', '--baseline', '2']
    const { code, output } = await load([
      ...args,
      '--flood-rate',
      '6',
      '--half-open-s',
      '1',
      '--reports',
      reports,
    ])
    assert.ok(code === 0 || code === 1, `exit ${code} (0 held, 1 not held):\n${output.slice(-3000)}`)
    assert.match(output, /^\[\s+1s\] target/m, 'a progress line per second')
    const report = JSON.parse(readFileSync(join(reports, 'load-report.json'), 'utf8')) as LoadReport
    assert.ok((report.totals.register?.successes ?? 0) > 0, JSON.stringify(report.totals))
    for (const attack of ['flood-origin', 'flood-register', 'flood-half-open'] as const)
      assert.ok((report.totals[attack]?.attempts ?? 0) > 0, `${attack}: ${JSON.stringify(report.totals)}`)
    assert.equal(
      report.totals['flood-origin']?.failures.accepted,
      undefined,
      'the reference refuses a bad Origin',
    )
    assert.equal(typeof report.flood?.held, 'boolean')
    assert.equal(code === 0, report.flood?.held)
    const html = readFileSync(join(reports, 'load-report.html'), 'utf8')
    assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'plots of rate, latency, connections and CPU')
    assert.match(html, /Flood: (HELD|NOT HELD|not judged)/)
    assert.doesNotMatch(html, /<script|https?:\/\/cdn/i)
  })

  void it('generators and the reference in processes of their own: the WICs register through the shared WSS port, and no process outlives the run', async () => {
    const reports = join(dir, 'processes')
    const { code, output } = await load([
      ...['--rate', '20', '--ramp', '0', '--duration', '3', '--settle', '1'],
      ...['--generators', 'process', '--threads', '2', '--sut-processes', '2', '--reports', reports],
    ])
    assert.equal(code, 0, output.slice(-3000))
    const report = JSON.parse(readFileSync(join(reports, 'load-report.json'), 'utf8')) as LoadReport
    assert.ok((report.totals.register?.successes ?? 0) >= 40, JSON.stringify(report.totals))
    assert.equal(report.processes.generators.length, 2)
    const shards = /in 2 processes \(pids (\d+), (\d+)\)/.exec(report.sut)
    assert.ok(shards, report.sut)
    for (const pid of [...report.processes.generators, Number(shards[1]), Number(shards[2])])
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} outlived the run`)
  })

  void it('--sut-processes needs the embedded reference: a launched SUT is refused with exit 2', async () => {
    const { code, output } = await load([
      '--profile',
      'profiles/kamailio-process.yaml',
      '--sut-processes',
      '2',
    ])
    assert.equal(code, 2, output)
    assert.match(output, /--sut-processes: only the embedded reference/)
  })

  void it('Ctrl-C stops the run cleanly: exit 3, the report written, the ports closed', async () => {
    const reports = join(dir, 'interrupted')
    let sent = false
    const { code, output } = await load(
      ['--rate', '5', '--duration', '60', '--reports', reports],
      (line, signal) => {
        if (!sent && /^\[\s+2s\]/.test(line)) {
          sent = true
          signal('SIGINT')
        }
      },
    )
    assert.equal(code, 3, output.slice(-3000))
    const report = JSON.parse(readFileSync(join(reports, 'load-report.json'), 'utf8')) as LoadReport
    assert.equal(report.interrupted, true)
    assert.equal(await listening(29843), false, 'the eP-CSCF no longer listens')
    assert.equal(await listening(29470), false, 'the mock core no longer listens')
  })
})
