import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'

/**
 * The run registry: every SUT a launcher starts (a process group, a container) is written into the run's folder
 * (`HARNESS_RUN_DIR`, set by tools/cucumber-run.ts under .harness/run/) and removed when the launcher stops it.
 * Whatever is still listed when cucumber has exited (its workers killed, Ctrl-C, a crash) is killed by
 * `reapRun`, so that no SUT outlives the run that started it (issue 7). Without HARNESS_RUN_DIR (unit tests) the
 * registry is off and the launchers' own stop applies.
 */
export type RegistryEntry =
  | {
      readonly kind: 'process'
      /** The launched process: the leader of its own process group (and, under unshare, of its PID namespace). */
      readonly pid: number
      /** Its start time in clock ticks since boot (/proc/<pid>/stat field 22): a reused pid is never killed. */
      readonly startTicks: string | undefined
      readonly command: string
    }
  | {
      readonly kind: 'container'
      /** The label value every container of this launch carries (registered before the container exists). */
      readonly label: string
      /** DOCKER_HOST of the engine that runs it (unix:// or tcp://); undefined: the default socket. */
      readonly dockerHost: string | undefined
      readonly image: string
    }

export function runDir(): string | undefined {
  const dir = process.env.HARNESS_RUN_DIR
  return dir === undefined || dir === '' ? undefined : dir
}

/** Records a launched SUT; returns the function that forgets it (call it once the SUT is stopped). */
export function registerSut(entry: RegistryEntry): () => void {
  const dir = runDir()
  if (dir === undefined) return () => {}
  mkdirSync(dir, { recursive: true })
  const file = join(
    dir,
    entry.kind === 'process'
      ? `process-${entry.pid}.json`
      : `container-${entry.label.replace(/\W/g, '_')}.json`,
  )
  writeFileSync(file, JSON.stringify(entry))
  return () => rmSync(file, { force: true })
}

/** Start time of a live process in clock ticks since boot, or undefined when there is no such process. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 2 (comm) may hold spaces and parentheses: the fields after it start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/**
 * Kills every SUT still listed in `dir` (SIGKILL to the process group; the container force-removed), waits until
 * they are gone, and removes the folder. Returns one line per SUT it had to kill.
 */
export async function reapRun(dir: string): Promise<string[]> {
  let files: string[]
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
  const reaped: string[] = []
  for (const name of files) {
    let entry: RegistryEntry
    try {
      entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RegistryEntry
    } catch {
      continue
    }
    if (entry.kind === 'process') {
      if (await killProcessGroup(entry)) reaped.push(`process ${entry.pid} (${entry.command})`)
    } else {
      for (const id of await removeContainers(entry))
        reaped.push(`container ${id.slice(0, 12)} (${entry.image})`)
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return reaped
}

async function killProcessGroup(entry: Extract<RegistryEntry, { kind: 'process' }>): Promise<boolean> {
  const ticks = processStartTicks(entry.pid)
  if (ticks === undefined || (entry.startTicks !== undefined && ticks !== entry.startTicks)) return false
  for (const target of [-entry.pid, entry.pid]) {
    try {
      process.kill(target, 'SIGKILL')
    } catch {
      // the group or the process is already gone
    }
  }
  for (let waited = 0; waited < 5000 && processStartTicks(entry.pid) === ticks; waited += 50) await sleep(50)
  return true
}

/**
 * Lists the launch's containers by label and force-removes them, on the engine's HTTP API (no docker CLI and no
 * testcontainers needed): GET /containers/json, DELETE /containers/<id>?force=true&v=true. Returns the ids removed.
 */
async function removeContainers(entry: Extract<RegistryEntry, { kind: 'container' }>): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [entry.label] }))
  const listed = await engine(entry.dockerHost, 'GET', `/containers/json?all=true&filters=${filters}`)
  if (listed.status !== 200) return []
  const ids = (JSON.parse(listed.body) as { Id: string }[]).map((c) => c.Id)
  const removed: string[] = []
  for (const id of ids)
    if ((await engine(entry.dockerHost, 'DELETE', `/containers/${id}?force=true&v=true`)).status === 204)
      removed.push(id)
  return removed
}

function engine(
  dockerHost: string | undefined,
  method: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const host = dockerHost ?? 'unix:///var/run/docker.sock'
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'))
        return { host: url.hostname, port: Number(url.port || 2375) }
      })()
  return new Promise((resolve) => {
    const req = request({ ...target, method, path, timeout: 15_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (body.length < 1024 * 1024) body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve({ status: 0, body: '' }))
    req.end()
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Reaps the registries under `root` whose harness process is gone (a run killed with SIGKILL could not reap its
 * own): a registry folder is named `<harness pid>-<start ms>`. Returns one line per SUT killed.
 */
export async function reapOrphanedRuns(root: string): Promise<string[]> {
  let dirs: string[]
  try {
    dirs = readdirSync(root)
  } catch {
    return []
  }
  const reaped: string[] = []
  for (const name of dirs) {
    const pid = Number(/^(\d+)-\d+$/.exec(name)?.[1] ?? 0)
    if (pid === 0 || pid === process.pid || processStartTicks(pid) !== undefined) continue
    reaped.push(...(await reapRun(join(root, name))))
  }
  return reaped
}
