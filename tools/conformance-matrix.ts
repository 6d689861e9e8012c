/**
 * The conformance / SA3 matrix of one run: which requirements, spec clauses and SA3 security aspects the scenarios
 * verified against this system under test, and with what verdict. Read from the scenario verdicts
 * (tools/scenario-results.ts) into one model (`conformanceModel`), written as Markdown next to the other reports and
 * as the HTML page an SA3 reviewer cites (tools/conformance-html.ts). A requirement or aspect is FAIL only
 * when a scenario showed the SUT non-conformant; an environment or harness error says "not judged", never FAIL.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { VERDICT_KINDS, type VerdictKind } from '../support/checks/verdict.ts'
import { describeRequirement } from '../support/checks/requirement.ts'
import type { RunError, ScenarioResult } from './scenario-results.ts'

/**
 * The aspects the SA3 editor's note of TR 23.701 asks SA3 to verify (docs/tr23701-example-procedures.txt), and the
 * scenario tags that bear on each. An aspect no scenario covers yet is listed as such, never left out.
 */
const SA3_ASPECTS: readonly { readonly aspect: string; readonly tags: readonly string[] }[] = [
  {
    aspect: 'the use of TLS, WSS and CORS at the relevant reference points',
    // TLS versions and certificate (tls.feature), Origin checks (@cors), the WebSocket version of the handshake (R05)
    // and WebSocket framing on W2 (R08, R09); not the subprotocol scenarios.
    tags: ['@tls', '@cors', '@R05', '@R08', '@R09'],
  },
  {
    aspect: 'the use of IMS digest, TNA, and/or other IMS authentication mechanisms',
    tags: ['@digest', '@TS33.203-N', '@TS33.203-U', '@TS33.203-P.4'],
  },
  {
    aspect: 'how to provide IMS digest authentication and registration information to the WIC',
    tags: ['@R24', '@R28', '@R20'],
  },
  {
    aspect: 'the potential use of a security token if the origin of the WWSF cannot be verified',
    tags: ['@token', '@R13'],
  },
  {
    aspect: 'the required trust relationships between functional entities',
    // Includes the trust-domain boundary for P-headers a WIC writes (R02 access info, R68 charging; issue 9 §6).
    tags: ['@R39', '@R40', '@R47', '@R49', '@R52', '@R02', '@R68'],
  },
  {
    aspect: 'the mechanisms used to verify the required trust relationships',
    tags: ['@RFC8725', '@R32', '@R36', '@R12'],
  },
  // Catalogue §5.6: visited network, trusted node, static eIMS-AGW address, no address leaks across the edge.
  // Routing over the Path or the flow (R15, R45, R57) is not a location constraint.
  {
    aspect: 'constraints on network locations of the functional entities',
    tags: ['@R17', '@R40', '@R62', '@R63', '@R67'],
  },
]

/** `R15` → `Path insertion.`, from the requirements catalogue's bold headings. */
export function requirementTitles(catalogue: string): Map<string, string> {
  const titles = new Map<string, string>()
  for (const match of catalogue.matchAll(/^\*\*(R\d\d) — ([^*]+)\*\*/gm))
    titles.set(`@${match[1]}`, (match[2] ?? '').replace(/\s+/g, ' ').trim())
  return titles
}

const HEADER = '| verdict | pass | warn | FAIL | inconclusive | env error | harness error | n/a | deviation |'
const RULE = '|---|---|---|---|---|---|---|---|---|'

