import { readFileSync } from 'node:fs'

/** The soft limit of open files of this process (Linux /proc/self/limits), undefined where it cannot be read. */
export function openFilesLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return line?.[1] === undefined ? undefined : line[1] === 'unlimited' ? Infinity : Number(line[1])
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
  if (limit === undefined || needed <= limit) return undefined
  return (
    `open files: ${wics} WICs need about ${needed} descriptors${embeddedSut ? ' (both ends in this process)' : ''}, ` +
    `the limit is ${limit}: raise it first (ulimit -n ${Math.max(65_536, needed)}) or expect EMFILE failures`
  )
}
