/**
 * Runs the suite in this process through cucumber's API against the reference eP-CSCF with fault or variant
 * switches, and returns each scenario's verdict (read from the verdict.json attachments, as the reports are).
 * Used by the matrix shards (tools/matrix-shard.ts); support code is ES modules, imported once per process.
 */
import { Writable } from 'node:stream'
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api'
import { ResultCollector, type RunResults } from './scenario-results.ts'

export interface MatrixJob {
  /** `fault:no-path`, `variant:mw-tcp`, `clean`. */
  readonly name: string
  readonly faults: readonly string[]
  readonly variants: readonly string[]
  /** A cucumber tag expression limiting the run (the fault's requirements), or undefined for every scenario. */
  readonly tags: string | undefined
}

/**
 * Scenarios the matrices leave out: those of a real browser WIC (features/browser, tag @browser). The matrices prove
 * the checks through the scripted WIC, once per fault and per variant; a Chromium per job would multiply the run
 * time and add nothing to what a check can see. The suite tier and the SUT tiers run them.
 */
export const MATRIX_EXCLUDED_TAGS = 'not @browser'

function tagsOf(job: MatrixJob): string {
  return job.tags ? `(${job.tags}) and ${MATRIX_EXCLUDED_TAGS}` : MATRIX_EXCLUDED_TAGS
}

let support: Awaited<ReturnType<typeof loadSupport>> | undefined

export async function runJob(job: MatrixJob, profile: string): Promise<RunResults> {
  const { runConfiguration } = await loadConfiguration({
    file: false,
    provided: {
      import: ['./tsx-register.mjs', 'support/world/hooks.ts', 'steps/**/*.ts'],
      paths: ['features/**/*.feature'],
      format: [],
      parallel: 0,
      worldParameters: { profile, faults: job.faults, variants: job.variants },
      tags: tagsOf(job),
    },
  })
  support ??= await loadSupport(runConfiguration)
  const collector = new ResultCollector()
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
  await runCucumber({ ...runConfiguration, support }, { stdout: quiet, stderr: quiet }, (envelope) =>
    collector.add(envelope),
  )
  return collector.results()
}
