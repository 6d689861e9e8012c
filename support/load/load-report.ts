import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FloodVerdict } from './flood-verdict.ts'
import type { TransactionType } from './load-config.ts'
import type { CpuPercent, Occupancy, SecondRow, TypeTotals } from './load-stats.ts'
import { esc, lineChart, type Line } from './svg-chart.ts'

/** Everything a load run reports (`load-report.json`); the HTML page shows the same. */
export interface LoadReport {
  readonly sut: string
  readonly workload: string
  readonly command: string
  readonly startedAt: string
  readonly durationS: number
  readonly interrupted: boolean
  readonly machine: {
    readonly cpus: number
    readonly model: string
    readonly memoryGiB: number
    readonly node: string
  }
  /** The run's process id and its generator processes' (none when the generators are threads). */
  readonly processes: { readonly run: number; readonly generators: readonly number[] }
  readonly settings: Readonly<Record<string, unknown>>
  readonly totals: Partial<Record<TransactionType, TypeTotals>>
  readonly phases: Record<string, Partial<Record<TransactionType, TypeTotals>>>
  /** Peaks; `lagMs`: how late the generators fired an arrival at worst (they could not keep the rate). */
  readonly peak: Occupancy
  /** CPU over the run in % of one core, and the mock core's share of the harness process's CPU. */
  readonly cpu: CpuPercent & { readonly coreShare: number }
  readonly flood?: FloodVerdict | undefined
  /** Heaps before the arrivals and at the end (with `heapProbe`): what each registered WIC costs. */
  readonly heap?: { readonly before: HeapSample; readonly end: HeapSample } | undefined
  readonly series: readonly SecondRow[]
}

/** Heap in use of each part, bytes, with the WICs registered and the core's bindings at that moment. */
export interface HeapSample {
  readonly generators: number
  readonly main: number
  readonly core: number
  readonly registered: number
  readonly bindings: number
}

const COLOURS: Record<TransactionType, string> = {
  connect: '#7f7f7f',
  register: '#1f77b4',
  refresh: '#17becf',
  invite: '#2ca02c',
  bye: '#bcbd22',
  'flood-origin': '#d62728',
  'flood-register': '#ff7f0e',
  'flood-half-open': '#9467bd',
}

/** Writes `load-report.json` and `load-report.html` into `dir`; returns their paths. */
export function writeLoadReport(dir: string, report: LoadReport): { json: string; html: string } {
  mkdirSync(dir, { recursive: true })
  const json = join(dir, 'load-report.json')
  const html = join(dir, 'load-report.html')
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(html, loadPage(report))
  return { json, html }
}

