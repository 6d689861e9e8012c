/**
 * Runs cucumber as a child process for `npm start` and returns its exit status. One place owns the child: signal
 * forwarding, reaping of launched SUTs and the interrupted flag belong here (issue 7).
 *
 * - cucumber runs in a process group of its own (its workers are threads of that one process), so that a signal
 *   reaches it once, from here: SIGINT, SIGTERM or SIGHUP to the harness is forwarded as SIGTERM to the group; a
 *   second signal (a second later or more), or cucumber still running `STOP_GRACE_MS` later, gets SIGKILL.
 * - every SUT a launcher starts is listed in the run registry (support/sut/run-registry.ts, `HARNESS_RUN_DIR`
 *   under .harness/run/); when cucumber has exited, whatever is still listed is killed (process groups, PID
 *   namespaces, containers), so that nothing outlives the run even when the workers died before their AfterAll;
 *   the registry of an earlier run whose harness was itself killed (SIGKILL) is reaped when the next run starts.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { reapOrphanedRuns, reapRun } from '../support/sut/run-registry.ts'
import { HARNESS_DIR } from '../support/sut/sut-pki.ts'

export interface CucumberRun {
  /** cucumber's exit status (null when it was killed by a signal). */
  readonly status: number | null
  /** The run was stopped by SIGINT or SIGTERM before cucumber finished. */
  readonly interrupted: boolean
}

/** How long cucumber gets after the forwarded SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
/** A second signal within this time of the first is the same one delivered twice, not a second Ctrl-C. */
const DUPLICATE_SIGNAL_MS = 1000
/**
 * The old-space limit of each V8 heap of the cucumber process (the coordinator's and each worker thread's), in MiB.
 * V8 sizes its heap from the machine's memory (about 4 GiB here) and collects lazily while there is room, so a SUT
 * flooding the WIC (test/hostile, issue 7) drove the process to 0.6–1.2 GiB RSS, mostly garbage; with this limit a
 * 60 s flood of about 1 GB peaks at 0.45–0.65 GiB RSS (the rest is the allocator's and the TLS buffers' share). A
 * suite run keeps far less live: evidence is bounded per scenario.
 */
const OLD_SPACE_MIB = 384

export async function runCucumber(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CucumberRun> {
  const cucumber = resolve(
    dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')),
    'bin/cucumber.js',
  )
  const orphans = await reapOrphanedRuns(join(HARNESS_DIR, 'run'))
  if (orphans.length > 0)
    process.stderr.write(`stopped what an earlier, killed run left running: ${orphans.join(', ')}\n`)
  const registry = join(HARNESS_DIR, 'run', `${process.pid}-${Date.now()}`)
  mkdirSync(registry, { recursive: true })
  const child = spawn(process.execPath, [`--max-old-space-size=${OLD_SPACE_MIB}`, cucumber, ...args], {
    stdio: 'inherit',
    env: { ...env, HARNESS_RUN_DIR: registry },
    detached: true,
  })
  let interrupted = false
  let firstSignalAt = 0
  let killTimer: NodeJS.Timeout | undefined
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    try {
      process.kill(-child.pid, signal)
    } catch {
      // the group is gone already
    }
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal and forwarded by npm): only a signal a
      // moment later is the user insisting.
      if (performance.now() - firstSignalAt > DUPLICATE_SIGNAL_MS) signalGroup('SIGKILL')
      return
    }
    interrupted = true
    firstSignalAt = performance.now()
    process.stderr.write(`\n${signal}: stopping cucumber and every system under test it launched…\n`)
    signalGroup('SIGTERM')
    killTimer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS)
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  try {
    const status = await new Promise<number | null>((done) => {
      child.once('error', (error) => {
        process.stderr.write(`cucumber could not be started: ${error.message}\n`)
        done(null)
      })
      child.once('exit', (code) => done(code))
    })
    return { status, interrupted }
  } finally {
    clearTimeout(killTimer)
    // Anything left in cucumber's group (a helper process a step started) goes with it.
    if (child.pid !== undefined)
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // nothing left
      }
    const reaped = await reapRun(registry)
    if (reaped.length > 0)
      process.stderr.write(
        `stopped what the run left running: ${reaped.join(', ')}${interrupted ? '' : ' (the run did not stop it)'}\n`,
      )
    for (const signal of SIGNALS) process.off(signal, onSignal)
  }
}
