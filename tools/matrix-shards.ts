/**
 * Spreads matrix jobs over child processes (one per core by default, MATRIX_SHARDS to override), each on ports of
 * its own and with short network waits (the in-process reference answers in microseconds; a negative check waits
 * the whole waitMs; MATRIX_WAIT_MS, MATRIX_T1_MS), and gathers every job's scenario verdicts.
 */
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { MatrixJob } from './matrix-runner.ts'
import type { RunResults } from './scenario-results.ts'

/** Ports of shard n: a block of their own, away from the defaults (7443, 5060, 5070, 8443) and the dev ranges. */
function shardProfile(n: number): string {
  const base = 200 * n
  const file = `.harness/matrix/shard-${n}.yaml`
  mkdirSync('.harness/matrix', { recursive: true })
  writeFileSync(
    file,
    [
      `# Written by tools/matrix-shards.ts: matrix shard ${n}, ports of its own.`,
      `name: matrix-shard-${n}`,
      'epcscf:',
      `  wss: { port: ${13443 + base} }`,
      `  mw: { port: ${13060 + base} }`,
      `scscf: { port: ${13070 + base} }`,
      `wwsf: { port: ${13843 + base} }`,
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
    Math.min(jobs.length, Number(process.env.MATRIX_SHARDS ?? availableParallelism())),
  )
  const shards: MatrixJob[][] = Array.from({ length: count }, () => [])
  jobs.forEach((job, i) => shards[i % count]?.push(job))
  const results = new Map<string, RunResults>()
  await Promise.all(
    shards.map(async (shardJobs, n) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'tools/matrix-shard.ts', shardProfile(n), JSON.stringify(shardJobs)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      const closed = new Promise((done) => child.once('close', done))
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
      }
      await closed
    }),
  )
  return results
}
