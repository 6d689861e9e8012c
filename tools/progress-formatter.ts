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
import { type FinishedScenario, ResultCollector } from './scenario-results.ts'

/** Turns cucumber's messages into progress lines; `write` gets each line (with its newline). */
export class ProgressLines {
  private readonly collector: ResultCollector

  constructor(write: (text: string) => void) {
    this.collector = new ResultCollector((finished) => write(progressLine(finished)))
  }

  update(envelope: Envelope): void {
    this.collector.add(envelope)
  }
}

function progressLine({ result, recorded, failureText, done, selected }: FinishedScenario): string {
  const where = ` (${result.feature}${result.line ? `:${result.line}` : ''})`
  const requirement = recorded?.requirement ? ` [${describeRequirement(recorded.requirement)}]` : ''
  const counter = `[${String(done).padStart(String(selected).length)}/${selected}]`
  const lines = [
    `${counter} ${(recorded?.verdict ?? 'NO VERDICT').padEnd(17)} ${result.name}${where}${requirement}`,
  ]
  if ((recorded === undefined || recorded.verdict === 'HARNESS ERROR') && failureText)
    lines.push(...failureText.split('\n').map((l) => `      ${l}`))
  return `${lines.join('\n')}\n`
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
