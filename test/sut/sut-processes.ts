import { readdirSync, readFileSync } from 'node:fs'
import type { TraceRecorder } from '../../support/trace/trace-recorder.ts'

/**
 * Host pids of what a launcher started. Under a PID namespace (support/sut/pid-namespace.ts) the SUT sees itself
 * as pid 1, so a pid it prints is no use outside: the launcher's trace note names the pid it started (unshare's,
 * whose one child is the command).
 */
export function commandPid(trace: TraceRecorder): number {
  const note = trace.all().find((e) => /^started pid \d+ \(/.test(e.summary))
  const [, pid = '0', isolation] = /^started pid (\d+) \(([\w-]+)\)/.exec(note?.summary ?? '') ?? []
  if (isolation !== 'pid-namespace') return Number(pid)
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')
  return Number(children[0])
}

/** Live (not zombie) processes whose command line contains `marker`: `pid command…` each. */
export function processesWith(marker: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
      if (cmdline.includes(marker) && state !== 'Z') found.push(`${entry} ${cmdline.slice(0, 120)}`)
    } catch {
      // gone meanwhile
    }
  }
  return found
}
