/**
 * `reports/conformance.html`: the conformance page an SA3 reviewer can cite. It renders the model of
 * tools/conformance-matrix.ts (the same rows as conformance-matrix.md) with what a citation needs: the system under
 * test, its profile and switches, the date, the filter of the run (tags, names, paths) and the harness version;
 * every requirement of the catalogue with its verdict, "not run (filtered)", "aborted" or "no scenario yet"; and per
 * SA3 aspect the attacks (@security scenarios) and checks behind it, each linked to its evidence folder. Static HTML:
 * no script, every text escaped.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { describeRequirement } from '../support/checks/requirement.ts'
import { VERDICT_KINDS } from '../support/checks/verdict.ts'
import { escapeXml as html } from '../support/trace/ladder-svg.ts'
import { type ConformanceModel, isAttack, type MatrixRow } from './conformance-matrix.ts'
import type { RunFilter } from './feature-paths.ts'
import { COLOURS, type RunHeader } from './index-page.ts'
import type { ScenarioResult } from './scenario-results.ts'
import { scenarioKey } from './evidence-export.ts'

export interface ConformancePageHeader extends RunHeader {
  readonly filter: RunFilter
  /** `epcscf-harness 0.1.0 (git 1a2b3c4)`: see harnessVersion. */
  readonly version: string
}

/** The harness's name and version from package.json, and the git commit when the checkout has one. */
export function harnessVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string
    version: string
  }
  const git = spawnSync('git', ['describe', '--always', '--dirty'], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 5000,
  })
  const commit = git.status === 0 ? git.stdout.trim() : ''
  return `${pkg.name} ${pkg.version}${commit ? ` (git ${commit})` : ''}`
}

const STATUS_COLOURS: Record<string, string> = {
  FAIL: COLOURS.FAIL,
  pass: COLOURS.PASS,
  'pass (WARN)': COLOURS.WARN,
  inconclusive: COLOURS.INCONCLUSIVE,
}

function status(row: MatrixRow): string {
  const colour = STATUS_COLOURS[row.status] ?? '#57606a'
  return `<span class="status" style="color:${colour}">${html(row.status)}</span>`
}

function filterText(filter: RunFilter): string {
  const parts = [
    ...filter.tags.map((t) => `tags <code>${html(t)}</code>`),
    ...filter.names.map((n) => `name <code>${html(n)}</code>`),
    ...filter.paths.map((p) => `path <code>${html(p)}</code>`),
  ]
  return parts.length > 0 ? parts.join('; ') : 'none: every scenario of <code>features/</code>'
}

/** One scenario: its verdict, name linked to its evidence folder, the requirement that decided it, and why. */
function scenarioItem(r: ScenarioResult, folders: ReadonlyMap<string, string>): string {
  const v = r.verdict
  const folder = folders.get(scenarioKey(r))
  const name = folder ? `<a href="${html(folder)}/">${html(r.name)}</a>` : html(r.name)
  const ladder = folder ? ` (<a href="${html(folder)}/ladder.svg">ladder</a>)` : ''
  const requirement = v.requirement ? ` [${html(describeRequirement(v.requirement))}]` : ''
  const why = v.message ? `<br><small>${html(v.message.split('\n')[0] ?? '')}</small>` : ''
  return (
    `<li><b style="color:${COLOURS[v.verdict]}">${v.verdict}</b> ${name}${ladder}${requirement}` +
    ` <small>${html(r.feature)}${r.line ? `:${r.line}` : ''}</small>${why}</li>`
  )
}

function aspectSection(row: MatrixRow, folders: ReadonlyMap<string, string>): string {
  const attacks = row.scenarios.filter(isAttack)
  const checks = row.scenarios.filter((r) => !isAttack(r))
  const list = (title: string, items: readonly ScenarioResult[]) =>
    items.length === 0
      ? ''
      : `<h4>${title} (${items.length})</h4><ul>${items.map((r) => scenarioItem(r, folders)).join('')}</ul>`
  return (
    `<section><h3>${html(row.key)}: ${status(row)}</h3>` +
    `<p><small>scenarios tagged ${row.tags.map((t) => `<code>${html(t)}</code>`).join(' ')}</small></p>` +
    list('attacks', attacks) +
    list('checks', checks) +
    '</section>'
  )
}

