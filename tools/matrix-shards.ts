/**
 * Spreads matrix jobs over child processes (two per core by default, MATRIX_SHARDS to override: a job spends most
 * of its time waiting on the network, measured 29 s of CPU in a 92 s fault matrix on two shards), each on ports of
 * its own, taking the next job from one queue when it has finished one (jobs differ in length by tens of
 * seconds, so a fixed split leaves shards idle), and with short network waits (the in-process reference answers in microseconds; a negative check waits
 * the whole waitMs; MATRIX_WAIT_MS, MATRIX_T1_MS), and gathers every job's scenario verdicts.
 */
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { MatrixJob } from './matrix-runner.ts'
import type { RunResults } from './scenario-results.ts'

/**
 * Ports of shard n: a block of 100 of their own from 13000 (WSS at +43 and the plain-ws-listener fault's +44, Mw
 * +60, mock S-CSCF +70, WWSF +80), away from the defaults (7443, 5060, 5070, 8443) and the dev ranges. Two
 * matrices running at once (npm test) take MATRIX_PORT_BLOCK 0 and 1: 2,000 ports apart, up to 20 shards each.
 */
function shardProfile(n: number): string {
  const block = Number(process.env.MATRIX_PORT_BLOCK ?? 0)
  const base = 13_000 + 2000 * block + 100 * n
  const file = `.harness/matrix/shard-${block}-${n}.yaml`
  mkdirSync('.harness/matrix', { recursive: true })
  writeFileSync(
    file,
    [
      `# Written by tools/matrix-shards.ts: matrix shard ${n}, ports of its own.`,
      `name: matrix-shard-${block}-${n}`,
      'epcscf:',
      `  wss: { port: ${base + 43} }`,
      `  mw: { port: ${base + 60} }`,
      `scscf: { port: ${base + 70} }`,
      `wwsf: { port: ${base + 80} }`,
      `waitMs: ${Number(process.env.MATRIX_WAIT_MS ?? 1500)}`,
      // RFC 3261 T1 of 100 ms on loopback: a silence judged only after Timer B/F (64·T1) costs 6.4 s, not 32 s.
      `timers: { T1: ${Number(process.env.MATRIX_T1_MS ?? 100)}, T2: 4000, T4: 5000 }`,
      '',
    ].join('\n'),
  )
  return file
}

export async function runShards(
  jobs: readonly MatrixJob[],
  onJob: (name: string) => void,
): Promise<Map<string, RunResults>> {
  const count = Math.max(
    1,
    Math.min(jobs.length, Number(process.env.MATRIX_SHARDS ?? 2 * availableParallelism())),
  )
  const queue = [...jobs]
  const results = new Map<string, RunResults>()
  await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tools/matrix-shard.ts', shardProfile(n)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      const closed = new Promise((done) => child.once('close', done))
      // A shard that died cannot take its input; its jobs' missing results say so (the matrices count them).
      child.stdin.on('error', () => undefined)
      /** Gives the shard the next job of the queue, or ends its input when the queue is empty. */
      const next = (): void => {
        const job = queue.shift()
        if (job === undefined) child.stdin.end()
        else child.stdin.write(`${JSON.stringify(job)}\n`)
      }
      next()
      for await (const line of createInterface({ input: child.stdout })) {
        if (!line.startsWith('{"file"')) continue
        const { file } = JSON.parse(line) as { file: string }
        const { job, results: run } = JSON.parse(readFileSync(file, 'utf8')) as {
          job: string
          results: RunResults
        }
        rmSync(file, { force: true })
        results.set(job, run)
        onJob(job)
        next()
      }
      await closed
    }),
  )
  return results
}
