import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { Worker } from 'node:worker_threads'
import type { SipResponse } from '../sip/message.ts'
import { parseMessageBytes } from '../sip/parse.ts'
import { digestChallengesOf, selectChallenge } from '../wic/digest-responder.ts'
import { CoreThread } from './core-thread.ts'
import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import { loadUser } from './load-config.ts'
import { RegisterTemplate } from './register-template.ts'
import { threadCpu } from './tick-recorder.ts'

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
  /** Requests sent again by Timer E (RFC 3261 §17.1.2.2). */
  readonly retransmissions: number
}

/** One registration: its identifiers, kept over its two transactions. */
interface Registration {
  readonly user: number
  readonly callId: string
  readonly fromTag: string
  readonly begin: number
}

/** A non-INVITE client transaction (RFC 3261 §17.1.2) reduced to what the generator needs: its timers. */
interface Transaction {
  readonly registration: Registration
  readonly cseq: number
  readonly text: string
  /** Timer E: the next retransmission, and its interval (T1 doubling up to T2; T2 once a 1xx arrived). */
  nextAt: number
  interval: number
  /** Timer F (64·T1): the transaction's deadline. */
  readonly deadlineAt: number
}

const BRANCH = /;\s*branch\s*=\s*([^;,\s]+)/i

/** The branch of a Via value (RFC 3261 §20.42), the one echoed from the request looked for first. */
function topBranch(via: string): string | undefined {
  const at = via.indexOf(';branch=')
  if (at < 0) return BRANCH.exec(via)?.[1]
  const end = via.indexOf(';', at + 8)
  return via.slice(at + 8, end < 0 ? via.length : end).trim()
}
const PREFERENCE = ['MD5', 'SHA-256'] as const

/**
 * The harness's generator over UDP, for the side-by-side with SIPp (`npm run bench`): the same digest
 * REGISTER workload as `bench/sipp/register.xml` (the Request-URI is the registrar's address, as SIPp's digest
 * uri is): REGISTER with initial credentials (TS 24.229 §5.1.1.2), 401, REGISTER with the answer (RFC 3261 §22.2,
 * RFC 7616 §3.4), 200; `concurrency` at once on one UDP socket. Built for speed as SIPp is: requests from a
 * precomputed template (`RegisterTemplate`), responses read with the harness's parser (support/sip) for the top
 * Via's branch, CSeq and WWW-Authenticate only, and the client transactions of RFC 3261 §17.1.2 kept in a Map by
 * branch with one sweep timer for all of them: Timer E retransmits (T1 doubling up to T2, T2 once a provisional
 * response came), Timer F (64·T1) ends a transaction unanswered; a response whose branch is not pending (a
 * retransmission's answer) is absorbed, as in the Completed state of §17.1.2.2.
 */
