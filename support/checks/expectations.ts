import { ConformanceError } from '../errors.ts'
import type { SipMessage } from '../sip/message.ts'

/**
 * The vocabulary of verdicts: each check names the requirement, what was expected, from whom, and what arrived.
 * A failed check is a ConformanceError; the scenario's trace (attached to the report) shows the messages.
 */
export function expectThat(
  condition: boolean,
  requirement: string,
  message: () => string,
): asserts condition {
  if (!condition) throw new ConformanceError(requirement, message())
}

/** `the REGISTER forwarded to the S-CSCF` → the one the checks read, or a clear failure if none arrived. */
export function single<T>(items: readonly T[], what: string, requirement: string): T {
  const first = items[0]
  expectThat(first !== undefined, requirement, () => `expected ${what}, but none arrived`)
  return first
}

/** A header's lines for failure messages: `Path: <sip:...>` or `(no Path header)`. */
export function showHeader(message: SipMessage, name: string): string {
  const values = message.getAll(name)
  return values.length === 0 ? `(no ${name} header)` : values.map((v) => `${name}: ${v}`).join(' | ')
}
