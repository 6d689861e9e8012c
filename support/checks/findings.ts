import type { Requirement } from './requirement.ts'

/**
 * What a scenario found besides its pass or fail: advisories (a SHOULD the SUT did not follow → WARN) and checks
 * that did not apply to the profile (N/A). Cucumber runs one scenario at a time in a worker, so the recorder is
 * per worker: the Before hook opens it, checks add to it, the After hook reads it into the scenario's verdict.
 */
export interface Finding {
  readonly kind: 'WARN' | 'N/A'
  readonly requirement?: Requirement
  readonly message: string
}

let current: Finding[] = []

export function openFindings(): void {
  current = []
}

export function recordFinding(finding: Finding): void {
  current.push(finding)
}

export function closeFindings(): readonly Finding[] {
  const found = current
  current = []
  return found
}
