import { readFileSync } from 'node:fs'

/** The soft and hard limits of open files of this process (Linux /proc/self/limits); undefined where unreadable. */
export function openFilesLimit(): { soft: number; hard: number } | undefined {
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

/**
 * A warning when `wics` concurrent WICs cannot fit this process's open-file limit: each WIC holds one socket, and
 * an embedded reference eP-CSCF holds the other end in the same process. Undefined when they fit.
 */
export function openFilesWarning(wics: number, embeddedSut: boolean): string | undefined {
  const limit = openFilesLimit()
  const needed = wics * (embeddedSut ? 2 : 1) + 256
  if (limit === undefined || needed <= limit.soft) return undefined
  const raise =
    needed <= limit.hard
      ? `raise it first (ulimit -n ${needed})`
      : `the hard limit is ${limit.hard}, so only a privileged shell can raise it`
  return (
    `open files: ${wics} WICs need about ${needed} descriptors${embeddedSut ? ' (both ends in this process)' : ''}, ` +
    `the limit is ${limit.soft}: ${raise}; otherwise expect EMFILE failures`
  )
}
