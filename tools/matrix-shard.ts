/**
 * One shard of a matrix: a child process that runs the jobs it is given one after another on ports of its own (the
 * profile given). It reads one job per line (JSON) on stdin and asks for the next by finishing the one before: per
 * finished job it writes its results to a file and one line `{"file": ...}` to stdout. It ends when stdin ends.
 * Usage: node --import tsx tools/matrix-shard.ts PROFILE  (jobs on stdin)
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { runJob, type MatrixJob } from './matrix-runner.ts'

/** Results go to a file each (a pipe may drop the end of a long line at exit); stdout names the file. */
async function main(profile: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'matrix-shard-'))
  let index = 0
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue
    const job = JSON.parse(line) as MatrixJob
    const results = await runJob(job, profile)
    const file = join(dir, `${(index += 1)}.json`)
    writeFileSync(file, JSON.stringify({ job: job.name, results }))
    process.stdout.write(`{"file":${JSON.stringify(file)}}\n`)
  }
}

const [profile] = process.argv.slice(2)
if (profile === undefined) {
  process.stderr.write('usage: matrix-shard.ts PROFILE (jobs on stdin, one JSON per line)\n')
  process.exit(2)
}
main(profile).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(4)
  },
)
