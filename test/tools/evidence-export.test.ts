/** Evidence on disk (tools/evidence-export.ts) and the index page that links it (tools/index-page.ts). */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ScenarioVerdict } from '../../support/checks/verdict.ts'
import { EvidenceWriter, scenarioKey, slug } from '../../tools/evidence-export.ts'
import { indexPage } from '../../tools/index-page.ts'
import type { ScenarioResult } from '../../tools/scenario-results.ts'

const attach = (started: string, fileName: string, body: string) => ({
  attachment: { testCaseStartedId: started, fileName, body },
})

void test('each scenario gets reports/scenarios/<feature>/<scenario>/, unique, and a retry writes into the same one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-'))
  try {
    const writer = new EvidenceWriter(dir)
    for (const envelope of [
      {
        pickle: {
          id: 'p1',
          name: 'registration answering an MD5 challenge',
          uri: 'features/registration/digest.feature',
          location: { line: 7 },
        },
      },
      {
        pickle: {
          id: 'p2',
          name: 'a token <defect> is refused',
          uri: 'features/registration/token.feature',
          location: { line: 20 },
        },
      },
      {
        pickle: {
          id: 'p3',
          name: 'a token <defect> is refused',
          uri: 'features/registration/token.feature',
          location: { line: 21 },
        },
      },
      { testCase: { id: 'c1', pickleId: 'p1' } },
      { testCase: { id: 'c2', pickleId: 'p2' } },
      { testCase: { id: 'c3', pickleId: 'p3' } },
      { testCaseStarted: { id: 's1', testCaseId: 'c1' } },
      attach('s1', 'verdict.txt', 'VERDICT: INCONCLUSIVE'),
      { testCaseStarted: { id: 's1b', testCaseId: 'c1' } },
      attach('s1b', 'verdict.txt', 'VERDICT: PASS'),
      { testCaseStarted: { id: 's2', testCaseId: 'c2' } },
      attach('s2', 'ladder.txt', 'first'),
      { testCaseStarted: { id: 's3', testCaseId: 'c3' } },
      attach('s3', '../escape.txt', 'second'),
    ])
      writer.add(envelope)
    const md5 = 'scenarios/registration-digest/registration-answering-an-md5-challenge'
    assert.equal(
      readFileSync(join(dir, md5, 'verdict.txt'), 'utf8'),
      'VERDICT: PASS',
      'the retry overwrote its attempt',
    )
    assert.equal(
      readFileSync(join(dir, 'scenarios/registration-token/a-token-defect-is-refused/ladder.txt'), 'utf8'),
      'first',
    )
    assert.ok(existsSync(join(dir, 'scenarios/registration-token/a-token-defect-is-refused-2/.._escape.txt')))
    const key = (line: number, name: string) =>
      scenarioKey({ feature: 'features/registration/token.feature', line, name })
    assert.equal(
      writer.folders.get(
        scenarioKey({
          feature: 'features/registration/digest.feature',
          line: 7,
          name: 'registration answering an MD5 challenge',
        }),
      ),
      md5,
    )
    // Two Examples rows of one name keep their own folders (keyed by line, not by name).
    assert.equal(
      writer.folders.get(key(20, 'a token <defect> is refused')),
      'scenarios/registration-token/a-token-defect-is-refused',
    )
    assert.equal(
      writer.folders.get(key(21, 'a token <defect> is refused')),
      'scenarios/registration-token/a-token-defect-is-refused-2',
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('index.html shows a failed scenario’s ladder without a click, and links every evidence folder', () => {
  const result = (name: string, verdict: ScenarioVerdict): ScenarioResult => ({
    name,
    feature: 'features/x.feature',
    line: name.length,
    tags: [],
    verdict,
    evidence: '',
  })
  const page = indexPage(
    {
      sut: 'sut',
      launcher: 'reference',
      profileFile: undefined,
      switches: ['fault no-path'],
      wssUrl: 'wss://127.0.0.1:7443/',
      arguments: [],
      startedAt: new Date(0),
    },
    [
      result('passes', { verdict: 'PASS', message: '', findings: [] }),
      result('fails', { verdict: 'FAIL', message: 'no Path', findings: [] }),
    ],
    [],
    new Map([
      [scenarioKey({ feature: 'features/x.feature', line: 6, name: 'passes' }), 'scenarios/x/passes'],
      [scenarioKey({ feature: 'features/x.feature', line: 5, name: 'fails' }), 'scenarios/x/fails'],
    ]),
  )
  assert.match(page, /<img src="scenarios\/x\/fails\/ladder\.svg" alt="ladder of fails"/)
  assert.doesNotMatch(page, /<img src="scenarios\/x\/passes/)
  assert.match(page, /<a href="scenarios\/x\/passes\/">evidence<\/a>/)
  assert.match(page, /switches <code>fault no-path<\/code>/)
  assert.match(page, /<a href="conformance\.html">conformance page<\/a>/)
})

void test('a slug is at most 60 characters and never ends with a hyphen', () => {
  const name = 're-registration keeps the Call-ID and a Path to the same eP-CSCF (the flow token may be new)'
  assert.equal(slug(name), 're-registration-keeps-the-call-id-and-a-path-to-the-same-ep')
  assert.equal(slug('!!!'), 'scenario')
})
