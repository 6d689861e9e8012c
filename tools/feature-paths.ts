/**
 * Which of the arguments passed through to cucumber name features (`features/x.feature`, `features/x.feature:12`,
 * a folder, `@rerun.txt`): cucumber's own options take the rest. When there are any, the default "every feature"
 * of cucumber.mjs steps aside (HARNESS_FEATURE_PATHS=1), as cucumber's own command line would have it.
 */
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
