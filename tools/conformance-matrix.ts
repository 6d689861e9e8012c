/**
 * The conformance / SA3 matrix of one run: which requirements, spec clauses and SA3 security aspects the scenarios
 * verified against this system under test, and with what verdict. Read from cucumber's message stream (pickles,
 * their tags, step results and the expected-deviation attachments); written as Markdown next to the other reports.
 */
import { readFileSync, writeFileSync } from 'node:fs'

export type Verdict = 'passed' | 'failed' | 'deviation' | 'skipped'

export interface ScenarioResult {
  readonly name: string
  readonly feature: string
  readonly tags: readonly string[]
  readonly verdict: Verdict
  readonly detail: string
}

/**
 * The aspects the SA3 editor's note of TR 23.701 asks SA3 to verify (docs/tr23701-example-procedures.txt), and the
 * scenario tags that bear on each. An aspect no scenario covers yet is listed as such, never left out.
 */
const SA3_ASPECTS: readonly { readonly aspect: string; readonly tags: readonly string[] }[] = [
  {
    aspect: 'the use of TLS, WSS and CORS at the relevant reference points',
    tags: ['@W2', '@cors', '@RFC6455-10.2', '@RFC7118'],
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
    tags: ['@R39', '@R40', '@R47', '@R49'],
  },
  {
    aspect: 'the mechanisms used to verify the required trust relationships',
    tags: ['@RFC8725', '@R32', '@R36', '@R12'],
  },
  { aspect: 'constraints on network locations of the functional entities', tags: ['@R15', '@R57', '@R45'] },
]

interface Envelope {
  pickle?: { id: string; name: string; uri: string; tags: { name: string }[] }
  testCase?: { id: string; pickleId: string }
  testCaseStarted?: { id: string; testCaseId: string }
  testStepFinished?: { testCaseStartedId: string; testStepResult: { status: string; message?: string } }
  testCaseFinished?: { testCaseStartedId: string; willBeRetried: boolean }
  attachment?: { testCaseStartedId?: string; fileName?: string; body: string }
}

/** Scenario verdicts from a cucumber message stream (NDJSON). */
export function scenarioResults(ndjson: string): ScenarioResult[] {
  const pickles = new Map<string, NonNullable<Envelope['pickle']>>()
  const pickleOfCase = new Map<string, string>()
  const started = new Map<
    string,
    { pickleId: string; statuses: string[]; message: string; deviation: string }
  >()
  const results = new Map<string, ScenarioResult>()
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue
    const e = JSON.parse(line) as Envelope
    if (e.pickle) pickles.set(e.pickle.id, e.pickle)
    if (e.testCase) pickleOfCase.set(e.testCase.id, e.testCase.pickleId)
    if (e.testCaseStarted)
      started.set(e.testCaseStarted.id, {
        pickleId: pickleOfCase.get(e.testCaseStarted.testCaseId) ?? '',
        statuses: [],
        message: '',
        deviation: '',
      })
    const step = e.testStepFinished
    const run = step ? started.get(step.testCaseStartedId) : undefined
    if (step && run) {
      run.statuses.push(step.testStepResult.status)
      if (step.testStepResult.status === 'FAILED' && run.message === '')
        run.message = step.testStepResult.message?.split('\n')[0] ?? ''
    }
    const attached = e.attachment?.testCaseStartedId ? started.get(e.attachment.testCaseStartedId) : undefined
    if (attached && e.attachment?.fileName === 'deviation.txt') attached.deviation = e.attachment.body
    const finished = e.testCaseFinished
    const done = finished ? started.get(finished.testCaseStartedId) : undefined
    const pickle = done ? pickles.get(done.pickleId) : undefined
    if (finished && !finished.willBeRetried && done && pickle) {
      const failed = done.statuses.some((s) => s !== 'PASSED' && s !== 'SKIPPED')
      const verdict: Verdict = failed
        ? 'failed'
        : done.deviation
          ? 'deviation'
          : done.statuses.includes('SKIPPED')
            ? 'skipped'
            : 'passed'
      results.set(pickle.id, {
        name: pickle.name,
        feature: pickle.uri,
        tags: pickle.tags.map((t) => t.name),
        verdict,
        detail: failed ? done.message : done.deviation,
      })
    }
  }
  return [...results.values()]
}

