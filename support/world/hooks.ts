import {
  After,
  AfterStep,
  AfterAll,
  Before,
  BeforeAll,
  Status,
  setDefaultTimeout,
  setWorldConstructor,
} from '@cucumber/cucumber'
import { closeFindings, openFindings } from '../checks/findings.ts'
import { scenarioVerdict, verdictText } from '../checks/verdict.ts'
import { traceFull } from '../trace/trace-text.ts'
import { ladderSvg } from '../trace/ladder-svg.ts'
import { ladderFocus, ladderText } from '../trace/ladder-focus.ts'
import type { TraceEvent } from '../trace/trace-event.ts'
import { describeRequirement } from '../checks/requirement.ts'
import { tracePcap } from '../trace/pcap.ts'
import { cappedText, ladderEvents } from '../trace/trace-report.ts'
import { currentEnvironment, startEnvironment, stopEnvironment } from './environment-holder.ts'
import { HarnessWorld } from './harness-world.ts'
import { browserConsoles } from './browser-actors.ts'
import { closeChromium } from '../browser/chromium-driver.ts'
import { ConformanceFailure, ScenarioMisuse, SutDied, SutUnreachable } from '../errors.ts'

setWorldConstructor(HarnessWorld)
/** A step's own deadlines (waitMs, Timer F) fire first; this is the backstop that keeps a step from hanging. */
setDefaultTimeout(60_000)

BeforeAll({ name: 'start harness environment', timeout: 180_000 }, async function () {
  await startEnvironment(this.parameters ?? {})
})

AfterAll({ name: 'stop harness environment', timeout: 60_000 }, async function () {
  await closeChromium() // the worker's browser (browser WIC scenarios), if one was launched
  await stopEnvironment()
})

Before({ name: 'begin scenario' }, async function (this: HarnessWorld, { pickle }) {
  openFindings()
  const env = currentEnvironment()
  this.traceMark = env.trace.mark()
  env.trace.note('harness', `scenario: ${pickle.name}`)
  // An external SUT found unreachable is probed again: it may be back; if not, the scenario need not wait it out.
  const notice =
    env.sut.kind === 'external' && env.sut.deathNotice() !== undefined
      ? await env.sut.probe?.()
      : env.sut.deathNotice()
  if (notice !== undefined)
    throw (this.failure = env.sut.kind === 'external' ? new SutUnreachable(notice) : new SutDied(notice))
  env.scscf.reset()
  const deviation = env.profile.expectedDeviations.find((d) => d.scenario === pickle.name)
  if (deviation !== undefined) {
    this.attach(`EXPECTED DEVIATION of ${env.profile.name}: ${deviation.reason}`, {
      mediaType: 'text/plain',
      fileName: 'deviation.txt',
    })
  }
  // A declared deviation still runs: its verdict is DEVIATION if it fails as declared, a WARN if it no longer does.
  return undefined
})

/** The last trace event recorded when a scenario failed: its ladder draws the failure there (support/trace/ladder-focus.ts). */
const failedAfter = new WeakMap<HarnessWorld, TraceEvent | undefined>()

/** The first error of the scenario (cucumber's After hook sees only the last step's, undefined after a skip). */
AfterStep(function (this: HarnessWorld, { error }) {
  if (error !== undefined && error !== null && this.failure === undefined) {
    this.failure = error
    failedAfter.set(this, currentEnvironment().trace.since(this.traceMark).at(-1))
  }
})

After(
  { name: 'tear down and attach the trace', timeout: 60_000 },
  async function (this: HarnessWorld, { result, pickle }) {
    const env = currentEnvironment()
    const problems = await this.teardown.run(env.profile.waitMs * 2)
    const deviation = env.profile.expectedDeviations.find((d) => d.scenario === pickle.name)
    // A step without a definition (or with two, or pending) ran nothing: a defect of the feature file, not a pass.
    const unrun = [Status.UNDEFINED, Status.AMBIGUOUS, Status.PENDING].find((s) => s === result?.status)
    if (this.failure === undefined && unrun !== undefined)
      this.failure = new ScenarioMisuse(
        `a step of this scenario is ${unrun.toLowerCase()}: nothing was checked`,
      )
    const verdict = scenarioVerdict(this.failure, closeFindings(), deviation)
    this.attach(verdictText(verdict), { mediaType: 'text/plain', fileName: 'verdict.txt' })
    this.attach(JSON.stringify(verdict), { mediaType: 'application/json', fileName: 'verdict.json' })
    const events = env.trace.since(this.traceMark)
    const failed = result?.status === Status.FAILED
    const header = [
      `scenario: ${pickle.name}`,
      `system under test: ${env.sut.name} (${env.sut.kind}) at ${env.wssUrl}`,
      `result: ${verdict.verdict}${verdict.message ? ` — ${verdict.message}` : ''}`,
      ...(env.sut.deathNotice() ? [`[ENVIRONMENT] ${env.sut.deathNotice()}`] : []),
      ...problems.map((p) => `teardown problem: ${p}`),
    ].join('\n')
    const focus = ladderFocus(
      events,
      {
        verdict: verdict.verdict,
        failure:
          verdict.verdict === 'PASS' || verdict.verdict === 'WARN' || verdict.message === ''
            ? undefined
            : `${verdict.verdict}${verdict.requirement ? ` [${describeRequirement(verdict.requirement)}]` : ''}: ${verdict.message.split('\n')[0] ?? ''}`,
        sutAtFault: verdict.side === 'sut',
        judgedRaw: this.failure instanceof ConformanceFailure ? this.failure.judgedRaw : undefined,
      },
      failedAfter.get(this),
    )
    // The trace once in full (bounded by the recorder, each attachment capped), and what is derived from it.
    this.attach(cappedText(`${header}\n\n${ladderText(events, focus)}`, 'ladder'), {
      mediaType: 'text/plain',
      fileName: 'ladder.txt',
    })
    this.attach(cappedText(traceFull(events), 'trace'), {
      mediaType: 'text/plain',
      fileName: 'sip-trace.txt',
    })
    // As a Buffer: cucumber's HTML report shows only base64 images.
    this.attach(Buffer.from(ladderSvg(ladderEvents(events), { title: pickle.name, focus }), 'utf8'), {
      mediaType: 'image/svg+xml',
      fileName: 'ladder.svg',
    })
    this.attach(tracePcap(events), { mediaType: 'application/vnd.tcpdump.pcap', fileName: 'sip-trace.pcap' })
    const consoles = browserConsoles(this)
    if (consoles !== '')
      this.attach(cappedText(consoles, 'browser console'), {
        mediaType: 'text/plain',
        fileName: 'browser-console.txt',
      })
    if (failed) {
      const logs = await env.sut.logs()
      if (logs !== '') this.attach(logs.slice(-64_000), { mediaType: 'text/plain', fileName: 'sut-log.txt' })
    }
  },
)
