import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Forks a TypeScript module of the harness as a child process with an IPC channel (structured-clone
 * serialization, so Infinity and nested objects cross intact). The child runs under tsx as the parent does, and
 * with `--expose-gc` when the parent has it (heap probes after a collection). Its stdout and stderr are the
 * parent's. The load run forks its generator processes and the reference shards through it.
 */
export function forkModule(module: URL): ChildProcess {
  const gc = typeof (globalThis as { gc?: unknown }).gc === 'function'
  return fork(fileURLToPath(module), [], {
    execArgv: ['--import', 'tsx', ...(gc ? ['--expose-gc'] : [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** A sentence for a child's exit, for the error of a wait it ended. */
export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `exited with code ${code ?? '?'}` : `was killed by ${signal}`
}

/** Resolves when the child has exited; after `deadlineMs` it is killed (SIGKILL) and awaited. */
export async function childExited(child: ChildProcess, deadlineMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let timer: NodeJS.Timeout | undefined
  const late = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs))),
  ])
  clearTimeout(timer)
  if (!late) return
  child.kill('SIGKILL')
  await exited
}
