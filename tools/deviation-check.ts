/**
 * `expectedDeviations` must name scenarios that exist: a misspelled name would silently declare nothing. Reads the
 * scenario names of every feature through cucumber's API (no support code loaded) and reports each unknown name as
 * a profile error naming the field, with the closest existing names.
 */
import { loadConfiguration, loadSources } from '@cucumber/cucumber/api'
import { ProfileError } from '../support/errors.ts'

export async function scenarioNames(): Promise<string[]> {
  const { runConfiguration } = await loadConfiguration({
    file: false,
    provided: { paths: ['features/**/*.feature'], import: [] },
  })
  const { plan } = await loadSources(runConfiguration.sources)
  return [...new Set(plan.map((p) => p.name))]
}

/** Words two names share, for "did you mean". */
function closeness(a: string, b: string): number {
  const words = new Set(a.toLowerCase().split(/\W+/))
  return b
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 2 && words.has(w)).length
}

export async function checkDeviations(deviations: readonly { scenario: string }[]): Promise<void> {
  if (deviations.length === 0) return
  const names = await scenarioNames()
  const problems = deviations.flatMap((d, i) => {
    if (names.includes(d.scenario)) return []
    const near = [...names].sort((x, y) => closeness(d.scenario, y) - closeness(d.scenario, x)).slice(0, 2)
    return [
      `  expectedDeviations.${i}.scenario: no scenario is named "${d.scenario}" (closest: "${near.join('", "')}")`,
    ]
  })
  if (problems.length > 0)
    throw new ProfileError(`the profile declares deviations of unknown scenarios:\n${problems.join('\n')}`)
}
