import { ConformanceFailure } from '../errors.ts'
import type { SipMessage } from '../sip/message.ts'
import { recordFinding } from './findings.ts'
import type { MustRequirement, ShouldRequirement } from './requirement.ts'

/**
 * The vocabulary of verdicts: each check names the requirement (level, clause), what was expected, from whom, and
 * what arrived. A MUST that fails is a ConformanceFailure (FAIL); a SHOULD that fails is an advisory (WARN) and
 * the scenario goes on. The scenario's trace (attached to the report) shows the messages.
 */
export function expectThat(
  condition: boolean,
  requirement: MustRequirement,
  message: () => string,
  /** The message the check judges (a response, a forwarded request), for the ladder to blame exactly it. */
  judged?: SipMessage,
): asserts condition {
  if (!condition) throw new ConformanceFailure(requirement, message(), { judged })
}

/** A SHOULD: when `condition` is false, records a WARN with the clause; returns `condition`. */
export function adviseThat(
  condition: boolean,
  requirement: ShouldRequirement,
  message: () => string,
): boolean {
  if (!condition) recordFinding({ kind: 'WARN', requirement, message: message() })
  return condition
}

/**
 * `the REGISTER forwarded to the S-CSCF` → exactly one, or a clear failure: none ("expected X, but none arrived")
 * or more than one ("expected one X, N arrived").
 */
export function single<T>(items: readonly T[], what: string, requirement: MustRequirement): T {
  const first = items[0]
  expectThat(first !== undefined, requirement, () => `expected ${what}, but none arrived`)
  expectThat(items.length === 1, requirement, () => `expected exactly one ${what}, ${items.length} arrived`)
  return first
}

/** `the first REGISTER at the S-CSCF` → the first of at least one, or a clear failure if none arrived. */
export function firstOf<T>(items: readonly T[], what: string, requirement: MustRequirement): T {
  const head = items[0]
  expectThat(head !== undefined, requirement, () => `expected ${what}, but none arrived`)
  return head
}

/** "Every X has Y" holds only if there is an X: returns the items, or fails naming what was expected. */
export function nonEmpty<T>(items: readonly T[], what: string, requirement: MustRequirement): readonly T[] {
  expectThat(items.length > 0, requirement, () => `expected at least one ${what}, but none arrived`)
  return items
}

/** A header's lines for failure messages: `Path: <sip:...>` or `(no Path header)`. */
export function showHeader(message: SipMessage, name: string): string {
  const values = message.getAll(name)
  return values.length === 0 ? `(no ${name} header)` : values.map((v) => `${name}: ${v}`).join(' | ')
}
