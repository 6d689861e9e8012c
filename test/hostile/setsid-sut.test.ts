/**
 * Issue 7: a launched SUT that calls setsid() (as daemons do) cannot escape the stop. The SUT here is a process
 * that starts a child in a session of its own (Node's `detached` is setsid()) and then serves TLS on its WSS port
 * without ever answering the WebSocket upgrade. After a normal run, and after a run whose cucumber process was
 * killed with SIGKILL (no AfterAll ran), nothing with the child's marker is left, and the ports are free.
 */
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { processesWith } from '../sut/sut-processes.ts'
import {
  alive,
  MiB,
  nothingOutlives,
  portFree,
  portFreeWithin,
  runHarness,
  SETSID_PORTS,
} from './harness-run.ts'

const WSS_PORT = SETSID_PORTS.wss
const SCENARIO = 'registration answering an MD5 challenge'

const SUT_SCRIPT = `
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const tls = require('node:tls')
const [dir, port, marker] = process.argv.slice(2)
const daemon = spawn('sleep', [marker], { detached: true, stdio: 'ignore' })
daemon.unref()
console.log('daemon pid ' + daemon.pid + ' in a session of its own')
const server = tls.createServer({ cert: fs.readFileSync(dir + '/server.crt'), key: fs.readFileSync(dir + '/server.key') }, () => {})
server.listen(Number(port), '127.0.0.1', () => console.log('tls up on ' + port))
`

function profile(script: string, marker: string): string {
  return [
    'name: hostile-setsid',
    'launcher:',
    '  kind: process',
    `  command: ${process.execPath}`,
    `  args: ['${script}', '{{pki.dir}}', '{{wss.port}}', '${marker}']`,
    'startTimeoutMs: 15000',
    'waitMs: 1500',
    'epcscf:',
    `  wss: { port: ${WSS_PORT} }`,
    `  mw: { port: ${SETSID_PORTS.mw} }`,
    `scscf: { port: ${SETSID_PORTS.scscf} }`,
    'wwsf: { port: 0 }',
  ].join('\n')
}

void describe('a SUT that calls setsid() (issue 7)', { timeout: 5 * 60_000 }, () => {
  let dir: string
  let script: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-setsid-'))
    script = join(dir, 'setsid-sut.cjs')
    writeFileSync(script, SUT_SCRIPT)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('is stopped with its escaped child at the end of a run', async () => {
    const marker = `300.${process.pid}1`
    assert.ok(await portFreeWithin(SETSID_PORTS.scscf), `port ${SETSID_PORTS.scscf} is free before the run`)
    const run = await runHarness({
      dir: join(dir, 'normal'),
      profile: profile(script, marker),
      args: ['--parallel', '1', '--name', `^${SCENARIO}$`],
    })
    assert.equal(run.verdicts.length, 1, run.output.slice(-3000))
    assert.equal(run.verdicts[0]?.verdict, 'INCONCLUSIVE', run.verdicts[0]?.message)
    assert.ok(run.reportBytes < 5 * MiB)
    assert.deepEqual(processesWith(marker), [], 'the setsid child is gone')
    assert.ok(await portFree(WSS_PORT), `port ${WSS_PORT} is free`)
    await nothingOutlives(run, join(dir, 'normal', 'harness'), [SETSID_PORTS.scscf])
  })

  void it('is stopped with its escaped child when cucumber itself is killed (no AfterAll)', async () => {
    const marker = `300.${process.pid}2`
    assert.ok(await portFreeWithin(SETSID_PORTS.scscf), `port ${SETSID_PORTS.scscf} is free before the run`)
    let killed = false
    let harnessPid = 0
    // Once the SUT and its daemon are up, the cucumber process (the harness's one child) dies at once.
    const poller = setInterval(() => {
      if (killed || harnessPid === 0 || processesWith(marker).length === 0) return
      const cucumber = Number(readChildren(harnessPid)[0] ?? 0)
      if (cucumber > 0) {
        killed = true
        process.kill(cucumber, 'SIGKILL')
      }
    }, 50)
    const run = await runHarness({
      dir: join(dir, 'killed'),
      profile: profile(script, marker),
      args: ['--parallel', '1', '--name', `^${SCENARIO}$`],
      onOutput: (_output, pid) => (harnessPid = pid),
    }).finally(() => clearInterval(poller))
    assert.ok(killed, `the SUT never came up:\n${run.output.slice(-3000)}`)
    assert.equal(alive(run.cucumberPid), false)
    assert.match(run.output, /stopped what the run left running: process \d+ \(.*node.*\)/)
    assert.deepEqual(processesWith(marker), [], 'the setsid child is gone')
    assert.ok(await portFree(WSS_PORT), `port ${WSS_PORT} is free`)
    await nothingOutlives(run, join(dir, 'killed', 'harness'), [SETSID_PORTS.scscf])
  })
})

function readChildren(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter((p) => p !== '')
  } catch {
    return []
  }
}
