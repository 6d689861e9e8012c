import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { EnvironmentMissing, SutStartFailed } from '../errors.ts'
import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'
import { waitForTlsPort } from './port-probe.ts'
import { findExecutable, isolatedCommand, type Isolation } from './pid-namespace.ts'
import { processStartTicks, registerSut } from './run-registry.ts'
import { renderFiles, renderTemplate, type TemplateFile } from './template.ts'

export interface ProcessLauncherOptions {
  /** Profile name, shown in every report. */
  readonly name: string
  /** Folder that relative template paths, `cwd` and a relative `command` with a slash are resolved against. */
  readonly baseDir?: string
  readonly command: string
  readonly args?: readonly string[]
  /** Added to the harness's environment. */
  readonly env?: Readonly<Record<string, string>>
  /** Working directory; defaults to the SUT files folder. */
  readonly cwd?: string
  readonly files?: readonly TemplateFile[]
  /** SIGTERM → SIGKILL grace period when stopping. */
  readonly stopGraceMs?: number
  /** Bytes of stdout+stderr kept for reports. */
  readonly logLimitBytes?: number
}

/**
 * Runs the system under test as a local command: renders its files into the SUT files folder, starts the command
 * in a process group and a PID namespace of its own (pid-namespace.ts: nothing it starts can escape, setsid() or
 * not), records it in the run registry (run-registry.ts: reaped if the run dies), waits until its WSS port
 * completes a TLS handshake, and stops the whole tree. `command`, `args`, `env` and `cwd` may hold placeholders.
 */
export class ProcessLauncher implements SutLauncher {
  constructor(private readonly options: ProcessLauncherOptions) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    const { options } = this
    const baseDir = options.baseDir ?? process.cwd()
    const vars = context.vars
    mkdirSync(context.filesDir, { recursive: true })
    renderFiles(options.files ?? [], { baseDir, filesDir: context.filesDir, vars })
    const render = (text: string, field: string): string => renderTemplate(text, vars, `launcher.${field}`)
    let command = render(options.command, 'command')
    if (command.includes('/') && !isAbsolute(command)) command = resolve(baseDir, command)
    const args = (options.args ?? []).map((arg, i) => render(arg, `args[${i}]`))
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(options.env ?? {})) env[key] = render(value, `env.${key}`)
    const cwd = options.cwd === undefined ? context.filesDir : resolve(baseDir, render(options.cwd, 'cwd'))

    const fullEnv = { ...process.env, ...env }
    // Under unshare a missing command would only be unshare's exit code 127: it is looked up first.
    if (findExecutable(command, fullEnv.PATH) === undefined)
      throw new EnvironmentMissing(
        `${command} could not be started: spawn ${command} ENOENT (not installed, or not on PATH)`,
      )
    const started = new RunningProcess(options.name, command, args, fullEnv, cwd, options)
    context.trace.note(
      'sut',
      `started pid ${started.pid ?? '?'} (${started.isolation}): ${describeCommand(command, args)} in ${cwd}`,
    )
    const where = `${context.wss.host}:${context.wss.port}`
    const probe = new AbortController()
    void started.exited.then((exit) => {
      probe.abort(
        exit.spawnError !== undefined
          ? exit.spawnError.code === 'ENOENT'
            ? new EnvironmentMissing(
                `${command} could not be started: ${exit.spawnError.message} (not installed, or not on PATH)`,
              )
            : new SutStartFailed(`${command} could not be started: ${exit.spawnError.message}`)
          : new SutStartFailed(
              `${command} ${describeExit(exit)} before its WSS port ${where} accepted TLS; ` +
                `last log lines:\n${started.log.tail(20) || '(no output)'}`,
            ),
      )
    })
    try {
      await waitForTlsPort({
        host: context.wss.host,
        port: context.wss.port,
        timeoutMs: context.startTimeoutMs,
        signal: probe.signal,
      })
    } catch (error) {
      if (probe.signal.aborted) throw probe.signal.reason
      await started.stop()
      throw new SutStartFailed(
        `${command}: its WSS port ${where} did not accept TLS within ${context.startTimeoutMs} ms; ` +
          `stopped its process group; last log lines:\n${started.log.tail(20) || '(no output)'}`,
        { cause: error },
      )
    }
    started.markStarted()
    context.trace.note('sut', `${options.name}: WSS port ${where} accepts TLS`)
    return {
      name: options.name,
      kind: 'process',
      deathNotice: () => started.deathNotice(),
      logs: async () => started.log.text(),
      stop: () => started.stop(),
    }
  }
}

interface ProcessExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly spawnError?: NodeJS.ErrnoException
  readonly at: Date
}

/**
 * Process groups still running, killed if the harness exits without stopping them: at exit, and on a signal
 * (the SUT runs in a process group of its own, so a Ctrl-C at the terminal does not reach it). After killing them,
 * a signal nobody else handles is raised again, so that the harness still ends as it would have.
 */
