/**
 * Load figures of issue 12 (`npm run bench`, or `node --expose-gc --import tsx bench/load.bench.ts`):
 * 1. the same digest REGISTER workload (REGISTER, 401, REGISTER with the answer, 200) against the same UDP
 *    registrar, the mock S-CSCF in a thread of its own, once from SIPp (bench/sipp/register.xml) and once from the
 *    harness's UDP generator (support/load/udp-registrations.ts), alternated, printed as a ratio;
 * 2. WSS registrations per second and their p99 at the highest rate with under 0.1 % failures, through the
 *    reference eP-CSCF and through Kamailio (profiles/kamailio-process.yaml) when it is installed;
 * 3. memory and CPU per registered WIC (heap after a collection, hence --expose-gc).
 * Knobs: BENCH_LOAD_UDP_REGS (4000 per round), BENCH_LOAD_UDP_WARMUP (15000 from the generator first), BENCH_LOAD_UDP_ROUNDS (6 rounds each), BENCH_LOAD_UDP_THREADS (1, as SIPp), BENCH_LOAD_WICS (2000), BENCH_LOAD_RATES (25,50,100,200,400,800,1600),
 * BENCH_LOAD_ONLY (udp, wss or wic: one part), HARNESS_PORT_BASE (the ports of the SUT and the mock core, as for npm start).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_HELD } from '../support/load/flood-verdict.ts'
import { loadUser } from '../support/load/load-config.ts'
import type { LoadReport } from '../support/load/load-report.ts'
import { runLoad, type LoadOptions } from '../support/load/run-load.ts'
import { runUdpRegistrationsInThreads, startUdpRegistrar } from '../support/load/udp-registrations.ts'
import { loadProfile } from '../support/profile/load-profile.ts'
import { DEFAULT_TIMERS } from '../support/wic/wic-options.ts'

const out = (text: string) => process.stdout.write(`${text}\n`)
const DOMAIN = 'ims.harness.test'
const UDP_REGS = Number(process.env.BENCH_LOAD_UDP_REGS ?? 4000)
/**
 * Registrations before the measured rounds. The generator and the mock core are JavaScript: V8 optimizes their
 * hot paths over the first ten thousand or so registrations (measured: 150 µs of CPU per registration in the
 * first 3,000, about 75 µs from the 15,000th on), so both are measured warm, as SIPp (compiled) always is.
 */
const UDP_WARMUP = Number(process.env.BENCH_LOAD_UDP_WARMUP ?? 15_000)
const ROUNDS = Number(process.env.BENCH_LOAD_UDP_ROUNDS ?? 6)
const WICS = Number(process.env.BENCH_LOAD_WICS ?? 2000)
const RATES = (process.env.BENCH_LOAD_RATES ?? '25,50,100,200,400,800,1600').split(',').map(Number)
const CONCURRENCY = 100
/** Generator threads over UDP (SIPp has one); the mock core has a thread of its own. */
const UDP_THREADS = Number(process.env.BENCH_LOAD_UDP_THREADS ?? 1)