/** One row of the matrix: an SA3 aspect, a requirement or a clause, the scenarios behind it and their verdict. */
export interface MatrixRow {
  /** `R15`, the aspect's text, or the clause (`RFC3327-4`). */
  readonly key: string
  /** The requirement's title from the catalogue; empty for aspects and clauses. */
  readonly title: string
  /** The scenario tags that bear on it. */
  readonly tags: readonly string[]
  /**
   * FAIL if any scenario failed; else "not judged (error)" if errors hid the answer; else inconclusive; else pass,
   * with WARN when a SHOULD was not met. A row without a finished scenario: "aborted" (its scenarios were selected
   * but the run ended first), "not run (filtered)" (scenarios exist, the run's filter left them out), or
   * "no scenario yet".
   */
  readonly status: string
  /** Scenarios per verdict, in the order of VERDICT_KINDS. */
  readonly counts: readonly number[]
  readonly scenarios: readonly ScenarioResult[]
}

/** The conformance matrix of one run as data: rendered as Markdown here and as HTML by conformance-html.ts. */
export interface ConformanceModel {
  readonly sut: string
  readonly counts: readonly number[]
  readonly runErrors: readonly RunError[]
  readonly aspects: readonly MatrixRow[]
  readonly requirements: readonly MatrixRow[]
  readonly clauses: readonly MatrixRow[]
  readonly scenarios: readonly ScenarioResult[]
}

export interface MatrixOptions {
  /** The run was limited (tags, names, paths): rows without scenarios say "not run (filtered)". */
  readonly filtered?: boolean
  readonly runErrors?: readonly RunError[]
  /**
   * Tags of every scenario in the feature files (tools/feature-paths.ts `featureTags`): a row none of whose tags is
   * among them has "no scenario yet", whatever the filter. Without it, `filtered` alone decides.
   */
  readonly available?: ReadonlySet<string>
  /** Tags of the scenarios cucumber selected that did not finish (an interrupted run, a failed BeforeAll). */
  readonly unfinished?: ReadonlySet<string>
}

const countsOf = (results: readonly ScenarioResult[]) =>
  VERDICT_KINDS.map((v) => results.filter((r) => r.verdict.verdict === v).length)

function status(counts: readonly number[], tags: readonly string[], options: MatrixOptions): string {
  if (counts.every((n) => n === 0)) {
    if (tags.some((t) => options.unfinished?.has(t))) return 'aborted'
    const exists = options.available === undefined || tags.some((t) => options.available?.has(t))
    if (!exists) return 'no scenario yet'
    if (options.filtered) return 'not run (filtered)'
    if (options.available !== undefined && (options.runErrors?.length ?? 0) > 0) return 'aborted'
    return options.available === undefined ? 'no scenario yet' : 'not run'
  }
  const count = (v: VerdictKind) => counts[VERDICT_KINDS.indexOf(v)] ?? 0
  const judged = count('PASS') + count('WARN')
  if (count('FAIL') > 0) return 'FAIL'
  if (count('ENVIRONMENT ERROR') + count('HARNESS ERROR') > 0) return 'not judged (error)'
  if (count('INCONCLUSIVE') > 0) return 'inconclusive'
  if (judged === 0) return 'not verified'
  if (count('WARN') > 0) return 'pass (WARN)'
  if (count('DEVIATION') + count('N/A') > 0) return 'partly verified'
  return 'pass'
}

/** The matrix as data, for any rendering. */
export function conformanceModel(
  results: readonly ScenarioResult[],
  sut: string,
  catalogue: string,
  options: MatrixOptions = {},
): ConformanceModel {
  const row = (key: string, title: string, tags: readonly string[]): MatrixRow => {
    const scenarios = results.filter((r) => r.tags.some((t) => tags.includes(t)))
    const counts = countsOf(scenarios)
    return { key, title, tags, status: status(counts, tags, options), counts, scenarios }
  }
  const titles = requirementTitles(catalogue)
  const clauseTags = [...new Set(results.flatMap((r) => r.tags))]
    .filter((t) => /^@(RFC|TS|X\.)/.test(t))
    .sort()
  return {
    sut,
    counts: countsOf(results),
    runErrors: options.runErrors ?? [],
    aspects: SA3_ASPECTS.map(({ aspect, tags }) => row(aspect, '', tags)),
    requirements: [...titles.keys()].sort().map((tag) => row(tag.slice(1), titles.get(tag) ?? '', [tag])),
    clauses: clauseTags.map((tag) => row(tag.slice(1), '', [tag])),
    scenarios: results,
  }
}

