import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

/** One scenario's verdict as its verdict.json attachment says, with the scenario's name. */
export interface RunVerdict {
  readonly scenario: string
  readonly verdict: string
  readonly errorClass?: string
  readonly message: string
}

export interface HarnessRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly ms: number
  readonly output: string
  readonly verdicts: RunVerdict[]
  /** Peak resident memory of the cucumber process (VmHWM), sampled every 100 ms, in bytes. */
  readonly peakRssBytes: number
  /** Total size of the reports folder. */
  readonly reportBytes: number
  /** The largest single file of the reports folder. */
  readonly largestReport: { readonly name: string; readonly bytes: number }
  readonly cucumberPid: number | undefined
}

/**
 * Runs `npm start` (tools/harness.ts) as a user would, with the profile text given, its own HARNESS_DIR and
 * reports folder under `dir`, and cucumber's arguments. `onOutput` sees the console as it comes (a test may send a
 * signal from it). Resolves when the harness has exited.
 */
export async function runHarness(opts: {
  dir: string
  profile: string
  args: readonly string[]
  env?: NodeJS.ProcessEnv
  onOutput?: (output: string, harnessPid: number) => void
}): Promise<HarnessRun> {
  mkdirSync(opts.dir, { recursive: true })
  const profile = join(opts.dir, 'profile.yaml')
  writeFileSync(profile, opts.profile)
  const reports = join(opts.dir, 'reports')
  const started = performance.now()
  const cli = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve('tools/harness.ts'),
      '--profile',
      profile,
      '--reports',
      reports,
      ...opts.args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HARNESS_DIR: join(opts.dir, 'harness'), ...opts.env },
    },
  )
  let output = ''
  const seen = (chunk: Buffer): void => {
    if (output.length < 4 * 1024 * 1024) output += chunk.toString()
    opts.onOutput?.(output, cli.pid ?? 0)
  }
  cli.stdout.on('data', seen)
  cli.stderr.on('data', seen)
  let peak = 0
  let cucumberPid: number | undefined
  const sampler = setInterval(() => {
    cucumberPid ??= childOf(cli.pid ?? 0)
    if (cucumberPid !== undefined) peak = Math.max(peak, statusBytes(cucumberPid, 'VmHWM'))
  }, 100)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    cli.on('close', (c, s) => done([c, s])),
  )
  clearInterval(sampler)
  const files = listFiles(reports)
  const largest = files.reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: '', bytes: 0 })
  return {
    code,
    signal,
    ms: Math.round(performance.now() - started),
    output,
    verdicts: await verdictsOf(join(reports, 'messages.ndjson')),
    peakRssBytes: peak,
    reportBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    largestReport: largest,
    cucumberPid,
  }
}

/** The profile of an external eP-CSCF at `port` whose certificate `caFile` signed, on ports of the hostile tests. */
export function externalProfile(
  name: string,
  port: number,
  caFile: string,
  opts: { waitMs?: number; extra?: string; ports?: { mw: number; scscf: number } } = {},
): string {
  const ports = opts.ports ?? HOSTILE_PORTS
  return [
    `name: ${name}`,
    'launcher: { kind: external }',
    'startTimeoutMs: 5000',
    `waitMs: ${opts.waitMs ?? 2000}`,
    'epcscf:',
    `  wss: { port: ${port} }`,
    `  mw: { port: ${ports.mw} }`,
    `  tls: { ca: ${caFile} }`,
    `scscf: { port: ${ports.scscf} }`,
    'wwsf: { port: 0 }',
    opts.extra ?? '',
  ].join('\n')
}

/**
 * Ports of the hostile tests' mock S-CSCF and (unused by an external SUT) Mw address; each test file has its own
 * (the unit tests run two files at a time), above the ephemeral range (32768-60999 here).
 */
export const HOSTILE_PORTS = { mw: 62060, scscf: 62070 } as const
export const SETSID_PORTS = { wss: 62443, mw: 62160, scscf: 62170 } as const

/** Waits up to `ms` for `port` to be free (a run that just ended may still be closing it); false if it stays taken. */
export async function portFreeWithin(port: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!(await portFree(port))) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return true
}

/** The verdict.json attachments of a messages.ndjson, read line by line, named by their scenario. */
async function verdictsOf(file: string): Promise<RunVerdict[]> {
  const names = new Map<string, string>() // pickle id → name
  const pickleOfCase = new Map<string, string>() // test case id → pickle id
  const caseOfStarted = new Map<string, string>() // test case started id → test case id
  const verdicts: { started: string; body: string }[] = []
  try {
    statSync(file)
  } catch {
    return []
  }
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    if (line.startsWith('{"pickle"')) {
      const { pickle } = JSON.parse(line) as { pickle: { id: string; name: string } }
      names.set(pickle.id, pickle.name)
    } else if (line.startsWith('{"testCase"')) {
      const { testCase } = JSON.parse(line) as { testCase: { id: string; pickleId: string } }
      pickleOfCase.set(testCase.id, testCase.pickleId)
    } else if (line.startsWith('{"testCaseStarted"')) {
      const { testCaseStarted } = JSON.parse(line) as { testCaseStarted: { id: string; testCaseId: string } }
      caseOfStarted.set(testCaseStarted.id, testCaseStarted.testCaseId)
    } else if (line.startsWith('{"attachment"') && line.includes('"verdict.json"')) {
      const { attachment } = JSON.parse(line) as { attachment: { body: string; testCaseStartedId: string } }
      verdicts.push({ started: attachment.testCaseStartedId, body: attachment.body })
    }
  }
  return verdicts.map(({ started, body }) => {
    const v = JSON.parse(body) as Omit<RunVerdict, 'scenario'>
    const scenario = names.get(pickleOfCase.get(caseOfStarted.get(started) ?? '') ?? '') ?? '?'
    return {
      scenario,
      verdict: v.verdict,
      message: v.message,
      ...(v.errorClass ? { errorClass: v.errorClass } : {}),
    }
  })
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    return children === '' ? undefined : Number(children.split(' ')[0])
  } catch {
    return undefined
  }
}

/** A `kB` field of /proc/<pid>/status in bytes (0 once the process is gone). */
export function statusBytes(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]
    return kb === undefined ? 0 : Number(kb) * 1024
  } catch {
    return 0
  }
}

function listFiles(dir: string): { name: string; bytes: number }[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name)
        return { name: path, bytes: statSync(path).size }
      })
  } catch {
    return []
  }
}

/** True when TCP and UDP `port` on 127.0.0.1 can be bound (nothing holds it). */
export async function portFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)))
  })
  const udp = await new Promise<boolean>((done) => {
    const socket = createSocket('udp4')
    socket.once('error', () => {
      socket.close()
      done(false)
    })
    socket.bind(port, '127.0.0.1', () => socket.close(() => done(true)))
  })
  return tcp && udp
}

/** True while `pid` is a live process (a zombie counts as dead). */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

export const MiB = 1024 * 1024

/** The cucumber process is gone, `ports` (the mock S-CSCF's by default) are free, the run registry is empty. */
export async function nothingOutlives(
  run: HarnessRun,
  harnessDir: string,
  ports: readonly number[] = [HOSTILE_PORTS.scscf],
): Promise<void> {
  assert.equal(alive(run.cucumberPid), false, 'the cucumber process is gone')
  for (const port of ports) assert.ok(await portFree(port), `port ${port} is free`)
  const registry = join(harnessDir, 'run')
  assert.deepEqual(existsSync(registry) ? readdirSync(registry) : [], [], 'the run registry is empty')
}
