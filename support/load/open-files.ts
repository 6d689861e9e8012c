import { readFileSync } from 'node:fs'

/** The soft and hard limits of open files of this process (Linux /proc/self/limits); undefined where unreadable. */
function openFilesLimit(): { soft: number; hard: number } | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    )
    const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text))
    return line === null ? undefined : { soft: value(line[1]), hard: value(line[2]) }
  } catch {
    return undefined
  }
}

/** Where the WICs' two ends live in a load run. */
export interface DescriptorLayout {
  /** Generators: threads of the run's process, or processes of their own. */
  readonly generators: { readonly kind: 'thread' | 'process'; readonly count: number }
  /** The SUT's end: 'embedded' in the run's process, N reference shards, or elsewhere (a launched or external SUT). */
  readonly sut: 'embedded' | 'elsewhere' | { readonly shards: number }
}

/** Room for the other descriptors of a process (listeners, the mock core, pipes, files). */
const SPARE = 256
/** SO_REUSEPORT spreads connections by a hash of their addresses: one shard may get a little more than its share. */
const SHARD_SKEW = 1.1

/**
 * A warning when `wics` concurrent WICs cannot fit the open-file limit of one of the processes that holds them:
 * each WIC holds one socket in its generator, and an embedded reference eP-CSCF the other end. The limit is this
 * process's (its children inherit it). Undefined when they fit.
 */
export function openFilesWarning(wics: number, layout: DescriptorLayout): string | undefined {
  const limit = openFilesLimit()
  if (limit === undefined) return undefined
  const { generators, sut } = layout
  const inRun = (generators.kind === 'thread' ? wics : 0) + (sut === 'embedded' ? wics : 0) + SPARE
  const perGenerator = generators.kind === 'process' ? Math.ceil(wics / generators.count) + SPARE : 0
  const perShard = typeof sut === 'object' ? Math.ceil((wics / sut.shards) * SHARD_SKEW) + SPARE : 0
  const [needed, where] = [
    [inRun, "the run's process"] as const,
    [perGenerator, `each of the ${generators.count} generator processes`] as const,
    [perShard, `each of the ${typeof sut === 'object' ? sut.shards : 0} reference shards`] as const,
  ].reduce((a, b) => (b[0] > a[0] ? b : a))
  if (needed <= limit.soft) return undefined
  const raise =
    needed <= limit.hard
      ? `raise it first (ulimit -n ${needed})`
      : `the hard limit is ${limit.hard}, so only a privileged shell can raise it`
  return (
    `open files: ${wics} WICs need about ${needed} descriptors in ${where}, the limit is ${limit.soft}: ${raise}, ` +
    'or spread them over more processes (--generators process --threads N, --sut-processes N); otherwise expect ' +
    'EMFILE failures'
  )
}
