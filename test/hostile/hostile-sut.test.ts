/**
 * Issue 7: the harness survives any system under test. Each hostile eP-CSCF (hostile-sut.ts) is run against with
 * `npm start` as a user would (an external profile, one scenario), and the test asserts the verdict kind (error
 * class), a time bound, the cucumber process's peak memory, the size of the reports, and that nothing outlives the
 * run (the cucumber process, the mock S-CSCF's port, the run registry). The measured figures are printed as test
 * diagnostics. HOSTILE_FLOOD_MS sets the flood (60 s by default, the goal).
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it, type TestContext } from 'node:test'
import { mintTestPki, type TestPki } from '../../support/pki/test-pki.ts'
import {
  externalProfile,
  HOSTILE_PORTS,
  MiB,
  nothingOutlives,
  portFreeWithin,
  runHarness,
  type HarnessRun,
} from './harness-run.ts'
import { startHostileSut, type Hostility } from './hostile-sut.ts'

const FLOOD_MS = Number(process.env.HOSTILE_FLOOD_MS ?? 60_000)
const SCENARIO = 'registration answering an MD5 challenge'
/** The flood spans two scenarios: a step may not wait 60 s (cucumber's backstop, support/world/hooks.ts). */
const FLOOD_SCENARIOS = [
  'registration answering an MD5 challenge',
  'registration answering a SHA-256 challenge',
]

interface Case {
  readonly hostility: Hostility
  readonly verdict: string
  readonly errorClasses: readonly string[]
  /** What the message must say (the precise verdict). */
  readonly says: RegExp
  readonly maxMs: number
  readonly maxRssBytes: number
  readonly maxReportBytes: number
  /** The scenarios run (by default SCENARIO alone); each must get the verdict. */
  readonly scenarios?: readonly string[]
  /** The profile's answer deadline (2 s by default) and extra lines. */
  readonly profile?: { readonly waitMs?: number; readonly extra?: string }
}

const CASES: readonly Case[] = [
  {
    hostility: 'silent',
    verdict: 'INCONCLUSIVE',
    errorClasses: ['NoAnswer', 'TransactionTimeout', 'PreconditionFailed'],
    says: /nothing arrived|no final response|within/,
    maxMs: 60_000,
    maxRssBytes: 400 * MiB,
    maxReportBytes: 5 * MiB,
  },
  {
    hostility: 'garbage',
    verdict: 'INCONCLUSIVE',
    errorClasses: ['NoAnswer', 'TransactionTimeout', 'PreconditionFailed'],
    says: /unparseable/,
    maxMs: 60_000,
    maxRssBytes: 400 * MiB,
    maxReportBytes: 5 * MiB,
  },
  {
    hostility: 'huge-frame',
    verdict: 'FAIL',
    errorClasses: ['OversizeMessage'],
    says: /sent a WebSocket message of 100,000,000 bytes \(95\.4 MiB\); the limit is 1,048,576 bytes/,
    maxMs: 60_000,
    maxRssBytes: 400 * MiB,
    maxReportBytes: 5 * MiB,
  },
  {
    hostility: 'close-mid-transaction',
    verdict: 'INCONCLUSIVE',
    errorClasses: ['TransportClosed', 'PreconditionFailed'],
    says: /closed/,
    maxMs: 60_000,
    maxRssBytes: 400 * MiB,
    maxReportBytes: 5 * MiB,
  },
  {
    hostility: 'dies',
    verdict: 'ENVIRONMENT ERROR',
    errorClasses: ['SutUnreachable'],
    says: /SUT_UNREACHABLE: the external system under test "hostile-dies" at 127\.0\.0\.1:\d+ did not complete a TLS handshake/,
    maxMs: 60_000,
    maxRssBytes: 400 * MiB,
    maxReportBytes: 5 * MiB,
  },
  {
    // The flood lasts FLOOD_MS from the first connection, over two scenarios that each await an answer for half
    // of it (waitMs; Timer F is 32 s).
    hostility: 'flood',
    scenarios: FLOOD_SCENARIOS,
    verdict: 'INCONCLUSIVE',
    errorClasses: ['NoAnswer', 'TransactionTimeout', 'PreconditionFailed'],
    says: /NOTIFY|dropped/,
    maxMs: FLOOD_MS + 60_000,
    // The cucumber process's heaps are capped (tools/cucumber-run.ts); its RSS under a 60 s flood of about 1 GB
    // was 447–655 MiB across runs on this 2-core machine (the allocator's share varies), and 1.2 GiB without the cap.
    maxRssBytes: 768 * MiB,
    maxReportBytes: 20 * MiB,
    profile: { waitMs: Math.ceil(FLOOD_MS / 2) },
  },
]

void describe('the harness against hostile eP-CSCFs (issue 7)', { timeout: FLOOD_MS + 10 * 60_000 }, () => {
  let dir: string
  let pki: TestPki
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-'))
    pki = await mintTestPki({ dir: join(dir, 'pki'), hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] })
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  for (const c of CASES) {
    void it(`${c.hostility}: ${c.verdict} (${c.errorClasses.join(' | ')}) in bounded time, memory and reports`, async (t) => {
      const port = HOSTILE_PORTS.scscf
      assert.ok(await portFreeWithin(port), `port ${port} (mock S-CSCF) is free before the run`)
      const sut = await startHostileSut(c.hostility, pki.server, { floodMs: FLOOD_MS })
      const runDir = join(dir, c.hostility)
      let run: HarnessRun
      try {
        run = await runHarness({
          dir: runDir,
          profile: externalProfile(`hostile-${c.hostility}`, sut.port, join(dir, 'pki', 'ca.crt'), c.profile),
          args: ['--parallel', '1', '--name', `^(${(c.scenarios ?? [SCENARIO]).join('|')})$`],
        })
      } finally {
        await sut.close()
      }
      report(t, c.hostility, run, sut.sent)
      for (const scenario of c.scenarios ?? [SCENARIO]) {
        const verdict = run.verdicts.find((v) => v.scenario === scenario)
        assert.ok(verdict, `no verdict for "${scenario}":\n${run.output.slice(-3000)}`)
        assert.equal(verdict.verdict, c.verdict, verdict.message)
        assert.ok(
          c.errorClasses.includes(verdict.errorClass ?? ''),
          `${verdict.errorClass}: ${verdict.message}`,
        )
        assert.match(verdict.message, c.says)
      }
      assert.ok(run.ms < c.maxMs, `took ${run.ms} ms`)
      assert.ok(run.peakRssBytes > 0, 'the memory of the cucumber process was sampled')
      assert.ok(run.peakRssBytes < c.maxRssBytes, `peak RSS ${mib(run.peakRssBytes)}`)
      assert.ok(run.reportBytes < c.maxReportBytes, `reports ${mib(run.reportBytes)}`)
      await nothingOutlives(run, join(runDir, 'harness'))
    })
  }
})

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`
}

function report(
  t: TestContext,
  what: string,
  run: HarnessRun,
  sent: { bytes: number; messages: number },
): void {
  t.diagnostic(
    `${what}: exit ${run.code}, ${run.ms} ms, cucumber peak RSS ${mib(run.peakRssBytes)}, reports ` +
      `${mib(run.reportBytes)} (largest ${run.largestReport.name.split('/').pop()} ${mib(run.largestReport.bytes)}), ` +
      `the SUT sent ${sent.messages} messages / ${mib(sent.bytes)}; verdicts: ` +
      run.verdicts.map((v) => `${v.verdict} ${v.errorClass ?? ''}`).join(', '),
  )
}
