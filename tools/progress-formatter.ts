/**
 * The console formatter of `npm start` (cucumber.mjs), in place of cucumber's `progress` dots: one line per scenario
 * as it ends, with its verdict (the verdict.json the After hook attaches) and its name, so that a long run against a
 * slow SUT shows where it is and what failed so far:
 *
 *   [ 3/40] PASS      a WIC offering only TLS 1.3 connects (features/transport/tls.feature:12)
 *   [ 4/40] FAIL      the eP-CSCF adds a Path … (features/registration/digest.feature:72) [MUST RFC 3327 §5 (R15)]
 *
 * A HARNESS ERROR also gets the failed step's message with its stack (a defect of ours wants one). The final summary,
 * with the plain `N passed, N failed` line CI reads, is printed by tools/harness.ts after cucumber has exited.
 */
import type { Envelope } from '@cucumber/messages'
import { describeRequirement } from '../support/checks/requirement.ts'
import type { ScenarioVerdict } from '../support/checks/verdict.ts'

interface Started {
  readonly pickleId: string
  verdict: ScenarioVerdict | undefined
  failure: string | undefined
}

/** Turns cucumber's messages into progress lines; `write` gets each line (with its newline). */
export class ProgressLines {
  private readonly pickles = new Map<string, { name: string; uri: string; line: number | undefined }>()
  private readonly pickleOfCase = new Map<string, string>()
  private readonly started = new Map<string, Started>()
  private done = 0

  constructor(private readonly write: (text: string) => void) {}

  update(envelope: Envelope): void {
    if (envelope.pickle)
      this.pickles.set(envelope.pickle.id, {
        name: envelope.pickle.name,
        uri: envelope.pickle.uri,
        line: envelope.pickle.location?.line,
      })
    if (envelope.testCase) this.pickleOfCase.set(envelope.testCase.id, envelope.testCase.pickleId)
    if (envelope.testCaseStarted)
      this.started.set(envelope.testCaseStarted.id, {
        pickleId: this.pickleOfCase.get(envelope.testCaseStarted.testCaseId) ?? '',
        verdict: undefined,
        failure: undefined,
      })
    const attachment = envelope.attachment
    const run = attachment?.testCaseStartedId ? this.started.get(attachment.testCaseStartedId) : undefined
    if (run && attachment?.fileName === 'verdict.json')
      run.verdict = JSON.parse(attachment.body) as ScenarioVerdict
    const step = envelope.testStepFinished
    const failing = step ? this.started.get(step.testCaseStartedId) : undefined
    if (failing && step?.testStepResult.status === 'FAILED' && failing.failure === undefined)
      failing.failure = step.testStepResult.message ?? step.testStepResult.exception?.message
    const finished = envelope.testCaseFinished
    if (finished && !finished.willBeRetried) this.finish(finished.testCaseStartedId)
  }

  private finish(startedId: string): void {
    const run = this.started.get(startedId)
    if (run === undefined) return
    this.started.delete(startedId)
    this.done += 1
    const total = this.pickleOfCase.size
    const pickle = this.pickles.get(run.pickleId)
    const where = pickle ? ` (${pickle.uri}${pickle.line ? `:${pickle.line}` : ''})` : ''
    const v = run.verdict
    const requirement = v?.requirement ? ` [${describeRequirement(v.requirement)}]` : ''
    const counter = `[${String(this.done).padStart(String(total).length)}/${total}]`
    const lines = [
      `${counter} ${(v?.verdict ?? 'NO VERDICT').padEnd(17)} ${pickle?.name ?? '?'}${where}${requirement}`,
    ]
    if ((v === undefined || v.verdict === 'HARNESS ERROR') && run.failure)
      lines.push(...run.failure.split('\n').map((l) => `      ${l}`))
    this.write(`${lines.join('\n')}\n`)
  }
}

export default {
  type: 'formatter',
  formatter({
    on,
    write,
  }: {
    on: (key: 'message', handler: (e: Envelope) => void) => void
    write: (s: string) => void
  }) {
    const progress = new ProgressLines(write)
    on('message', (envelope) => progress.update(envelope))
  },
}
