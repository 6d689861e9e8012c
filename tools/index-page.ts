/**
 * `reports/index.html`: the page a vendor or an SA3 reviewer opens first. It names the system under test, the
 * profile, its launcher and any fault or variant switches, counts the verdicts, and lists every scenario with its
 * verdict, the requirement that decided it, why, and a link to its evidence folder (ladder, trace, pcap, verdict);
 * a scenario that failed shows its ladder in the page.
 */
import { writeFileSync } from 'node:fs'
import { describeRequirement } from '../support/checks/requirement.ts'
import { describeFinding, type VerdictKind } from '../support/checks/verdict.ts'
import { escapeXml as html } from '../support/trace/ladder-svg.ts'
import { isFailure, type RunError, type ScenarioResult } from './scenario-results.ts'
import { scenarioKey } from './evidence-export.ts'
import { VERDICT_COLOURS } from '../support/trace/verdict-colours.ts'

export interface RunHeader {
  readonly sut: string
  readonly launcher: string
  readonly profileFile: string | undefined
  readonly switches: readonly string[]
  readonly wssUrl: string
  readonly arguments: readonly string[]
  readonly startedAt: Date
}

export const COLOURS: Readonly<Record<VerdictKind, string>> = VERDICT_COLOURS

/** A failed scenario's ladder, shown in the page (no click needed), linked to the full-size SVG. */
function ladderImage(folder: string, name: string): string {
  const src = html(`${folder}/ladder.svg`)
  return `<a href="${src}"><img src="${src}" alt="${html(`ladder of ${name}`)}" style="max-width:60em;width:100%"></a>`
}

export function indexPage(
  header: RunHeader,
  results: readonly ScenarioResult[],
  runErrors: readonly RunError[],
  folders: ReadonlyMap<string, string>,
): string {
  const kinds = Object.keys(COLOURS) as VerdictKind[]
  const counts = kinds
    .map((k) => [k, results.filter((r) => r.verdict.verdict === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `<span style="color:${COLOURS[k]}">${n} ${k}</span>`)
    .join(', ')
  const rows = results.map((r) => {
    const v = r.verdict
    const folder = folders.get(scenarioKey(r))
    const why = [v.message, ...v.findings.map(describeFinding)].filter((t) => t !== '').join('\n')
    return (
      `<tr><td style="color:${COLOURS[v.verdict]};font-weight:bold">${v.verdict}</td>` +
      `<td>${html(r.name)}<br><small>${html(r.feature)}${r.line ? `:${r.line}` : ''} ${html(r.tags.join(' '))}</small></td>` +
      `<td>${v.requirement ? html(describeRequirement(v.requirement)) : ''}</td>` +
      `<td><pre>${html(why)}</pre>${folder && isFailure(v.verdict) ? ladderImage(folder, r.name) : ''}</td>` +
      `<td>${folder ? `<a href="${html(folder)}/">evidence</a> · <a href="${html(folder)}/ladder.svg">ladder</a>` : ''}</td></tr>`
    )
  })
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eP-CSCF conformance: ${html(header.sut)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}pre{margin:0;white-space:pre-wrap;max-width:60em}</style>
</head><body>
<h1>eP-CSCF conformance: ${html(header.sut)}</h1>
<p>System under test <b>${html(header.sut)}</b> (${html(header.launcher)}) at <code>${html(header.wssUrl)}</code>;
profile ${header.profileFile ? `<code>${html(header.profileFile)}</code>` : 'built-in'}${header.switches.length ? `; switches <code>${html(header.switches.join(', '))}</code>` : ''};
arguments <code>${html(header.arguments.join(' ') || '(none)')}</code>; started ${header.startedAt.toISOString()}.</p>
<p>${results.length} scenarios: ${counts || 'none ran'}.</p>
${runErrors.map((e) => `<p style="color:${COLOURS[e.verdict]}"><b>${e.verdict}</b> (${html(e.errorClass)}): ${html(e.message)}</p>`).join('\n')}
<p>Also: <a href="conformance.html">conformance page</a> · <a href="conformance-matrix.md">conformance matrix</a> · <a href="junit.xml">JUnit</a> · <a href="cucumber.html">cucumber report</a> · <a href="messages.ndjson">messages</a></p>
<table><tr><th>verdict</th><th>scenario</th><th>requirement</th><th>why</th><th>evidence</th></tr>
${rows.join('\n')}
</table></body></html>
`
}

export function writeIndexPage(
  file: string,
  header: RunHeader,
  results: readonly ScenarioResult[],
  runErrors: readonly RunError[],
  folders: ReadonlyMap<string, string>,
): void {
  writeFileSync(file, indexPage(header, results, runErrors, folders))
}