function requirementRow(row: MatrixRow, folders: ReadonlyMap<string, string>): string {
  const scenarios = row.scenarios.map((r) => scenarioItem(r, folders)).join('')
  return (
    `<tr id="${html(row.key)}"><td>${html(row.key)}</td><td>${html(row.title)}</td><td>${status(row)}</td>` +
    `<td>${scenarios ? `<ul>${scenarios}</ul>` : ''}</td></tr>`
  )
}

/** The page, from the model of the run, its header and the evidence folder of each scenario (by name). */
export function conformancePage(
  model: ConformanceModel,
  header: ConformancePageHeader,
  folders: ReadonlyMap<string, string>,
): string {
  const counts = VERDICT_KINDS.map((v, i) => [v, model.counts[i] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `<span style="color:${COLOURS[v]}">${n} ${v}</span>`)
    .join(', ')
  const switches = header.switches.length ? `; switches <code>${html(header.switches.join(', '))}</code>` : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eP-CSCF conformance: ${html(model.sut)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}ul{margin:0;padding-left:1.2em}.status{font-weight:bold}section{margin-bottom:1.5em}</style>
</head><body>
<h1>eP-CSCF conformance: ${html(model.sut)}</h1>
<table>
<tr><th>system under test</th><td><b>${html(header.sut)}</b> (${html(header.launcher)}) at <code>${html(header.wssUrl)}</code></td></tr>
<tr><th>profile</th><td>${header.profileFile ? `<code>${html(header.profileFile)}</code>` : 'built-in (the reference eP-CSCF)'}${switches}</td></tr>
<tr><th>date</th><td>${header.startedAt.toISOString()}</td></tr>
<tr><th>filter</th><td>${filterText(header.filter)}</td></tr>
<tr><th>harness</th><td>${html(header.version)}</td></tr>
</table>
<p>${model.scenarios.length} scenarios: ${counts || 'none ran'}.</p>
${model.runErrors.map((e) => `<p style="color:${COLOURS[e.verdict]}"><b>${e.verdict}</b> (${html(e.errorClass)}): ${html(e.message)}</p>`).join('\n')}
<p><small>A verdict is FAIL only when a scenario showed the system under test non-conformant; "not judged (error)" when
an error of the environment or the harness hid the answer; "aborted" when its scenarios were selected but the run ended
before them; "not run (filtered)" when the run's filter left its scenarios out; "no scenario yet" when the suite has
none. Evidence: each scenario's folder holds its verdict, ladder, SIP trace and pcap.</small></p>
<p>Also: <a href="index.html">all scenarios</a> · <a href="conformance-matrix.md">the same matrix in Markdown</a> · <a href="junit.xml">JUnit</a></p>
<h2>SA3 security aspects (TR 23.701 editor's note)</h2>
${model.aspects.map((row) => aspectSection(row, folders)).join('\n')}
<h2>Requirements (docs/requirements-catalogue.md)</h2>
<table><tr><th>id</th><th>requirement</th><th>verdict</th><th>scenarios</th></tr>
${model.requirements.map((row) => requirementRow(row, folders)).join('\n')}
</table>
<h2>Clauses (3GPP, RFC and TR 23.701 tags)</h2>
<table><tr><th>clause</th><th>verdict</th><th>scenarios</th></tr>
${model.clauses.map((row) => `<tr><td>${html(row.key)}</td><td>${status(row)}</td><td>${row.scenarios.length}</td></tr>`).join('\n')}
</table>
</body></html>
`
}

/** Writes `<reports>/conformance.html`; returns the file. */
export function writeConformancePage(
  reportsDir: string,
  model: ConformanceModel,
  header: ConformancePageHeader,
  folders: ReadonlyMap<string, string>,
): string {
  const file = `${reportsDir}/conformance.html`
  writeFileSync(file, conformancePage(model, header, folders))
  return file
}
