/**
 * The conformance / SA3 matrix of one run: which requirements, spec clauses and SA3 security aspects the scenarios
 * verified against this system under test, and with what verdict. Read from the scenario verdicts
 * (tools/scenario-results.ts); written as Markdown next to the other reports. A requirement or aspect is FAIL only
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
    // TLS versions and certificate (tls.feature), Origin checks (@cors), WebSocket framing on W2 (R08, R09); not the
    // subprotocol scenarios.
    tags: ['@tls', '@cors', '@R08', '@R09'],
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

const COLUMNS = VERDICT_KINDS
const HEADER = '| verdict | pass | warn | FAIL | inconclusive | env error | harness error | n/a | deviation |'
const RULE = '|---|---|---|---|---|---|---|---|---|'

/**
 * One row's cells: the overall verdict (FAIL if any scenario failed; else "not judged" if errors hid the answer;
 * else INCONCLUSIVE; else pass, with WARN when a SHOULD was not met) and the count per verdict.
 */
function tally(results: readonly ScenarioResult[], filtered: boolean): string {
  if (results.length === 0)
    return `${filtered ? 'not run (filtered out)' : 'no scenario yet'} |${' |'.repeat(COLUMNS.length)}`
  const count = (v: VerdictKind) => results.filter((r) => r.verdict.verdict === v).length
  const judged = count('PASS') + count('WARN')
  const overall =
    count('FAIL') > 0
      ? '**FAIL**'
      : count('ENVIRONMENT ERROR') + count('HARNESS ERROR') > 0
        ? 'not judged (error)'
        : count('INCONCLUSIVE') > 0
          ? 'inconclusive'
          : judged === 0
            ? 'not verified'
            : count('WARN') > 0
              ? 'pass (WARN)'
              : count('DEVIATION') + count('N/A') > 0
                ? 'partly verified'
                : 'pass'
  return `${overall} | ${COLUMNS.map(count).join(' | ')}`
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export interface MatrixOptions {
  /** The run was limited (tags, paths): rows without scenarios say "filtered out", not "no scenario". */
  readonly filtered?: boolean
  readonly runErrors?: readonly RunError[]
}

/** Per SA3 aspect, what was tried (each scenario, the attacks among them marked @security) and its verdict. */
function aspectDetail(aspect: string, tags: readonly string[], results: readonly ScenarioResult[]): string[] {
  const tried = results.filter((r) => r.tags.some((t) => tags.includes(t)))
  if (tried.length === 0) return []
  return [
    `### ${aspect}`,
    '',
    ...tried.map(
      (r) =>
        `- ${r.verdict.verdict}: ${r.tags.includes('@security') ? '(attack) ' : ''}${cell(r.name)}` +
        `${r.verdict.requirement ? ` [${describeRequirement(r.verdict.requirement)}]` : ''}`,
    ),
    '',
  ]
}

/** The matrix as Markdown. */
export function conformanceMatrix(
  results: readonly ScenarioResult[],
  sut: string,
  catalogue: string,
  options: MatrixOptions = {},
): string {
  const filtered = options.filtered ?? false
  const titles = requirementTitles(catalogue)
  const withTag = (tag: string) => results.filter((r) => r.tags.includes(tag))
  const count = (v: VerdictKind) => results.filter((r) => r.verdict.verdict === v).length
  const lines = [
    `# Conformance matrix: ${sut}`,
    '',
    `${results.length} scenarios: ${COLUMNS.map((v) => `${count(v)} ${v}`).join(', ')}.`,
    '',
    ...(options.runErrors ?? []).map((e) => `**${e.verdict}** (${e.errorClass}): ${cell(e.message)}`),
    '',
    "## SA3 security aspects (TR 23.701 editor's note)",
    '',
    `| aspect ${HEADER}`,
    `|---${RULE}`,
    ...SA3_ASPECTS.map(
      ({ aspect, tags }) =>
        `| ${aspect} | ${tally(
          results.filter((r) => r.tags.some((t) => tags.includes(t))),
          filtered,
        )} |`,
    ),
    '',
    ...SA3_ASPECTS.flatMap(({ aspect, tags }) => aspectDetail(aspect, tags, results)),
    '## Requirements (docs/requirements-catalogue.md)',
    '',
    `| requirement ${HEADER}`,
    `|---${RULE}`,
  ]
  for (const tag of [...titles.keys()].sort())
    lines.push(`| ${tag.slice(1)} ${cell(titles.get(tag) ?? '')} | ${tally(withTag(tag), filtered)} |`)
  const tags = [...new Set(results.flatMap((r) => r.tags))].sort()
  lines.push('', '## Clauses (3GPP, RFC and TR 23.701 tags)', '', `| clause ${HEADER}`, `|---${RULE}`)
  for (const tag of tags.filter((t) => /^@(RFC|TS|X\.)/.test(t)))
    lines.push(`| ${tag.slice(1)} | ${tally(withTag(tag), filtered)} |`)
  lines.push(
    '',
    '## Scenarios',
    '',
    '| scenario | feature | verdict | requirement | why |',
    '|---|---|---|---|---|',
  )
  for (const r of results)
    lines.push(
      `| ${cell(r.name)} | ${r.feature}${r.line ? `:${r.line}` : ''} | ${r.verdict.verdict} | ${r.verdict.requirement ? cell(describeRequirement(r.verdict.requirement)) : ''} | ${cell(r.verdict.message)} |`,
    )
  return `${lines.join('\n')}\n`
}

/** Writes `<reports>/conformance-matrix.md` from scenario results. */
export function writeConformanceMatrix(
  reportsDir: string,
  sut: string,
  results: readonly ScenarioResult[],
  options: MatrixOptions = {},
): string {
  const catalogue = readFileSync(new URL('../docs/requirements-catalogue.md', import.meta.url), 'utf8')
  const file = `${reportsDir}/conformance-matrix.md`
  writeFileSync(file, conformanceMatrix(results, sut, catalogue, options))
  return file
}
