/**
 * The scenarios of one run and their verdicts, read from cucumber's message stream (NDJSON) line by line, so that a
 * report of any size is read in bounded memory. Each scenario's verdict is the `verdict.json` attachment the After
 * hook writes (support/world/hooks.ts); a scenario without one (cucumber could not run its hooks) is judged from its
 * step statuses: a HARNESS ERROR, since the harness failed to say why.
 */
import { createReadStream, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { ScenarioVerdict, VerdictKind } from '../support/checks/verdict.ts'
import { sideOfClass } from '../support/errors.ts'

export interface ScenarioResult {
  readonly name: string
  readonly feature: string
  readonly line: number | undefined
  readonly tags: readonly string[]
  readonly verdict: ScenarioVerdict
  /** The ladder summary the After hook attached (capped), for JUnit and the failure list. */
  readonly evidence: string
}

/** A BeforeAll/AfterAll hook or the run itself failed: no scenario could run (or finish) under it. */
export interface RunError {
  readonly verdict: VerdictKind
  readonly errorClass: string
  readonly message: string
}

export interface RunResults {
  readonly scenarios: ScenarioResult[]
  readonly runErrors: RunError[]
  /**
   * Scenarios cucumber selected to run that did not finish (an interrupted run); after a failed BeforeAll, before any
   * was selected, every scenario it loaded.
   */
  readonly unfinished: readonly { readonly name: string; readonly tags: readonly string[] }[]
}

interface Envelope {
  pickle?: {
    id: string
    name: string
    uri: string
    tags: { name: string }[]
    location?: { line: number }
    astNodeIds?: string[]
  }
  testCase?: { id: string; pickleId: string }
  testCaseStarted?: { id: string; testCaseId: string }
  testStepFinished?: {
    testCaseStartedId: string
    testStepResult: { status: string; message?: string; exception?: { type: string; message?: string } }
  }
  testCaseFinished?: { testCaseStartedId: string; willBeRetried: boolean }
  attachment?: { testCaseStartedId?: string; fileName?: string; body: string }
  testRunHookFinished?: {
    result: { status: string; message?: string; exception?: { type: string; message?: string } }
  }
  testRunFinished?: { success: boolean; exception?: { type: string; message?: string } }
}

interface Running {
  pickleId: string
  statuses: string[]
  failure: { type: string; message: string; text: string } | undefined
  verdict: ScenarioVerdict | undefined
  evidence: string
}

/** A scenario that has just ended for good (not to be retried), as `ResultCollector`'s listener is told. */
export interface FinishedScenario {
  readonly result: ScenarioResult
  /** The verdict the After hook attached; undefined when it attached none (`result.verdict` is then inferred). */
  readonly recorded: ScenarioVerdict | undefined
  /** The first failed step's whole message (stack included), if a step failed. */
  readonly failureText: string | undefined
  /** Scenarios ended so far, this one included, and scenarios selected. */
  readonly done: number
  readonly selected: number
}

const EVIDENCE_CAP = 16_000

/**
 * Reads `<reports>/messages.ndjson` in one pass; `also` sees every envelope too (the evidence writer). A missing
 * file gives no scenarios (the run did not start).
 */
export async function readRunResults(
  file: string,
  also?: { add(envelope: object): void },
): Promise<RunResults> {
  const collector = new ResultCollector()
  if (!existsSync(file)) return collector.results()
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    if (line.trim() === '') continue
    const envelope = JSON.parse(line) as Envelope
    collector.add(envelope)
    also?.add(envelope)
  }
  return collector.results()
}

/** The same, from envelopes delivered one by one (the matrices read them from cucumber's API). */
export class ResultCollector {
  private readonly pickles = new Map<string, NonNullable<Envelope['pickle']>>()
  private readonly pickleOfCase = new Map<string, string>()
  private readonly started = new Map<string, Running>()
  private readonly scenarios = new Map<string, ScenarioResult>()
  private readonly runErrors: RunError[] = []

  /** @param onFinished told of each scenario as it ends (the console's progress lines, tools/progress-formatter.ts) */
  constructor(private readonly onFinished?: (finished: FinishedScenario) => void) {}

  add(e: Envelope | object): void {
    const envelope = e as Envelope
    if (envelope.pickle) this.pickles.set(envelope.pickle.id, envelope.pickle)
    if (envelope.testCase) this.pickleOfCase.set(envelope.testCase.id, envelope.testCase.pickleId)
    if (envelope.testCaseStarted)
      this.started.set(envelope.testCaseStarted.id, {
        pickleId: this.pickleOfCase.get(envelope.testCaseStarted.testCaseId) ?? '',
        statuses: [],
        failure: undefined,
        verdict: undefined,
        evidence: '',
      })
    this.step(envelope)
    this.attachment(envelope)
    this.runHook(envelope)
    this.finish(envelope)
  }

