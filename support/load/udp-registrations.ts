import { randomBytes } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { SipRequest } from '../sip/message.ts'
import { TraceRecorder } from '../trace/trace-recorder.ts'
import { TransactionLayer } from '../transaction/transaction-layer.ts'
import { UdpTransport } from '../transport/udp-transport.ts'
import { DigestResponder, initialDigestAuthorization } from '../wic/digest-responder.ts'
import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import { loadUser } from './load-config.ts'
import { failureReason, threadCpu } from './tick-recorder.ts'

export interface UdpRegistrationRun {
  /** The registrar (the mock S-CSCF) over UDP. */
  readonly registrar: { readonly address: string; readonly port: number }
  readonly domain: string
  /** Load users `load-0` … `load-<users-1>`, taken in turn. */
  readonly users: number
  /** Registrations in all, and at most `concurrency` at once (as SIPp's -m and -l). */
  readonly total: number
  readonly concurrency: number
  readonly timers: { readonly T1: number; readonly T2: number; readonly T4: number }
  /** The whole run's deadline, ms. */
  readonly deadlineMs: number
}

export interface UdpRegistrationResult {
  readonly registrations: number
  readonly failures: Readonly<Record<string, number>>
  readonly wallMs: number
  readonly perSecond: number
  readonly latency: LatencySummary
  /** CPU of the generating thread, µs. */
  readonly cpuUs: number
}

/**
 * The harness's generator over UDP, for the side-by-side with SIPp (`npm run bench`): the same digest
 * REGISTER workload as `bench/sipp/register.xml` (the Request-URI is the registrar's address, as SIPp's digest
 * uri is): REGISTER with initial credentials (TS 24.229 §5.1.1.2), 401,
 * REGISTER with the answer (RFC 3261 §22.2, the WIC's own DigestResponder), 200; through the harness's UDP
 * transport and RFC 3261 client transactions (retransmissions included), `concurrency` at once.
 */
export async function runUdpRegistrations(run: UdpRegistrationRun): Promise<UdpRegistrationResult> {
  const trace = new TraceRecorder({
    eventChars: 256,
    headEvents: 0,
    headChars: 0,
    tailEvents: 10,
    tailChars: 4096,
  })
  const udp = await UdpTransport.listen({
    address: '127.0.0.1',
    port: 0,
    trace,
    observer: 'UDP generator',
    leg: 'Mw',
  })
  const transactions = new TransactionLayer({ timers: run.timers, observer: 'UDP generator' })
  udp.onMessage((inbound) => transactions.receive(inbound))
  const flow = udp.flowTo({ transport: 'UDP', address: run.registrar.address, port: run.registrar.port })
  const latency = new LatencyHistogram()
  const failures: Record<string, number> = {}
  const own = `127.0.0.1:${udp.local.port}`
  let started = 0
  let registrations = 0
  const cpu0 = threadCpu()
  const t0 = performance.now()

  // Identifiers unique within the run (RFC 3261 §8.1.1.7 asks a branch unique in space and time: a random run
  // prefix and a counter), without a call to the random source per message.
  const prefix = randomBytes(6).toString('hex')
  let counter = 0
  const unique = (): string => `${prefix}${(counter++).toString(36)}`
  const uri = `sip:${run.registrar.address}:${run.registrar.port}`
  const one = async (n: number): Promise<void> => {
    const user = loadUser(n % run.users, run.domain)
    const callId = `${unique()}@127.0.0.1`
    const fromTag = unique()
    const register = (cseq: number, authorization: string): SipRequest =>
      new SipRequest({ method: 'REGISTER', uri })
        .append('Via', `SIP/2.0/UDP ${own};branch=z9hG4bK${unique()};rport`)
        .append('Max-Forwards', '70')
        .append('From', `<${user.impu}>;tag=${fromTag}`)
        .append('To', `<${user.impu}>`)
        .append('Call-ID', callId)
        .append('CSeq', `${cseq} REGISTER`)
        .append('Contact', `<sip:load-${n % run.users}@${own}>`)
        .append('Expires', '600')
        .append('Authorization', authorization)
        .append('Content-Length', '0')
    const begin = performance.now()
    try {
      const challenge = await transactions.request(
        register(1, initialDigestAuthorization({ username: user.impi, realm: run.domain, uri })),
        flow,
      )
      const digest = new DigestResponder(['MD5', 'SHA-256'])
      if (challenge.status !== 401 || digest.accept(challenge) === undefined) {
        failures[`SIP ${challenge.status}`] = (failures[`SIP ${challenge.status}`] ?? 0) + 1
        return
      }
      const answer = digest.answer({ username: user.impi, password: user.password, method: 'REGISTER', uri })!
      const final = await transactions.request(register(2, answer.value), flow)
      if (final.status >= 200 && final.status < 300) {
        registrations += 1
        latency.record(performance.now() - begin)
      } else failures[`SIP ${final.status}`] = (failures[`SIP ${final.status}`] ?? 0) + 1
    } catch (error) {
      const reason = failureReason(error)
      failures[reason] = (failures[reason] ?? 0) + 1
    }
  }

  const lane = async (): Promise<void> => {
    while (started < run.total && performance.now() - t0 < run.deadlineMs) await one(started++)
  }
  try {
    await Promise.all(Array.from({ length: Math.min(run.concurrency, run.total) }, lane))
  } finally {
    transactions.close()
    await udp.close()
  }
  const wallMs = performance.now() - t0
  return {
    registrations,
    failures,
    wallMs,
    perSecond: (registrations * 1000) / wallMs,
    latency: latency.summary(),
    cpuUs: threadCpu() - cpu0,
  }
}

