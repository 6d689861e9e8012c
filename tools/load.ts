/**
 * `npm run load -- [options]`: N WICs over WSS through the eP-CSCF the profile describes (default the embedded
 * reference) against the mock core, at an open-loop arrival rate with ramp-up; a progress line per second, and at
 * the end load-report.json and load-report.html (rate, latency, connections and CPU over time). Exit codes:
 * 0 the run completed (and a flood was held), 1 a flood was not held or failures exceeded --max-failure-pct,
 * 2 the command line or the profile is wrong, 3 the environment failed or the run was interrupted (Ctrl-C).
 */
import { HarnessError, ProfileError } from '../support/errors.ts'
import { DEFAULT_HELD } from '../support/load/flood-verdict.ts'
import { WORKLOADS, type LoadAuth, type Workload } from '../support/load/load-config.ts'
import { totalsText, writeLoadReport } from '../support/load/load-report.ts'
import type { GeneratorKind } from '../support/load/generator-channel.ts'
import { DEFAULT_THREADS, runLoad, type LoadOptions } from '../support/load/run-load.ts'
import { LoadEnvironment } from '../support/load/load-environment.ts'
import { openFilesWarning } from '../support/load/open-files.ts'
import { loadProfile, type LoadedProfile } from '../support/profile/load-profile.ts'

const USAGE = `usage: npm run load -- [options]
  --profile FILE       SUT profile (default: HARNESS_PROFILE, else the embedded reference eP-CSCF)
  --port-base N        move every port at once (as npm start)
  --workload W         register | call | mixed | flood (default register)
  --auth A             digest | token (default digest; token: the WWSF's JWT, no challenge)
  --rate R             arrivals per second at full rate (default 50): new WICs, or calls for 'call'
  --ramp S             seconds of linear ramp-up to the rate (default 5)
  --duration S         seconds of arrivals (default 20)
  --wics N             stop arrivals after N (default: no limit)
  --hold S             seconds each WIC stays registered (default: to the end of the run)
  --expires S          Contact expires asked for; refreshes at half the granted value (default 600)
  --settle S           seconds after the last arrival before stopping (default 3)
  --threads N          generators (default ${DEFAULT_THREADS})
  --generators K       thread | process: generators as threads of this process (default) or processes of their own
  --sut-processes N    run the embedded reference eP-CSCF in N processes sharing its WSS port (default 0: in this
                       process); for more WICs than one process's open-file limit holds
  --pool N             'call': WICs registered before the calls start (default 20)
  --call-share F       'mixed': share of arrivals that are calls (default 0.5)
  --call-hold-ms MS    milliseconds between ACK and BYE (default 0)
  --flood-rate R       'flood': attacks per second (bad Origin, unauthenticated REGISTER, half-open TLS in turn; default 30)
  --baseline S         'flood': seconds without attack first, the baseline (default a third of --duration)
  --half-open-s S      'flood': seconds each half-open connection is held (default 10)
  --held-drop P        'flood': largest drop of the success ratio, percentage points (default ${DEFAULT_HELD.maxSuccessDropPct})
  --held-p99-factor F  'flood': largest p99 as a multiple of the baseline's (default ${DEFAULT_HELD.maxP99Factor}; or +${DEFAULT_HELD.p99SlackMs} ms)
  --wait-ms MS         deadline of each transaction and handshake (default the profile's waitMs)
  --max-failure-pct P  exit 1 when more than P % of the transactions failed (default: not checked)
  --reports DIR        where load-report.json and load-report.html go (default reports/load)
  --serve              start only the SUT and the mock core (with --users N load users, default 10000) until Ctrl-C,
                       for another generator (Artillery: load/artillery/register.yml)
  --users N            load users in the mock HSS for --serve`

interface Cli {
  profile: string | undefined
  waitMs: number | undefined
  /** --serve: the number of load users to serve, else undefined. */
  serve: number | undefined
  reports: string
  maxFailurePct: number | undefined
  options: Omit<LoadOptions, 'progress' | 'interrupt'>
}