  results(): RunResults {
    // A run that failed before cucumber chose its test cases (a BeforeAll hook) selected nothing: every scenario it
    // loaded counts as not finished (a --tags or --name filter is then not applied).
    const selected =
      this.pickleOfCase.size === 0 && this.runErrors.length > 0
        ? this.pickles.keys()
        : this.pickleOfCase.values()
    const unfinished = [...new Set(selected)]
      .filter((id) => !this.scenarios.has(id))
      .map((id) => this.pickles.get(id))
      .filter((p) => p !== undefined)
      .map((p) => ({ name: p.name, tags: p.tags.map((t) => t.name) }))
    return { scenarios: [...this.scenarios.values()], runErrors: [...this.runErrors], unfinished }
  }

  private step(envelope: Envelope): void {
    const step = envelope.testStepFinished
    const run = step ? this.started.get(step.testCaseStartedId) : undefined
    if (step === undefined || run === undefined) return
    run.statuses.push(step.testStepResult.status)
    if (step.testStepResult.status === 'FAILED' && run.failure === undefined) {
      const text = step.testStepResult.message ?? step.testStepResult.exception?.message ?? ''
      run.failure = {
        type: step.testStepResult.exception?.type ?? 'Error',
        message:
          (step.testStepResult.exception?.message ?? step.testStepResult.message ?? '').split('\n')[0] ?? '',
        text,
      }
    }
  }

  private attachment(envelope: Envelope): void {
    const attached = envelope.attachment
    const run = attached?.testCaseStartedId ? this.started.get(attached.testCaseStartedId) : undefined
    if (attached === undefined || run === undefined) return
    if (attached.fileName === 'verdict.json') run.verdict = JSON.parse(attached.body) as ScenarioVerdict
    if (attached.fileName === 'ladder.txt') run.evidence = attached.body.slice(0, EVIDENCE_CAP)
  }

  private runHook(envelope: Envelope): void {
    const result = envelope.testRunHookFinished?.result ?? undefined
    const exception =
      result && result.status === 'FAILED'
        ? (result.exception ?? { type: 'Error', message: result.message })
        : envelope.testRunFinished?.exception
    if (exception === undefined) return
    const side = sideOfClass(exception.type)
    const message = (exception.message ?? result?.message ?? '').split('\n')[0] ?? ''
    // Every worker runs the BeforeAll hooks: the same failure is reported once.
    if (this.runErrors.some((e) => e.errorClass === exception.type && e.message === message)) return
    this.runErrors.push({
      verdict: side === 'environment' ? 'ENVIRONMENT ERROR' : 'HARNESS ERROR',
      errorClass: exception.type,
      message,
    })
  }

  private finish(envelope: Envelope): void {
    const finished = envelope.testCaseFinished
    const run = finished ? this.started.get(finished.testCaseStartedId) : undefined
    const pickle = run ? this.pickles.get(run.pickleId) : undefined
    if (finished === undefined || finished.willBeRetried || run === undefined || pickle === undefined) return
    this.started.delete(finished.testCaseStartedId)
    const result: ScenarioResult = {
      name: pickle.name,
      feature: pickle.uri,
      line: pickle.location?.line,
      tags: pickle.tags.map((t) => t.name),
      verdict: run.verdict ?? fallbackVerdict(run),
      evidence: run.evidence,
    }
    this.scenarios.set(pickle.id, result)
    this.onFinished?.({
      result,
      recorded: run.verdict,
      failureText: run.failure?.text || undefined,
      done: this.scenarios.size,
      selected: this.pickleOfCase.size,
    })
  }
}

/** No verdict attachment: the After hook did not run or failed. Only the step statuses are left to go by. */
function fallbackVerdict(run: Running): ScenarioVerdict {
  if (run.failure === undefined && run.statuses.every((s) => s === 'PASSED'))
    return { verdict: 'PASS', message: '', findings: [] }
  const side = run.failure ? sideOfClass(run.failure.type) : 'harness'
  const verdict: VerdictKind =
    side === 'environment'
      ? 'ENVIRONMENT ERROR'
      : side === 'sut'
        ? 'FAIL'
        : side === 'inconclusive'
          ? 'INCONCLUSIVE'
          : 'HARNESS ERROR'
  return {
    verdict,
    side,
    errorClass: run.failure?.type ?? 'none',
    message:
      run.failure?.message ??
      `no verdict recorded (step statuses: ${run.statuses.join(', ') || 'none'}): the After hook did not run`,
    findings: [],
  }
}

/** Verdicts that count as a failure of the run in the plain `N passed, N failed` line CI reads. */
export function isFailure(verdict: VerdictKind): boolean {
  return ['FAIL', 'INCONCLUSIVE', 'ENVIRONMENT ERROR', 'HARNESS ERROR'].includes(verdict)
}
