import { spawnSync } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/**
 * A launched SUT runs in a PID namespace of its own (util-linux `unshare`), so that nothing it starts can outlive
 * it: a daemon that calls setsid() leaves the process group but not the namespace, and when the namespace's first
 * process ends the kernel kills every process in it (pid_namespaces(7)). `--kill-child` ends that first process
 * when unshare itself is killed, so SIGKILL to unshare's process group takes the whole tree (issue 7).
 * The SUT's command must stay in the foreground, as in a container: if it exits, its daemons go with it.
 * Needs root (or user namespaces) and util-linux; elsewhere, or with HARNESS_SUT_ISOLATION=process-group, the SUT
 * runs in a process group of its own only.
 */
export const UNSHARE_ARGS = ['--pid', '--fork', '--kill-child', '--mount-proc'] as const

export type Isolation = 'pid-namespace' | 'process-group'

let works: boolean | undefined

/** Whether `unshare --pid --fork --kill-child --mount-proc` runs here (tried once per process). */
export function pidNamespaceAvailable(): boolean {
  if (process.env.HARNESS_SUT_ISOLATION === 'process-group') return false
  works ??=
    spawnSync('unshare', [...UNSHARE_ARGS, '--', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0
  return works
}

/** The command line that runs `command args` isolated as well as this machine allows, and what isolation that is. */
export function isolatedCommand(
  command: string,
  args: readonly string[],
): { command: string; args: string[]; isolation: Isolation } {
  if (!pidNamespaceAvailable()) return { command, args: [...args], isolation: 'process-group' }
  return { command: 'unshare', args: [...UNSHARE_ARGS, '--', command, ...args], isolation: 'pid-namespace' }
}

/** The executable `command` names (a path, or a name on PATH), or undefined when there is none. */
export function findExecutable(command: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : path
        .split(delimiter)
        .filter((dir) => dir !== '' && isAbsolute(dir))
        .map((dir) => join(dir, command))
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not there, or not executable
    }
  }
  return undefined
}
