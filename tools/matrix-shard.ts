/**
 * One shard of a matrix: a child process that runs its jobs one after another on ports of its own (the profile
 * given) and writes one JSON line per finished job to stdout (`{"job": ..., "results": ...}`).
 * Usage: node --import tsx tools/matrix-shard.ts PROFILE JOBS_JSON
 */
import { runJob, type MatrixJob } from './matrix-runner.ts'

async function main(profile: string, jobs: MatrixJob[]): Promise<void> {
  for (const job of jobs) {
    const results = await runJob(job, profile)
    process.stdout.write(`${JSON.stringify({ job: job.name, results })}\n`)
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
