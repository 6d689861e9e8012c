import { parentPort, Worker, workerData } from 'node:worker_threads'
import type { CoordinatorMessage, WorkerConfig, WorkerMessage } from './load-config.ts'
import { childExited, exitText, forkModule } from './forked.ts'

/**
 * Where a generator runs: a worker thread of the run's process (the default: cheap to start, CPU measured per
 * thread), or a process of its own (`--generators process`), whose sockets do not count against the run's
 * open-file limit: the way to more WICs than one process may hold.
 */
export type GeneratorKind = 'thread' | 'process'

/** The coordinator's handle on one generator (support/load/load-worker.ts), thread or process alike. */
export interface Generator {
  /** The process id of a generator process; undefined for a thread. */
  readonly pid: number | undefined
  post(message: CoordinatorMessage): void
  onMessage(handler: (message: WorkerMessage) => void): void
  /** A thread's uncaught error, or a process that ended before it was told to. */
  onError(handler: (error: Error) => void): void
  /** Ends it: a thread is terminated; a process's channel is closed, and it is killed if it has not exited in 3 s. */
  terminate(): Promise<void>
}

/** Starts a generator of this kind with its share of the run. */
export function startGenerator(kind: GeneratorKind, config: WorkerConfig): Generator {
  const module = new URL('./load-worker.ts', import.meta.url)
  if (kind === 'thread') {
    const worker = new Worker(module, { workerData: config })
    return {
      pid: undefined,
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => worker.on('message', handler),
      onError: (handler) => worker.on('error', handler),
      terminate: async () => void (await worker.terminate()),
    }
  }
  const child = forkModule(module)
  let ending = false
  child.send({ kind: 'config', config })
  return {
    pid: child.pid,
    post: (message) => void (child.connected && child.send(message)),
    onMessage: (handler) => child.on('message', handler),
    onError: (handler) =>
      child.once('exit', (code, signal) => {
        if (!ending) handler(new Error(`generator process ${config.index} ${exitText(code, signal)}`))
      }),
    terminate: () => {
      ending = true
      if (child.connected) child.disconnect()
      return childExited(child, 3000)
    },
  }
}

/** The generator's side: its share of the run and its line to the coordinator. */
export interface CoordinatorLine {
  readonly config: WorkerConfig
  post(message: WorkerMessage): void
  onMessage(handler: (message: CoordinatorMessage) => void): void
  /** After the last message: a thread closes its port; a process waits for the coordinator to end it. */
  close(): void
}

/**
 * Joins the coordinator from inside a generator: through the worker thread's port, or, in a generator process,
 * through the IPC channel (the config comes as the first message). A generator process exits when the channel
 * closes, whoever closed it: no generator outlives its run.
 */
export async function joinCoordinator(): Promise<CoordinatorLine> {
  const port = parentPort
  if (port !== null)
    return {
      config: workerData as WorkerConfig,
      post: (message) => port.postMessage(message),
      onMessage: (handler) => port.on('message', handler),
      close: () => port.close(),
    }
  process.once('disconnect', () => process.exit(0))
  // Ctrl-C reaches the whole process group: the coordinator handles it and stops its generators in order.
  process.on('SIGINT', () => undefined)
  const config = await new Promise<WorkerConfig>((resolve) =>
    process.once('message', (message: { config: WorkerConfig }) => resolve(message.config)),
  )
  return {
    config,
    post: (message) => void process.send?.(message),
    onMessage: (handler) => process.on('message', handler),
    close: () => undefined,
  }
}