/** The table of transaction types, as console text. */
export function totalsText(totals: LoadReport['totals']): string {
  const rows = [['type', 'attempts', 'ok', 'failed', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']]
  for (const [type, t] of Object.entries(totals) as [TransactionType, TypeTotals][]) {
    const failed = Object.values(t.failures).reduce((a, b) => a + b, 0)
    const l = t.latency
    rows.push([type, t.attempts, t.successes, failed, t.throughput, l.p50, l.p95, l.p99, l.max].map(String))
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const lines = rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
  )
  const reasons = (Object.entries(totals) as [TransactionType, TypeTotals][]).flatMap(([type, t]) =>
    Object.entries(t.failures).map(([reason, n]) => `  ${type}: ${n} × ${reason}`),
  )
  return [...lines, ...(reasons.length > 0 ? ['failures by reason:', ...reasons] : [])].join('\n')
}

function loadPage(r: LoadReport): string {
  const types = Object.keys(r.totals) as TransactionType[]
  const series = r.series
  const perType = (
    pick: (row: SecondRow) => Partial<Record<TransactionType, number>>,
    dashed = false,
  ): Line[] =>
    types.map((type) => ({
      name: type,
      colour: COLOURS[type],
      dashed,
      points: series.map((row) => [row.t + 1, pick(row)[type]] as const),
    }))
  const rate = lineChart('Successful transactions per second', 'per second', [
    ...perType((row) => fill(row.successes, types)),
    {
      name: 'target arrivals',
      colour: '#000',
      dashed: true,
      points: series.map((row) => [row.t + 1, row.target]),
    },
  ])
  const failures = lineChart(
    'Failures per second',
    'per second',
    perType((row) => fill(row.failures, types)),
  )
  const p99 = lineChart(
    'Latency p99 per second',
    'ms',
    perType((row) => row.p99),
  )
  const p50 = lineChart(
    'Latency p50 per second',
    'ms',
    perType((row) => row.p50),
  )
  const gauges = lineChart('Connections', 'count', [
    { name: 'registered WICs', colour: '#1f77b4', points: series.map((row) => [row.t + 1, row.registered]) },
    { name: 'open WebSockets', colour: '#7f7f7f', points: series.map((row) => [row.t + 1, row.open]) },
    { name: 'half-open TLS', colour: '#9467bd', points: series.map((row) => [row.t + 1, row.halfOpen]) },
  ])
  const cpu = lineChart('CPU (% of one core)', '%', [
    { name: 'mock core thread', colour: '#d62728', points: series.map((row) => [row.t + 1, row.cpu.core]) },
    {
      name: 'generators',
      colour: '#2ca02c',
      points: series.map((row) => [row.t + 1, row.cpu.generators]),
    },
    {
      name: 'main (SUT if embedded)',
      colour: '#1f77b4',
      points: series.map((row) => [row.t + 1, row.cpu.main]),
    },
    {
      name: 'machine (all cores)',
      colour: '#000',
      dashed: true,
      points: series.map((row) => [row.t + 1, row.cpu.machine]),
    },
  ])
  const table = (totals: LoadReport['totals']) =>
    `<table><tr><th>type</th><th>attempts</th><th>ok</th><th>failures by reason</th><th>per s</th><th>p50</th><th>p95</th><th>p99</th><th>max (ms)</th></tr>${(
      Object.entries(totals) as [TransactionType, TypeTotals][]
    )
      .map(
        ([type, t]) =>
          `<tr><td>${type}</td><td>${t.attempts}</td><td>${t.successes}</td><td>${esc(
            Object.entries(t.failures)
              .map(([k, n]) => `${n} × ${k}`)
              .join(', ') || '0',
          )}</td><td>${t.throughput}</td><td>${t.latency.p50}</td><td>${t.latency.p95}</td><td>${t.latency.p99}</td><td>${t.latency.max}</td></tr>`,
      )
      .join('')}</table>`
  const phases = Object.entries(r.phases)
    .map(([phase, totals]) => `<h3>phase ${esc(phase)}</h3>${table(totals)}`)
    .join('')
  return `<!doctype html><html><head><meta charset="utf-8"><title>Load: ${esc(r.workload)} against ${esc(r.sut)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.held{color:#070;font-weight:bold}.not{color:#a00;font-weight:bold}</style></head><body>
<h1>Load: ${esc(r.workload)} against ${esc(r.sut)}</h1>
<p>${esc(r.command)}<br>started ${esc(r.startedAt)}, ${r.durationS} s${r.interrupted ? ' (interrupted)' : ''}; machine ${r.machine.cpus} cores (${esc(r.machine.model)}), ${r.machine.memoryGiB} GiB, Node ${esc(r.machine.node)}</p>
${r.flood ? `<p class="${r.flood.held ? 'held' : 'not'}">Flood: ${esc(r.flood.text)}</p>` : ''}
<p>Peak: ${r.peak.registered} registered WICs, ${r.peak.open} open WebSockets, ${r.peak.halfOpen} half-open TLS connections; the generators fired arrivals at most ${r.peak.lagMs} ms late.
CPU over the run (% of one core): mock core ${r.cpu.core}, generators ${r.cpu.generators}, main thread ${r.cpu.main}, machine ${r.cpu.machine} (of ${r.machine.cpus * 100});
the mock core used ${(r.cpu.coreShare * 100).toFixed(1)} % of the harness process's CPU.</p>
<h2>Totals</h2>${table(r.totals)}${phases}
<h2>Over time</h2>${rate}${p99}${p50}${failures}${gauges}${cpu}
<h2>Settings</h2><pre>${esc(JSON.stringify(r.settings, null, 2))}</pre>
</body></html>
`
}

/** Zero for the types that had nothing in a second (a rate line drops to 0 rather than breaking). */
function fill(values: Partial<Record<TransactionType, number>>, types: readonly TransactionType[]) {
  const out: Partial<Record<TransactionType, number>> = {}
  for (const type of types) out[type] = values[type] ?? 0
  return out
}