async function udpSideBySide(): Promise<void> {
  if (spawnSync('sipp', ['-v']).error !== undefined) {
    out('UDP digest REGISTER: SIPp not installed (Debian sip-tester): the side-by-side is skipped')
    return
  }
  const core = await startUdpRegistrar(DOMAIN)
  try {
    const totals = {
      sipp: { regs: 0, ms: 0, coreUs: 0, cpuUs: 0 },
      harness: { regs: 0, ms: 0, coreUs: 0, cpuUs: 0 },
    }
    let p99 = 0
    let retransmissions = 0
    // A warm-up of each (not counted: JIT, first sockets), then ROUNDS alternated rounds, so that a change of the
    // machine's load during the run falls on both alike.
    await sipp(core.port, 1000)
    const generate = (total: number, deadlineMs: number) =>
      runUdpRegistrationsInThreads(
        {
          registrar: { address: '127.0.0.1', port: core.port },
          domain: DOMAIN,
          users: 1,
          total,
          concurrency: CONCURRENCY,
          timers: DEFAULT_TIMERS,
          deadlineMs,
        },
        UDP_THREADS,
      )
    await generate(UDP_WARMUP, 120_000)
    const runSipp = async (): Promise<void> => {
      core.takeCpu()
      const s = await sipp(core.port, UDP_REGS)
      await sleep(1100) // the core reports its CPU once a second
      totals.sipp.regs += s.regs
      totals.sipp.ms += s.ms
      totals.sipp.cpuUs += s.cpuUs
      totals.sipp.coreUs += core.takeCpu()
      if (s.failed > 0) out(`  SIPp failed calls: ${s.failed}`)
    }
    const runHarness = async (): Promise<void> => {
      core.takeCpu()
      const h = await generate(UDP_REGS, 120_000)
      await sleep(1100)
      totals.harness.regs += h.registrations
      totals.harness.ms += h.wallMs
      totals.harness.cpuUs += h.cpuUs
      totals.harness.coreUs += core.takeCpu()
      retransmissions += h.retransmissions
      p99 = Math.max(p99, h.latency.p99)
      const failed = Object.entries(h.failures)
      if (failed.length > 0)
        out(`  harness generator failures: ${failed.map(([k, n]) => `${n} × ${k}`).join(', ')}`)
    }
    // Which runs first alternates (SIPp, harness, harness, SIPp, ...), so that a drift of the machine's load
    // during the run falls on both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      if (round % 2 === 0) {
        await runSipp()
        await runHarness()
      } else {
        await runHarness()
        await runSipp()
      }
    }
    const rate = (t: { regs: number; ms: number }) => (t.regs * 1000) / t.ms
    const coreLoad = (t: { coreUs: number; ms: number }) => (100 * t.coreUs) / (t.ms * 1000)
    out(
      `UDP digest REGISTER (401 then 200), ${UDP_REGS} × ${ROUNDS} each, alternated, ${CONCURRENCY} at once, against the mock S-CSCF over UDP:\n` +
        `  SIPp ${rate(totals.sipp).toFixed(0)}/s (its CPU ${(totals.sipp.cpuUs / totals.sipp.regs).toFixed(0)} µs per registration; mock core busy ${coreLoad(totals.sipp).toFixed(0)} % of a core)\n` +
        `  harness generator, ${UDP_THREADS} thread(s), ${rate(totals.harness).toFixed(0)}/s (its CPU ${(totals.harness.cpuUs / totals.harness.regs).toFixed(0)} µs per registration; mock core busy ${coreLoad(totals.harness).toFixed(0)} % of a core; p99 ${p99.toFixed(1)} ms; ${retransmissions} retransmissions)\n` +
        `  ratio harness/SIPp ${(rate(totals.harness) / rate(totals.sipp)).toFixed(2)}` +
        (Math.max(coreLoad(totals.sipp), coreLoad(totals.harness)) > 85
          ? " (the mock core near a full core bounds both: the ratio compares the generators at the registrar's pace; their own CPU per registration compares the generators themselves)"
          : ''),
    )
  } finally {
    await core.stop()
  }
}

/** One SIPp run of bench/sipp/register.xml: `total` registrations, CONCURRENCY at once; its traffic time and CPU. */
async function sipp(
  port: number,
  total: number,
): Promise<{ regs: number; failed: number; ms: number; cpuUs: number }> {
  const local = await freeUdpPort()
  const user = loadUser(0, DOMAIN)
  const args = ['-sf', 'bench/sipp/register.xml', '-set', 'user', 'load-0', '-set', 'domain', DOMAIN]
  args.push('-au', user.impi, '-ap', user.password, '-t', 'u1', '-i', '127.0.0.1', '-p', String(local))
  args.push(
    '-r',
    '100000',
    '-l',
    String(CONCURRENCY),
    '-m',
    String(total),
    '-nostdin',
    '-timeout',
    '120s',
    '-trace_screen',
  )
  const screen = join(tmpdir(), `bench-sipp-${process.pid}.txt`)
  args.push('-screen_file', screen, `127.0.0.1:${port}`)
  const cpuBefore = childrenCpuUs()
  const started = performance.now()
  const child = spawn('sipp', args, { stdio: 'ignore' })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const ms = performance.now() - started
  const usage = readFileSync(screen, 'utf8')
  rmSync(screen, { force: true })
  const number = (label: string) =>
    Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(usage)?.[1] ?? NaN)
  const regs = number('Successful call')
  const failed = number('Failed call')
  if (code !== 0 && Number.isNaN(regs)) throw new Error(`sipp exited with ${code}`)
  // The time of SIPp's traffic by its own clock (the scenario screen's Total-time, first call to last), as the
  // harness's generator times its own traffic: SIPp's start (exec, scenario parsing) and exit are not counted.
  const own = Number(/\s([\d.]+) s\s+\d+\s+\S+\(UDP\)/.exec(usage)?.[1] ?? NaN)
  return {
    regs,
    failed,
    ms: Number.isFinite(own) && own > 0 ? own * 1000 : ms,
    cpuUs: childrenCpuUs() - cpuBefore,
  }
}

/** CPU of the exited children of this process (SIPp), µs: cutime + cstime of /proc/self/stat (proc(5)). */
function childrenCpuUs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  const userHz = 100
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / userHz
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

