import assert from 'node:assert/strict'
import { closeFindings, openFindings, type Finding } from '../../support/checks/findings.ts'
import { ConformanceFailure } from '../../support/errors.ts'

/** Asserts that `check` throws a ConformanceFailure (a MUST) of the catalogue requirement `id`. */
export function failsWith(id: string, check: () => unknown): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof ConformanceFailure, `expected a ConformanceFailure, got ${String(error)}`)
    assert.equal(error.requirement.id, id)
    assert.equal(error.requirement.level, 'MUST')
    return true
  })
}

/** What `check` recorded besides pass or fail (WARN, N/A). */
export function findingsOf(check: () => void): readonly Finding[] {
  openFindings()
  check()
  return closeFindings()
}

/** The findings of `check` as `WARN SHOULD R07`. */
export function warnings(check: () => void): string[] {
  return findingsOf(check).map((f) => `${f.kind} ${f.requirement?.level ?? ''} ${f.requirement?.id ?? ''}`)
}