function parse(argv: string[]): Cli | undefined {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return undefined
    if (arg === '--serve') {
      values.set('serve', 'yes')
      continue
    }
    if (!arg.startsWith('--')) throw new ProfileError(`unexpected argument ${arg}\n${USAGE}`)
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    const value = inline ?? argv[++i]
    if (value === undefined) throw new ProfileError(`--${name} needs a value\n${USAGE}`)
    values.set(name, value)
  }
  const known = new Set(USAGE.match(/--[a-z0-9-]+/g)!.map((s) => s.slice(2)))
  for (const name of values.keys())
    if (!known.has(name)) throw new ProfileError(`unknown option --${name}\n${USAGE}`)
  const num = (name: string, fallback: number, min = 0): number => {
    const text = values.get(name)
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isFinite(n) || n < min)
      throw new ProfileError(`--${name}: expected a number ≥ ${min}, got "${text}"`)
    return n
  }
  const workload = (values.get('workload') ?? 'register') as Workload
  if (!WORKLOADS.includes(workload))
    throw new ProfileError(`--workload: one of ${WORKLOADS.join(', ')}, got "${workload}"`)
  const auth = (values.get('auth') ?? 'digest') as LoadAuth
  if (auth !== 'digest' && auth !== 'token') throw new ProfileError(`--auth: digest or token, got "${auth}"`)
  const generators = (values.get('generators') ?? 'thread') as GeneratorKind
  if (generators !== 'thread' && generators !== 'process')
    throw new ProfileError(`--generators: thread or process, got "${generators}"`)
  const durationS = num('duration', 20, 1)
  if (values.has('port-base')) process.env.HARNESS_PORT_BASE = values.get('port-base')
  const maxFailure = values.get('max-failure-pct')
  return {
    profile: values.get('profile') ?? (process.env.HARNESS_PROFILE || undefined),
    waitMs: values.has('wait-ms') ? num('wait-ms', 4000, 1) : undefined,
    serve: values.has('serve') ? Math.round(num('users', 10_000, 1)) : undefined,
    reports: values.get('reports') ?? 'reports/load',
    maxFailurePct: maxFailure === undefined ? undefined : num('max-failure-pct', 0),
    options: {
      workload,
      auth,
      plan: {
        rate: num('rate', 50, 0.001),
        rampS: num('ramp', 5),
        durationS,
        limit: num('wics', Infinity, 1),
      },
      holdS: num('hold', Infinity, 0.001),
      expires: num('expires', 600, 1),
      settleS: num('settle', 3),
      threads: Math.round(num('threads', DEFAULT_THREADS, 1)),
      generators,
      sutProcesses: Math.round(num('sut-processes', 0)),
      pool: Math.round(num('pool', workload === 'call' ? 20 : 0)),
      callShare: num('call-share', 0.5),
      callHoldMs: num('call-hold-ms', 0),
      floodRate: num('flood-rate', 30),
      baselineS: num('baseline', Math.round(durationS / 3)),
      halfOpenS: num('half-open-s', 10),
      held: {
        maxSuccessDropPct: num('held-drop', DEFAULT_HELD.maxSuccessDropPct),
        maxP99Factor: num('held-p99-factor', DEFAULT_HELD.maxP99Factor),
        p99SlackMs: DEFAULT_HELD.p99SlackMs,
      },
      command: `npm run load -- ${argv.join(' ')}`.trim(),
    },
  }
}

