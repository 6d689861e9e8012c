/** The run registry (support/sut/run-registry.ts): what a killed run left running is found and killed, never more. */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { processStartTicks, reapOrphanedRuns, reapRun, registerSut } from '../../support/sut/run-registry.ts'
import { processesWith } from './sut-processes.ts'

const root = join(tmpdir(), `run-registry-${process.pid}`)

/** A process group of its own running `sleep <marker>`; resolves with its pid. */
function sleeper(marker: string): number {
  const child = spawn('sleep', [marker], { detached: true, stdio: 'ignore' })
  child.unref()
  assert.ok(child.pid !== undefined)
  return child.pid
}

void describe('run registry', { timeout: 30_000 }, () => {
  after(() => rmSync(root, { recursive: true, force: true }))

  void it('records a SUT while HARNESS_RUN_DIR is set, and forgets it once stopped', () => {
    const dir = join(root, 'record')
    process.env.HARNESS_RUN_DIR = dir
    try {
      const forget = registerSut({ kind: 'process', pid: 12345, startTicks: '1', command: 'x' })
      assert.deepEqual(readdirSync(dir), ['process-12345.json'])
      forget()
      assert.deepEqual(readdirSync(dir), [])
    } finally {
      delete process.env.HARNESS_RUN_DIR
    }
    assert.equal(typeof registerSut({ kind: 'process', pid: 1, startTicks: '1', command: 'x' }), 'function')
  })

  void it('kills the process groups still listed, and removes the folder', async () => {
    const dir = join(root, 'reap')
    process.env.HARNESS_RUN_DIR = dir
    const marker = `100.${process.pid}7`
    const pid = sleeper(marker)
    try {
      registerSut({ kind: 'process', pid, startTicks: processStartTicks(pid), command: 'sleep' })
    } finally {
      delete process.env.HARNESS_RUN_DIR
    }
    assert.equal(processesWith(marker).length, 1)
    assert.deepEqual(await reapRun(dir), [`process ${pid} (sleep)`])
    assert.deepEqual(processesWith(marker), [])
    assert.equal(existsSync(dir), false)
  })

  void it('never kills a process whose pid was reused (another start time)', async () => {
    const dir = join(root, 'reused')
    mkdirSync(dir, { recursive: true })
    const marker = `100.${process.pid}8`
    const pid = sleeper(marker)
    writeFileSync(
      join(dir, `process-${pid}.json`),
      JSON.stringify({ kind: 'process', pid, startTicks: '1', command: 'sleep' }),
    )
    assert.deepEqual(await reapRun(dir), [])
    assert.equal(processesWith(marker).length, 1, 'the unrelated process lives')
    process.kill(-pid, 'SIGKILL')
  })

  void it('reaps the registry of a harness that is gone, not of one that runs', async () => {
    const runs = join(root, 'runs')
    const dead = spawnSync('true').pid
    const live = sleeper(`100.${process.pid}9`)
    const marker = `100.${process.pid}6`
    const orphan = sleeper(marker)
    for (const [owner, entry] of [
      [dead, orphan],
      [live, orphan],
    ] as const) {
      const dir = join(runs, `${owner}-1`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(
        join(dir, `process-${entry}.json`),
        JSON.stringify({
          kind: 'process',
          pid: entry,
          startTicks: processStartTicks(entry),
          command: 'sleep',
        }),
      )
    }
    assert.deepEqual(await reapOrphanedRuns(runs), [`process ${orphan} (sleep)`])
    assert.deepEqual(readdirSync(runs), [`${live}-1`], 'the live harness keeps its registry')
    assert.deepEqual(processesWith(marker), [])
    process.kill(-live, 'SIGKILL')
  })
})