/** `R15` → `Path insertion.`, from the requirements catalogue's bold headings. */
function requirementTitles(catalogue: string): Map<string, string> {
  const titles = new Map<string, string>()
  for (const match of catalogue.matchAll(/^\*\*(R\d\d) — ([^*]+)\*\*/gm))
    titles.set(`@${match[1]}`, (match[2] ?? '').replace(/\s+/g, ' ').trim())
  return titles
}

function tally(results: readonly ScenarioResult[]): string {
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length
  if (results.length === 0) return 'not yet covered by a scenario | | | '
  const deviations = count('deviation') + count('skipped')
  const overall =
    count('failed') > 0
      ? '**FAIL**'
      : count('passed') === 0
        ? 'not verified'
        : deviations > 0
          ? 'partly verified'
          : 'pass'
  return `${overall} | ${count('passed')} | ${count('failed')} | ${deviations}`
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The matrix as Markdown. */
export function conformanceMatrix(
  results: readonly ScenarioResult[],
  sut: string,
  catalogue: string,
): string {
  const titles = requirementTitles(catalogue)
  const withTag = (tag: string) => results.filter((r) => r.tags.includes(tag))
  const lines = [
    `# Conformance matrix: ${sut}`,
    '',
    `${results.length} scenarios: ${results.filter((r) => r.verdict === 'passed').length} passed, ` +
      `${results.filter((r) => r.verdict === 'failed').length} failed, ` +
      `${results.filter((r) => r.verdict === 'deviation' || r.verdict === 'skipped').length} expected deviations or skipped.`,
    '',
    "## SA3 security aspects (TR 23.701 editor's note)",
    '',
    '| aspect | verdict | passed | failed | deviations |',
    '|---|---|---|---|---|',
    ...SA3_ASPECTS.map(
      ({ aspect, tags }) =>
        `| ${aspect} | ${tally(results.filter((r) => r.tags.some((t) => tags.includes(t))))} |`,
    ),
    '',
    '## Requirements (docs/requirements-catalogue.md)',
    '',
    '| requirement | verdict | passed | failed | deviations |',
    '|---|---|---|---|---|',
  ]
  const tags = [...new Set(results.flatMap((r) => r.tags))].sort()
  for (const tag of tags.filter((t) => /^@R\d\d$/.test(t)))
    lines.push(`| ${tag.slice(1)} ${cell(titles.get(tag) ?? '')} | ${tally(withTag(tag))} |`)
  lines.push(
    '',
    '## Clauses (3GPP, RFC and TR 23.701 tags)',
    '',
    '| clause | verdict | passed | failed | deviations |',
    '|---|---|---|---|---|',
  )
  for (const tag of tags.filter((t) => /^@(RFC|TS|X\.)/.test(t)))
    lines.push(`| ${tag.slice(1)} | ${tally(withTag(tag))} |`)
  lines.push('', '## Scenarios', '', '| scenario | feature | verdict | why |', '|---|---|---|---|')
  for (const r of results) lines.push(`| ${cell(r.name)} | ${r.feature} | ${r.verdict} | ${cell(r.detail)} |`)
  return `${lines.join('\n')}\n`
}

/** Writes `<reports>/conformance-matrix.md` from `<reports>/messages.ndjson`. */
export function writeConformanceMatrix(reportsDir: string, sut: string): string {
  const results = scenarioResults(readFileSync(`${reportsDir}/messages.ndjson`, 'utf8'))
  const catalogue = readFileSync(new URL('../docs/requirements-catalogue.md', import.meta.url), 'utf8')
  const file = `${reportsDir}/conformance-matrix.md`
  writeFileSync(file, conformanceMatrix(results, sut, catalogue))
  return file
}
