/**
 * What a check verifies: the requirement, its normative level and the clause it comes from.
 *
 * Levels follow RFC 2119 and 3GPP TR 21.801 ("shall" = MUST, "should" = SHOULD, "may" = an option):
 * - `MUST`: violated → FAIL (a ConformanceFailure; the scenario fails, the fault matrix may count it).
 * - `SHOULD`: violated → WARN (an advisory recorded with the scenario and shown with its clause; never a failure).
 * A behaviour the texts leave open is not a check at all: it is a profile option or an accepted alternative, and a
 * check that does not apply to the profile reports N/A (`notApplicable` in support/world/harness-world.ts).
 *
 * `id` is the requirement of the catalogue (docs/requirements-catalogue.md, R01–R74) where there is one: the fault
 * matrix counts a fault as caught only by a FAIL of a check whose id the fault declares it breaks.
 * `quote` is the sentence of the clause the check decides on; `source` says whether it was read in the text (`V`)
 * or recalled (`R`), as the catalogue tags them (§0.1).
 */
export type Level = 'MUST' | 'SHOULD'

export interface Requirement {
  readonly id?: string
  readonly level: Level
  readonly clause: string
  readonly quote?: string
  readonly source?: 'V' | 'R'
}

export type MustRequirement = Requirement & { readonly level: 'MUST' }
export type ShouldRequirement = Requirement & { readonly level: 'SHOULD' }

interface Details {
  readonly id?: string
  readonly quote?: string
  readonly source?: 'V' | 'R'
}

export function must(clause: string, details: Details = {}): MustRequirement {
  return { level: 'MUST', clause, ...details }
}

export function should(clause: string, details: Details = {}): ShouldRequirement {
  return { level: 'SHOULD', clause, ...details }
}

/** `MUST RFC 3261 §16.6 step 8 (R19)`: how reports name a requirement. */
export function describeRequirement(requirement: Requirement): string {
  return `${requirement.level} ${requirement.clause}${requirement.id ? ` (${requirement.id})` : ''}`
}