/**
 * The same run spread over `threads` worker threads (each its own UDP socket, its share of `total` and of
 * `concurrency`), as `npm run load` spreads its WICs: registrations and CPU summed, the wall time of the slowest,
 * the largest p99 and max of the threads.
 */
export async function runUdpRegistrationsInThreads(
  run: UdpRegistrationRun,
  threads: number,
): Promise<UdpRegistrationResult> {
  if (threads <= 1) return runUdpRegistrations(run)
  const shares = Array.from({ length: threads }, (_, i) => ({
    ...run,
    total: Math.floor(run.total / threads) + (i < run.total % threads ? 1 : 0),
    concurrency: Math.max(1, Math.round(run.concurrency / threads)),
  }))
  const t0 = performance.now()
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<UdpRegistrationResult>((resolve, reject) => {
          const worker = new Worker(new URL('./udp-worker.ts', import.meta.url), { workerData: share })
          const timer = setTimeout(() => {
            void worker.terminate()
            reject(new Error(`a UDP generator thread gave no result within ${run.deadlineMs + 10_000} ms`))
          }, run.deadlineMs + 10_000)
          worker.once(
            'message',
            (m: { ok: true; result: UdpRegistrationResult } | { ok: false; message: string }) => {
              clearTimeout(timer)
              void worker.terminate()
              if (m.ok) resolve(m.result)
              else reject(new Error(m.message))
            },
          )
          worker.once('error', (error) => {
            clearTimeout(timer)
            reject(error)
          })
        }),
    ),
  )
  const wallMs = performance.now() - t0
  const registrations = results.reduce((a, r) => a + r.registrations, 0)
  const failures: Record<string, number> = {}
  for (const r of results)
    for (const [k, n] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + n
  const count = results.reduce((a, r) => a + r.latency.count, 0)
  return {
    registrations,
    failures,
    wallMs,
    perSecond: (registrations * 1000) / wallMs,
    latency: {
      count,
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p95: Math.max(...results.map((r) => r.latency.p95)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      max: Math.max(...results.map((r) => r.latency.max)),
      mean: results.reduce((a, r) => a + r.latency.mean * r.latency.count, 0) / Math.max(1, count),
    },
    cpuUs: results.reduce((a, r) => a + r.cpuUs, 0),
  }
}