/** Text in a Markdown table cell: pipes escaped, on one line. */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** A row's cells: the overall verdict (FAIL in bold) and the count per verdict. */
function tally(row: MatrixRow): string {
  if (row.scenarios.length === 0) return `${row.status} |${' |'.repeat(VERDICT_KINDS.length)}`
  return `${row.status === 'FAIL' ? '**FAIL**' : row.status} | ${row.counts.join(' | ')}`
}

/** Per SA3 aspect, what was tried (each scenario, the attacks among them marked @security) and its verdict. */
function aspectDetail(row: MatrixRow): string[] {
  if (row.scenarios.length === 0) return []
  return [
    `### ${row.key}`,
    '',
    ...row.scenarios.map(
      (r) =>
        `- ${r.verdict.verdict}: ${isAttack(r) ? '(attack) ' : ''}${cell(r.name)}` +
        `${r.verdict.requirement ? ` [${describeRequirement(r.verdict.requirement)}]` : ''}`,
    ),
    '',
  ]
}

/** A scenario that attacks the SUT (tagged @security), rather than checking a procedure. */
export function isAttack(r: ScenarioResult): boolean {
  return r.tags.includes('@security')
}

/** The matrix as Markdown. */
export function conformanceMatrix(
  results: readonly ScenarioResult[],
  sut: string,
  catalogue: string,
  options: MatrixOptions = {},
): string {
  return conformanceMarkdown(conformanceModel(results, sut, catalogue, options))
}

export function conformanceMarkdown(model: ConformanceModel): string {
  const lines = [
    `# Conformance matrix: ${model.sut}`,
    '',
    `${model.scenarios.length} scenarios: ${VERDICT_KINDS.map((v, i) => `${model.counts[i]} ${v}`).join(', ')}.`,
    '',
    ...model.runErrors.map((e) => `**${e.verdict}** (${e.errorClass}): ${cell(e.message)}`),
    '',
    "## SA3 security aspects (TR 23.701 editor's note)",
    '',
    `| aspect ${HEADER}`,
    `|---${RULE}`,
    ...model.aspects.map((row) => `| ${row.key} | ${tally(row)} |`),
    '',
    ...model.aspects.flatMap(aspectDetail),
    '## Requirements (docs/requirements-catalogue.md)',
    '',
    `| requirement ${HEADER}`,
    `|---${RULE}`,
    ...model.requirements.map((row) => `| ${row.key} ${cell(row.title)} | ${tally(row)} |`),
    '',
    '## Clauses (3GPP, RFC and TR 23.701 tags)',
    '',
    `| clause ${HEADER}`,
    `|---${RULE}`,
    ...model.clauses.map((row) => `| ${row.key} | ${tally(row)} |`),
    '',
    '## Scenarios',
    '',
    '| scenario | feature | verdict | requirement | why |',
    '|---|---|---|---|---|',
    ...model.scenarios.map(
      (r) =>
        `| ${cell(r.name)} | ${r.feature}${r.line ? `:${r.line}` : ''} | ${r.verdict.verdict} | ${r.verdict.requirement ? cell(describeRequirement(r.verdict.requirement)) : ''} | ${cell(r.verdict.message)} |`,
    ),
  ]
  return `${lines.join('\n')}\n`
}

/** docs/requirements-catalogue.md, the source of every requirement row. */
export function readCatalogue(): string {
  return readFileSync(new URL('../docs/requirements-catalogue.md', import.meta.url), 'utf8')
}

/** Writes `<reports>/conformance-matrix.md` from the model; returns the file. */
export function writeConformanceMatrix(reportsDir: string, model: ConformanceModel): string {
  const file = `${reportsDir}/conformance-matrix.md`
  writeFileSync(file, conformanceMarkdown(model))
  return file
}