function options(over: Partial<LoadOptions>): LoadOptions {
  return {
    workload: 'register',
    auth: 'digest',
    plan: { rate: 100, rampS: 1, durationS: 4, limit: Infinity },
    holdS: 2,
    expires: 600,
    settleS: 3,
    threads: cpus().length,
    generators: 'thread',
    sutProcesses: 0,
    pool: 0,
    callShare: 0,
    callHoldMs: 0,
    floodRate: 0,
    baselineS: 0,
    halfOpenS: 0,
    held: DEFAULT_HELD,
    command: 'bench/load.bench.ts',
    ...over,
  }
}

/** The highest rate of RATES at which WSS registrations had under 0.1 % failures and kept up with the arrivals. */
async function wssRateSearch(label: string, profileFile: string | undefined): Promise<void> {
  const loaded = loadProfile(profileFile)
  let best: { rate: number; report: LoadReport } | undefined
  let stopped = ''
  for (const rate of RATES) {
    const report = await runLoad(loaded, options({ plan: { rate, rampS: 1, durationS: 4, limit: Infinity } }))
    const reg = report.totals.register
    const con = report.totals.connect
    const failures = Object.values({ ...reg?.failures, ...con?.failures }).reduce((a, b) => a + b, 0)
    const planned = rate * (4 - 0.5)
    const ended = (reg?.successes ?? 0) + failures
    const ratio = ended === 0 ? 1 : failures / ended
    if (ratio >= 0.001 || (reg?.successes ?? 0) < 0.95 * planned) {
      const reasons = Object.entries({ ...con?.failures, ...reg?.failures }).map(([k, n]) => `${n} × ${k}`)
      stopped = `at ${rate}/s: ${reg?.successes ?? 0} of ${Math.round(planned)} registered, ${(ratio * 100).toFixed(2)} % failed${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`
      break
    }
    best = { rate, report }
  }
  if (best === undefined) {
    out(`WSS registrations through ${label}: no rate of ${RATES.join(', ')}/s held (${stopped})`)
    return
  }
  const reg = best.report.totals.register!
  out(
    `WSS registrations through ${label}: ${best.rate}/s held with under 0.1 % failures (connect + digest REGISTER, 401, REGISTER, 200), ` +
      `p99 register ${reg.latency.p99.toFixed(1)} ms, p99 connect ${best.report.totals.connect?.latency.p99.toFixed(1)} ms` +
      (stopped ? `; the next rate did not (${stopped})` : `; the highest rate tried`),
  )
}

async function perWic(): Promise<void> {
  const loaded = loadProfile(undefined)
  const report = await runLoad(
    loaded,
    options({
      plan: { rate: 200, rampS: 1, durationS: WICS / 200 + 1, limit: WICS },
      holdS: Infinity,
      heapProbe: true,
    }),
  )
  const heap = report.heap
  const regs = report.totals.register?.successes ?? 0
  const us = (pct: number) => pct * 10_000 * report.durationS
  if (heap === undefined || regs === 0) {
    out('per WIC: not measured (no registration)')
    return
  }
  const n = Math.max(1, heap.end.registered)
  const kib = (bytes: number) => (bytes / 1024 / n).toFixed(1)
  const gc =
    (globalThis as { gc?: unknown }).gc === undefined
      ? ' (run without --expose-gc: heaps include garbage)'
      : ''
  out(
    `per registered WIC (${heap.end.registered} held through the reference)${gc}: heap ${kib(heap.end.generators - heap.before.generators)} KiB in the generator (WIC side), ` +
      `${kib(heap.end.main - heap.before.main)} KiB in the reference eP-CSCF (main thread), ${kib(heap.end.core - heap.before.core)} KiB in the mock core; ` +
      `CPU per registration (WSS connect included) ${(us(report.cpu.generators) / regs / 1000).toFixed(2)} ms generator, ` +
      `${(us(report.cpu.main) / regs / 1000).toFixed(2)} ms eP-CSCF, ${(us(report.cpu.core) / regs / 1000).toFixed(2)} ms mock core`,
  )
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** BENCH_LOAD_ONLY=udp|wss|wic runs one part (default all). */
const only = process.env.BENCH_LOAD_ONLY
if (only === undefined || only === 'udp') await udpSideBySide()
if (only === undefined || only === 'wss') {
  await wssRateSearch('the reference eP-CSCF', undefined)
  if (spawnSync('kamailio', ['-v']).error === undefined && existsSync('profiles/kamailio-process.yaml'))
    await wssRateSearch('Kamailio (profiles/kamailio-process.yaml)', 'profiles/kamailio-process.yaml')
  else out('WSS registrations through Kamailio: kamailio not installed, skipped')
}
if (only === undefined || only === 'wic') await perWic()
process.exit(0)