async function main(argv: string[]): Promise<number> {
  const cli = parse(argv)
  if (cli === undefined) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const profileLoaded = loadProfile(cli.profile)
  if (cli.options.sutProcesses > 0 && profileLoaded.profile.launcher.kind !== 'reference')
    throw new ProfileError(
      `--sut-processes: only the embedded reference can be split over processes; the profile's launcher is ${profileLoaded.profile.launcher.kind}`,
    )
  const loaded =
    cli.waitMs === undefined
      ? profileLoaded
      : { ...profileLoaded, profile: { ...profileLoaded.profile, waitMs: cli.waitMs } }
  const out = (text: string) => process.stdout.write(`${text}\n`)
  if (cli.serve !== undefined) return serve(loaded, cli.serve, cli.options.sutProcesses, out)
  let interrupt: () => void = () => undefined
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve))
  const onSignal = (): void => {
    out('\ninterrupted: stopping the generators, the mock core and the SUT…')
    interrupt()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const { workload, plan, generators, threads, sutProcesses } = cli.options
  out(
    `load: ${workload} against "${loaded.profile.name}" (${loaded.profile.launcher.kind}), ${plan.rate}/s after a ${plan.rampS} s ramp for ${plan.durationS} s, ${threads} generator ${generators === 'thread' ? 'thread(s)' : 'process(es)'}${sutProcesses > 0 ? `, the reference in ${sutProcesses} processes` : ''}`,
  )
  const concurrent = Math.min(
    plan.limit,
    Math.ceil(plan.rate * (Number.isFinite(cli.options.holdS) ? cli.options.holdS : plan.durationS)),
  )
  const fds = openFilesWarning(concurrent + cli.options.pool, {
    generators: { kind: generators, count: threads },
    sut:
      loaded.profile.launcher.kind !== 'reference'
        ? 'elsewhere'
        : sutProcesses > 0
          ? { shards: sutProcesses }
          : 'embedded',
  })
  if (fds !== undefined) out(`WARNING ${fds}`)
  const report = await runLoad(loaded, {
    ...cli.options,
    progress: (line) => out(line),
    interrupt: interrupted,
  })
  const files = writeLoadReport(cli.reports, report)
  out(`\n${totalsText(report.totals)}`)
  out(
    `peak ${report.peak.registered} registered WICs; generators at most ${report.peak.lagMs} ms late; CPU (% of one core) mock core ${report.cpu.core}, generators ${report.cpu.generators}, main ${report.cpu.main}, machine ${report.cpu.machine}; mock core share of the harness CPU ${(report.cpu.coreShare * 100).toFixed(1)} %`,
  )
  if (report.flood) out(`flood: ${report.flood.text}`)
  out(`reports: ${files.html}, ${files.json}`)
  if (report.interrupted) return 3
  if (report.flood && !report.flood.held) return 1
  if (cli.maxFailurePct !== undefined) {
    const all = Object.values(report.totals)
    const failed = all.reduce((a, t) => a + Object.values(t.failures).reduce((x, y) => x + y, 0), 0)
    const ended = all.reduce((a, t) => a + t.successes, 0) + failed
    if (ended > 0 && (100 * failed) / ended > cli.maxFailurePct) {
      out(`failures ${((100 * failed) / ended).toFixed(3)} % exceed --max-failure-pct ${cli.maxFailurePct}`)
      return 1
    }
  }
  return 0
}

/** `--serve`: the SUT and the mock core with `users` load users, until Ctrl-C or SIGTERM. */
async function serve(
  loaded: LoadedProfile,
  users: number,
  sutProcesses: number,
  out: (text: string) => void,
): Promise<number> {
  const env = await LoadEnvironment.start(loaded, users, sutProcesses)
  const target = env.target('digest')
  out(`serving "${env.sut.name}" at ${target.url} (Origin ${target.origin}, CA ${env.pki.dir}/ca.crt)`)
  out(
    `mock core at ${loaded.profile.scscf.address}:${env.core.port} with load users load-0 … load-${users - 1}@${target.domain} (password load-<n>-secret)`,
  )
  out('Ctrl-C to stop')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await env.stop()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    const side = error instanceof HarnessError ? error.side : undefined
    process.exit(error instanceof ProfileError ? 2 : side === 'environment' || side === undefined ? 3 : 4)
  },
)