export async function runUdpRegistrations(run: UdpRegistrationRun): Promise<UdpRegistrationResult> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject)
      resolve()
    })
  })
  // Connected to the registrar (it answers from the address it listens on): a send then needs no address
  // lookup, which dgram otherwise does for every datagram.
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.connect(run.registrar.port, run.registrar.address, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  const own = socket.address()
  const users = Array.from({ length: run.users }, (_, i) => ({
    ...loadUser(i, run.domain),
    contactUser: `load-${i}`,
  }))
  const template = new RegisterTemplate(run.registrar, own, users)
  const { T1, T2 } = run.timers
  const latency = new LatencyHistogram()
  const failures: Record<string, number> = {}
  const fail = (reason: string): void => {
    failures[reason] = (failures[reason] ?? 0) + 1
  }
  const pending = new Map<string, Transaction>()
  let started = 0
  let active = 0
  let registrations = 0
  let retransmissions = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const cpu0 = threadCpu()
  const t0 = performance.now()

  // Identifiers unique within the run (RFC 3261 §8.1.1.7 asks a branch unique in space and time: a random run
  // prefix and a counter), without a call to the random source per message.
  const prefix = randomBytes(6).toString('hex')
  let counter = 0
  const unique = (): string => prefix + (counter++).toString(36)

  const send = (registration: Registration, cseq: number, authorization: string): void => {
    const branch = `z9hG4bK${unique()}`
    const text = template.request(registration.user, { ...registration, branch, cseq, authorization })
    const now = performance.now()
    pending.set(branch, {
      registration,
      cseq,
      text,
      nextAt: now + T1,
      interval: T1,
      deadlineAt: now + 64 * T1,
    })
    socket.send(text)
  }
  const launch = (): void => {
    while (active < run.concurrency && started < run.total && performance.now() - t0 < run.deadlineMs) {
      const user = started++ % run.users
      active += 1
      const registration = {
        user,
        callId: `${unique()}@127.0.0.1`,
        fromTag: unique(),
        begin: performance.now(),
      }
      send(registration, 1, template.initialAuthorization(user, run.domain))
    }
    if (active === 0) finish()
  }
  const end = (): void => {
    active -= 1
    launch()
  }
  const answer = (tx: Transaction, response: SipResponse): void => {
    const { registration } = tx
    if (tx.cseq === 1 && response.status === 401) {
      const challenge = selectChallenge(digestChallengesOf(response).supported, PREFERENCE)
      const authorization = challenge && template.answer(registration.user, challenge, unique())
      if (authorization === undefined) fail('401 without an answerable challenge')
      else return send(registration, 2, authorization)
    } else if (tx.cseq === 2 && response.status >= 200 && response.status < 300) {
      registrations += 1
      latency.record(performance.now() - registration.begin)
    } else fail(`SIP ${response.status}`)
    end()
  }

  socket.on('message', (data) => {
    let response
    try {
      response = parseMessageBytes(data)
    } catch {
      return fail('unparsable datagram')
    }
    if (response.isRequest()) return
    const branch = topBranch(response.get('Via') ?? '')
    const tx = branch === undefined ? undefined : pending.get(branch)
    if (tx === undefined || !(response.get('CSeq') ?? '').trimEnd().endsWith(' REGISTER')) return
    if (response.status < 200) {
      tx.interval = T2
      tx.nextAt = performance.now() + T2
      return
    }
    pending.delete(branch!)
    answer(tx, response)
  })
  socket.on('error', (error) => fail(`socket: ${(error as NodeJS.ErrnoException).code ?? error.message}`))
  const sweep = setInterval(
    () => {
      const now = performance.now()
      for (const [branch, tx] of pending) {
        if (now >= tx.deadlineAt) {
          pending.delete(branch)
          fail(`no final response to REGISTER (CSeq ${tx.cseq}) within Timer F, ${64 * T1} ms`)
          end()
        } else if (now >= tx.nextAt) {
          socket.send(tx.text)
          retransmissions += 1
          tx.interval = Math.min(2 * tx.interval, T2)
          tx.nextAt = now + tx.interval
        }
      }
    },
    Math.max(5, Math.min(50, T1 / 10)),
  )
  try {
    launch()
    await finished
  } finally {
    clearInterval(sweep)
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  }
  const wallMs = performance.now() - t0
  return {
    registrations,
    failures,
    wallMs,
    perSecond: (registrations * 1000) / wallMs,
    latency: latency.summary(),
    cpuUs: threadCpu() - cpu0,
    retransmissions,
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
    retransmissions: results.reduce((a, r) => a + r.retransmissions, 0),
  }
}

/** The registrar of the UDP runs: the mock S-CSCF (MD5 challenges) in a thread of its own on a loopback port. */
export function startUdpRegistrar(domain: string, users = 1): Promise<CoreThread> {
  return CoreThread.start(
    {
      options: { address: '127.0.0.1', port: 0, domain, algorithms: ['MD5'] },
      subscribers: [],
      users,
      domain,
    },
    10_000,
  )
}
