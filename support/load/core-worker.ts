/**
 * The mock I/S-CSCF with its HSS in a thread of its own (node:worker_threads), so that its CPU is measured apart
 * from the eP-CSCF's and the generator's (process.threadCpuUsage) and it never waits behind them. The HSS holds
 * the profile's subscribers plus the load users `load-0` … `load-<users-1>`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { MockScscf, type MockScscfOptions } from '../scscf/mock-scscf.ts'
import type { Subscriber } from '../scscf/hss.ts'
import { heapAfterGc, loadTrace, loadUser } from './load-config.ts'
import { threadCpu } from './tick-recorder.ts'

export interface CoreWorkerData {
  readonly options: Omit<MockScscfOptions, 'trace' | 'subscribers'>
  readonly subscribers: readonly Subscriber[]
  readonly users: number
  readonly domain: string
}

/** From the core thread: its port once listening, its CPU once a second, `stopped` at the end. */
export type CoreMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'cpu'; readonly cpuUs: number; readonly heapUsed: number; readonly bindings: number }
  | { readonly kind: 'stopped'; readonly cpuUs: number }
  | { readonly kind: 'heap'; readonly heapUsed: number }

const data = workerData as CoreWorkerData
const port = parentPort!
const post = (message: CoreMessage): void => port.postMessage(message)

async function main(): Promise<void> {
  const users: Subscriber[] = [...data.subscribers]
  for (let n = 0; n < data.users; n += 1) {
    const u = loadUser(n, data.domain)
    users.push({ impi: u.impi, impus: [u.impu], password: u.password })
  }
  const trace = loadTrace()
  const scscf = await MockScscf.start({ ...data.options, subscribers: users, trace })
  post({ kind: 'ready', port: scscf.port })
  let last = threadCpu()
  const timer = setInterval(() => {
    trim(scscf)
    const now = threadCpu()
    post({
      kind: 'cpu',
      cpuUs: now - last,
      heapUsed: process.memoryUsage().heapUsed,
      bindings: countBindings(scscf),
    })
    last = now
  }, 1000)
  port.on('message', (message: { kind: string }) => {
    if (message.kind === 'heap') post({ kind: 'heap', heapUsed: heapAfterGc() })
    if (message.kind !== 'stop') return
    clearInterval(timer)
    void scscf.stop().finally(() => {
      post({ kind: 'stopped', cpuUs: threadCpu() - last })
      port.close()
    })
  })
}

/**
 * A scenario reads what the mock recorded; a load run never does, and would otherwise keep every request and
 * response it saw: the mock forgets its traffic (keeping bindings and nonces), and old network calls are dropped.
 */
function trim(scscf: MockScscf): void {
  scscf.forgetTraffic('trimmed by the load generator')
  const calls = scscf.calls.network.calls
  if (calls.length > 2000) calls.splice(0, calls.length - 1000)
}

function countBindings(scscf: MockScscf): number {
  return scscf.registrar.allBindings().length
}

main().catch((error: unknown) => {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
  port.close()
})
