import { Worker } from 'node:worker_threads'
import { EnvironmentMissing } from '../errors.ts'
import type { CoreMessage, CoreWorkerData } from './core-worker.ts'

/** The mock core's thread as the coordinator sees it: CPU and bindings as last reported, and `stop`. */
export class CoreThread {
  /** CPU of the core thread since the last `takeCpu`, µs. */
  private cpuUs = 0
  heapUsed = 0
  bindings = 0

  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {
    worker.on('message', (message: CoreMessage) => {
      if (message.kind === 'cpu') {
        this.cpuUs += message.cpuUs
        this.heapUsed = message.heapUsed
        this.bindings = message.bindings
      } else if (message.kind === 'stopped') this.cpuUs += message.cpuUs
    })
  }

  /** Starts the thread and waits until the mock listens, at most `deadlineMs`. */
  static start(data: CoreWorkerData, deadlineMs: number): Promise<CoreThread> {
    const worker = new Worker(new URL('./core-worker.ts', import.meta.url), { workerData: data })
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer)
        void worker.terminate()
        reject(new EnvironmentMissing(`the mock S-CSCF thread did not start: ${why}`))
      }
      const timer = setTimeout(() => fail(`not listening within ${deadlineMs} ms`), deadlineMs)
      worker.once('error', (error) => fail(error.message))
      const first = (message: CoreMessage): void => {
        if (message.kind === 'ready') {
          clearTimeout(timer)
          worker.off('message', first)
          resolve(new CoreThread(worker, message.port))
        } else if (message.kind === 'failed') fail(message.message)
      }
      worker.on('message', first)
    })
  }

  /** CPU of the core thread since the last call, µs. */
  takeCpu(): number {
    const cpu = this.cpuUs
    this.cpuUs = 0
    return cpu
  }

  /** The core thread's heap after a collection (with --expose-gc), bytes; undefined after `deadlineMs`. */
  heap(deadlineMs = 5000): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.worker.off('message', listener)
        resolve(undefined)
      }, deadlineMs)
      const listener = (message: CoreMessage): void => {
        if (message.kind !== 'heap') return
        clearTimeout(timer)
        this.worker.off('message', listener)
        resolve(message.heapUsed)
      }
      this.worker.on('message', listener)
      this.worker.postMessage({ kind: 'heap' })
    })
  }

  /** Stops the mock and ends the thread; after `deadlineMs` the thread is terminated. */
  async stop(deadlineMs = 3000): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (message: CoreMessage) => message.kind === 'stopped' && resolve())
      this.worker.once('exit', () => resolve())
    })
    this.worker.postMessage({ kind: 'stop' })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))])
    clearTimeout(timer)
    await this.worker.terminate()
  }
}
