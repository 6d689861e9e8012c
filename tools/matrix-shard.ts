/**
 * One shard of a matrix: a child process that runs its jobs one after another on ports of its own (the profile
 * given); per finished job it writes its results to a file and one line `{"file": ...}` to stdout.
 * Usage: node --import tsx tools/matrix-shard.ts PROFILE JOBS_JSON
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runJob, type MatrixJob } from './matrix-runner.ts'

/** Results go to a file each (a pipe may drop the end of a long line at exit); stdout names the file. */
async function main(profile: string, jobs: MatrixJob[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'matrix-shard-'))
  for (const [index, job] of jobs.entries()) {
    const results = await runJob(job, profile)
    const file = join(dir, `${index}.json`)
    writeFileSync(file, JSON.stringify({ job: job.name, results }))
    process.stdout.write(`{"file":${JSON.stringify(file)}}\n`)
  }
}

const [profile, jobs] = process.argv.slice(2)
if (profile === undefined || jobs === undefined) {
  process.stderr.write('usage: matrix-shard.ts PROFILE JOBS_JSON\n')
  process.exit(2)
}
main(profile, JSON.parse(jobs) as MatrixJob[]).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(4)
  },
)
