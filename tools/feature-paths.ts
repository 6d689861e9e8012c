/**
 * Which of the arguments passed through to cucumber name features (`features/x.feature`, `features/x.feature:12`,
 * a folder, `@rerun.txt`): cucumber's own options take the rest. When there are any, the default "every feature"
 * of cucumber.mjs steps aside (HARNESS_FEATURE_PATHS=1), as cucumber's own command line would have it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const TAKES_VALUE = new Set([
  '--tags',
  '-t',
  '--name',
  '--format',
  '-f',
  '--format-options',
  '--order',
  '--retry',
  '--retry-tag-filter',
  '--world-parameters',
  '--import',
  '-i',
  '--require',
  '-r',
  '--require-module',
  '--language',
  '--shard',
  '--config',
  '-c',
])

export function featurePaths(args: readonly string[]): string[] {
  const paths: string[] = []
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? ''
    if (TAKES_VALUE.has(arg)) i += 1
    else if (!arg.startsWith('-')) paths.push(arg)
  }
  return paths
}

/** What limited a run, from the arguments passed through to cucumber: `--tags`, `--name` and feature paths. */
export interface RunFilter {
  readonly tags: readonly string[]
  readonly names: readonly string[]
  readonly paths: readonly string[]
}

export function runFilter(args: readonly string[]): RunFilter {
  const valuesOf = (...options: string[]) =>
    args.flatMap((arg, i) => {
      const value = options.includes(arg) ? args[i + 1] : undefined
      const inline = options.map((o) => `${o}=`).find((o) => arg.startsWith(o))
      return value !== undefined ? [value] : inline !== undefined ? [arg.slice(inline.length)] : []
    })
  return { tags: valuesOf('--tags', '-t'), names: valuesOf('--name'), paths: featurePaths(args) }
}

/** Whether the run was limited at all. */
export function isFiltered(filter: RunFilter): boolean {
  return filter.tags.length + filter.names.length + filter.paths.length > 0
}

/**
 * Every tag written in the feature files under `root` (on Feature, Rule, Scenario and Examples lines alike): a
 * requirement tag not among them has no scenario yet, whatever a run selected.
 */
export function featureTags(root = 'features'): Set<string> {
  const tags = new Set<string>()
  if (!existsSync(root)) return tags
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.feature')) continue
    for (const line of readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n'))
      if (line.trimStart().startsWith('@'))
        for (const tag of line.replace(/\s#.*$/, '').match(/@[^\s@]+/g) ?? []) tags.add(tag)
  }
  return tags
}
