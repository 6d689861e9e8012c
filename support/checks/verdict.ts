import { ConformanceFailure, HarnessError, ProfileError, type Side } from '../errors.ts'
import type { Finding } from './findings.ts'
import { describeRequirement, type Requirement } from './requirement.ts'

/**
 * A scenario's verdict, after TTCN-3's (ETSI ES 201 873-1 §24: none, pass, inconc, fail, error), with the sides of
 * support/errors.ts and the advisories of a SHOULD:
 *   PASS         every check held (WARN: some SHOULD did not; still a pass)
 *   FAIL         the SUT broke a MUST (a ConformanceFailure, or a protocol violation on the wire)
 *   INCONCLUSIVE the SUT gave no evidence either way (no answer, a closed connection, a precondition not met)
 *   ENV ERROR    the environment failed (SUT did not start or died, Docker gone, a port taken, interrupted)
 *   HARNESS ERROR the harness or its input is wrong (a profile, a step out of order, a defect of ours)
 *   N/A          the scenario does not apply to this profile (skipped with the reason)
 *   DEVIATION    a deviation the profile declares, seen as declared
 */
export type VerdictKind =
  'PASS' | 'WARN' | 'FAIL' | 'INCONCLUSIVE' | 'ENVIRONMENT ERROR' | 'HARNESS ERROR' | 'N/A' | 'DEVIATION'

/** Every verdict, in the order reports list them. */
export const VERDICT_KINDS: readonly VerdictKind[] = [
  'PASS',
  'WARN',
  'FAIL',
  'INCONCLUSIVE',
  'ENVIRONMENT ERROR',
  'HARNESS ERROR',
  'N/A',
  'DEVIATION',
]

export interface ScenarioVerdict {
  readonly verdict: VerdictKind
  readonly side?: Side
  /** The error class that decided it, e.g. `ConformanceFailure`, `SutDied`. */
  readonly errorClass?: string
  readonly code?: string
  /** The check that failed (FAIL with a ConformanceFailure). */
  readonly requirement?: Requirement
  readonly message: string
  readonly findings: readonly Finding[]
}

const BY_SIDE: Record<Side, VerdictKind> = {
  sut: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  environment: 'ENVIRONMENT ERROR',
  harness: 'HARNESS ERROR',
}

/** The verdict of a finished scenario from the error that ended it (if any) and what its checks recorded. */
/** A deviation the profile declares: the scenario, why, and (optionally) the one check it is known to fail. */
export interface DeclaredDeviation {
  readonly reason: string
  readonly requirement?: string | undefined
}

export function scenarioVerdict(
  error: unknown,
  found: readonly Finding[],
  deviation?: DeclaredDeviation,
): ScenarioVerdict {
  const judged = judge(error, found, deviation?.reason)
  // Only a FAIL can be the declared deviation (an INCONCLUSIVE run showed nothing), and only of the declared check
  // when the profile names one: a second MUST broken in the same scenario stays a FAIL.
  if (deviation === undefined || judged.verdict !== 'FAIL') return judged
  if (deviation.requirement !== undefined && judged.requirement?.id !== deviation.requirement) return judged
  return {
    ...judged,
    verdict: 'DEVIATION',
    message: `declared: ${deviation.reason}; seen: ${judged.message}`,
  }
}

function judge(error: unknown, found: readonly Finding[], deviation: string | undefined): ScenarioVerdict {
  const findings: Finding[] = [...found]
  if (deviation !== undefined && (error === undefined || error === null))
    findings.push({
      kind: 'WARN',
      message: `the profile declares this scenario a deviation ("${deviation}"), but it passed: remove it from expectedDeviations`,
    })
  if (error === undefined || error === null) {
    const warns = findings.filter((f) => f.kind === 'WARN')
    const na = findings.find((f) => f.kind === 'N/A')
    if (na) return { verdict: 'N/A', message: na.message, findings }
    return warns.length > 0
      ? { verdict: 'WARN', message: warns.map(describeFinding).join('; '), findings }
      : { verdict: 'PASS', message: '', findings }
  }
  const message = error instanceof Error ? error.message : String(error)
  if (!(error instanceof HarnessError))
    // Not one of ours: an assertion in a step, a TypeError, cucumber's own step timeout (every wait on the network
    // has a deadline of its own, so the backstop firing is a defect of the harness).
    return {
      verdict: 'HARNESS ERROR',
      side: 'harness',
      errorClass: error instanceof Error ? error.constructor.name : typeof error,
      message,
      findings,
    }
  return {
    verdict: BY_SIDE[error.side],
    side: error.side,
    errorClass: error.constructor.name,
    code: error.code,
    ...(error instanceof ConformanceFailure ? { requirement: error.requirement } : {}),
    message,
    findings,
  }
}

export function describeFinding(finding: Finding): string {
  return `${finding.kind}${finding.requirement ? ` [${describeRequirement(finding.requirement)}]` : ''}: ${finding.message}`
}

/** Exit code of a run (README): 0 all passed (WARN, N/A, DEVIATION included), 1 FAIL or INCONCLUSIVE, 2 profile
 * error, 3 environment error, 4 harness error. An environment error wins: the run could not judge everything. */
export function exitCodeOf(verdicts: readonly Pick<ScenarioVerdict, 'verdict' | 'errorClass'>[]): number {
  const has = (kind: VerdictKind) => verdicts.some((v) => v.verdict === kind)
  if (has('ENVIRONMENT ERROR')) return 3
  if (verdicts.some((v) => v.errorClass === ProfileError.name)) return 2
  if (has('HARNESS ERROR')) return 4
  if (has('FAIL') || has('INCONCLUSIVE')) return 1
  return 0
}

/** The verdict as the first lines of a scenario's evidence: `VERDICT: FAIL [MUST RFC 3327 §5 (R16)]` + why. */
export function verdictText(verdict: ScenarioVerdict): string {
  const lines = [
    `VERDICT: ${verdict.verdict}${verdict.requirement ? ` [${describeRequirement(verdict.requirement)}]` : ''}` +
      `${verdict.side ? ` (side: ${verdict.side}${verdict.errorClass ? `, ${verdict.errorClass}` : ''})` : ''}`,
  ]
  if (verdict.message !== '') lines.push(verdict.message)
  for (const finding of verdict.findings) lines.push(describeFinding(finding))
  return lines.join('\n')
}