const liveGroups = new Set<number>()
let exitHookInstalled = false
function registerGroup(pid: number): void {
  liveGroups.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = (): void => {
    for (const group of liveGroups) killGroup(group, 'SIGKILL')
    liveGroups.clear()
  }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll()
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

class RunningProcess {
  readonly log: LogBuffer
  readonly exited: Promise<ProcessExit>
  readonly pid: number | undefined
  readonly isolation: Isolation
  private readonly child: ChildProcess
  private readonly unregister: () => void
  private exit: ProcessExit | undefined
  private started = false
  private stopping = false

  constructor(
    private readonly name: string,
    private readonly command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    private readonly options: ProcessLauncherOptions,
  ) {
    this.log = new LogBuffer(options.logLimitBytes)
    const isolated = isolatedCommand(command, args)
    this.isolation = isolated.isolation
    this.child = spawn(isolated.command, isolated.args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.pid = this.child.pid
    if (this.pid !== undefined) registerGroup(this.pid)
    this.unregister =
      this.pid === undefined
        ? () => {}
        : registerSut({ kind: 'process', pid: this.pid, startTicks: processStartTicks(this.pid), command })
    this.child.stdout?.on('data', (chunk: Buffer) => this.log.append(chunk))
    this.child.stderr?.on('data', (chunk: Buffer) => this.log.append(chunk))
    this.exited = new Promise<ProcessExit>((resolveExit) => {
      const done = (exit: ProcessExit): void => {
        if (this.exit !== undefined) return
        this.exit = exit
        resolveExit(exit)
      }
      this.child.on('error', (error: NodeJS.ErrnoException) => {
        if (this.child.pid === undefined)
          done({ code: null, signal: null, spawnError: error, at: new Date() })
      })
      this.child.once('exit', (code, signal) => {
        done(
          this.isolation === 'pid-namespace'
            ? unshareExit(code, signal, this.log)
            : { code, signal, at: new Date() },
        )
        // Children of the command may still hold its ports: the group goes with its leader.
        if (this.pid !== undefined) {
          killGroup(this.pid, 'SIGKILL')
          liveGroups.delete(this.pid)
        }
        this.unregister()
      })
    })
  }

  markStarted(): void {
    this.started = true
  }

  deathNotice(): string | undefined {
    if (!this.started || this.stopping || this.exit === undefined) return undefined
    return (
      `the system under test "${this.name}" (${this.command}, pid ${this.pid}) ${describeExit(this.exit)} at ` +
      `${this.exit.at.toISOString()}; last log lines:\n${this.log.tail(10) || '(no output)'}`
    )
  }

  async stop(): Promise<void> {
    this.stopping = true
    const pid = this.pid
    if (pid === undefined || this.exit !== undefined) return
    killGroup(pid, 'SIGTERM')
    if (await settlesWithin(this.exited, this.options.stopGraceMs ?? 5000)) return
    killGroup(pid, 'SIGKILL')
    await settlesWithin(this.exited, 5000)
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true as const), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The SUT's exit as unshare reports it. unshare exits with its child's code, and re-raises its child's signal on
 * itself, except SIGKILL, which cannot be raised that way: then it prints "sigprocmask unblock failed" and exits
 * with 1 (util-linux 2.38, observed); that line in the log is the evidence of a SIGKILL.
 */
function unshareExit(code: number | null, signal: NodeJS.Signals | null, log: LogBuffer): ProcessExit {
  if (code === 1 && /unshare: sigprocmask unblock failed/.test(log.tail(5)))
    return { code: null, signal: 'SIGKILL', at: new Date() }
  return { code, signal, at: new Date() }
}

function describeExit(exit: ProcessExit): string {
  if (exit.spawnError !== undefined) return `failed to start (${exit.spawnError.message})`
  if (exit.signal !== null) return `was killed by ${exit.signal}`
  return `exited with code ${exit.code}`
}

function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args]
    .map((part) => (/^[\w./:=@%+-]+$/.test(part) ? part : JSON.stringify(part)))
    .join(' ')
}

/** The last `limit` bytes of a SUT's output (stdout and stderr interleaved as they arrive). */
export class LogBuffer {
  private chunks: Buffer[] = []
  private size = 0
  private dropped = 0

  constructor(private readonly limit = 1024 * 1024) {}

  append(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.chunks.push(buffer)
    this.size += buffer.length
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer
      const excess = this.size - this.limit
      if (first.length <= excess) {
        this.chunks.shift()
        this.size -= first.length
        this.dropped += first.length
      } else {
        this.chunks[0] = first.subarray(excess)
        this.size -= excess
        this.dropped += excess
      }
    }
  }

  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8')
    return this.dropped > 0 ? `[… ${this.dropped} earlier bytes dropped]\n${body}` : body
  }

  /** The last `lines` non-empty lines. */
  tail(lines: number): string {
    return Buffer.concat(this.chunks)
      .toString('utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .slice(-lines)
      .join('\n')
  }
}
