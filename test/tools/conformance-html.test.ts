import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ScenarioVerdict } from '../../support/checks/verdict.ts'
import { conformancePage, harnessVersion } from '../../tools/conformance-html.ts'
import { conformanceModel, readCatalogue, requirementTitles } from '../../tools/conformance-matrix.ts'
import { featureTags, runFilter } from '../../tools/feature-paths.ts'
import { ResultCollector, type ScenarioResult } from '../../tools/scenario-results.ts'
import { scenarioKey } from '../../tools/evidence-export.ts'

const verdict = (v: Partial<ScenarioVerdict> & Pick<ScenarioVerdict, 'verdict'>): ScenarioVerdict => ({
  message: '',
  findings: [],
  ...v,
})

function scenario(name: string, tags: string[], v: ScenarioVerdict): ScenarioResult {
  return { name, feature: 'features/x.feature', line: 3, tags, verdict: v, evidence: '' }
}

const CATALOGUE =
  '**R12 — An Origin not authorised is rejected.**\n**R15 — Path\ninsertion.**\n' +
  '**R20 — 200 OK to the WIC.**\n**R34 — TNA auth-done.**\n**R70 — Not written yet.**\n'

const RESULTS = [
  scenario(
    'an unauthorized origin <script>alert(1)</script> & co is refused',
    ['@cors', '@R12', '@security'],
    verdict({ verdict: 'PASS' }),
  ),
  scenario(
    'the eP-CSCF adds a Path',
    ['@R15', '@RFC3327-4'],
    verdict({
      verdict: 'FAIL',
      side: 'sut',
      errorClass: 'ConformanceFailure',
      requirement: { level: 'MUST', clause: 'RFC 3327 §5', id: 'R15' },
      message: 'expected a Path, but "<none>" arrived',
    }),
  ),
]

const HEADER = {
  sut: 'vendor <x>',
  launcher: 'external',
  profileFile: '/p/vendor.yaml',
  switches: [],
  wssUrl: 'wss://127.0.0.1:7443/',
  arguments: ['--tags', '@security or @R15', '--name', 'Path'],
  startedAt: new Date('2026-12-04T10:00:00Z'),
  filter: runFilter(['--tags', '@security or @R15', '--name', 'Path', 'features/a.feature:12']),
  version: 'epcscf-harness 0.1.0 (git abc1234)',
}

void test('conformance.html names the run and gives every requirement a verdict or why it has none', () => {
  const model = conformanceModel(RESULTS, 'vendor <x>', CATALOGUE, {
    filtered: true,
    runErrors: [],
    available: new Set(['@cors', '@R12', '@R15', '@R20', '@R34', '@security', '@token']),
    unfinished: new Set(['@R34']),
  })
  const page = conformancePage(model, HEADER, new Map([[scenarioKey(RESULTS[0]!), 'scenarios/01-origin']]))
  assert.match(page, /^<!doctype html>/)
  assert.match(page, /<b>vendor &lt;x&gt;<\/b> \(external\) at <code>wss:\/\/127\.0\.0\.1:7443\/<\/code>/)
  assert.match(page, /<code>\/p\/vendor\.yaml<\/code>/)
  assert.match(page, /2026-12-04T10:00:00\.000Z/)
  assert.match(
    page,
    /tags <code>@security or @R15<\/code>; name <code>Path<\/code>; path <code>features\/a\.feature:12<\/code>/,
  )
  assert.match(page, /epcscf-harness 0\.1\.0 \(git abc1234\)/)
  // Every requirement of the catalogue, each with its status.
  const row = (id: string) => page.split('\n').find((l) => l.startsWith(`<tr id="${id}">`)) ?? ''
  assert.match(row('R12'), />pass</)
  assert.match(row('R15'), />FAIL</)
  assert.match(row('R15'), /MUST RFC 3327 §5 \(R15\)/)
  assert.match(row('R20'), />not run \(filtered\)</)
  assert.match(row('R34'), />aborted</)
  assert.match(row('R70'), />no scenario yet</)
  // Per SA3 aspect the attacks and checks, linked to their evidence.
  assert.match(
    page,
    /<h3>the use of TLS, WSS and CORS at the relevant reference points: <span[^>]*>pass<\/span><\/h3>/,
  )
  assert.match(page, /<h4>attacks \(1\)<\/h4><ul><li><b[^>]*>PASS<\/b> <a href="scenarios\/01-origin\/">/)
  assert.match(page, /<a href="scenarios\/01-origin\/ladder\.svg">ladder<\/a>/)
  assert.match(page, /the potential use of a security token .*: <span[^>]*>not run \(filtered\)</)
  assert.match(page, /constraints on network locations .*: <span[^>]*>no scenario yet</)
  // Escaped: no markup from a scenario name or a SUT's message.
  assert.doesNotMatch(page, /<script>|<none>/)
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; co/)
  assert.match(page, /&quot;&lt;none&gt;&quot; arrived/)
})

void test('an unfiltered run that ended early says "aborted", never "no scenario yet", for what it did not reach', () => {
  const model = conformanceModel([], 'sut', CATALOGUE, {
    filtered: false,
    runErrors: [{ verdict: 'ENVIRONMENT ERROR', errorClass: 'Interrupted', message: 'interrupted' }],
    available: new Set(['@R12']),
  })
  assert.equal(model.requirements.find((r) => r.key === 'R12')?.status, 'aborted')
  assert.equal(model.requirements.find((r) => r.key === 'R70')?.status, 'no scenario yet')
})

void test('the real catalogue, features and version: every requirement of the catalogue is a row', () => {
  const catalogue = readCatalogue()
  const model = conformanceModel([], 'sut', catalogue, { filtered: true, available: featureTags() })
  assert.equal(model.requirements.length, requirementTitles(catalogue).size)
  assert.ok(model.requirements.length >= 70)
  assert.ok(model.requirements.some((r) => r.status === 'not run (filtered)'))
  assert.match(harnessVersion(), /^epcscf-harness \d+\.\d+\.\d+/)
  assert.ok(featureTags().has('@R15'))
  assert.ok(featureTags().has('@security'))
})

void test('runFilter reads --tags, --name and paths, inline forms included', () => {
  assert.deepEqual(
    runFilter(['--tags=@a', '-t', '@b', '--name', 'x', 'features/y.feature', '--format', 'json:z']),
    {
      tags: ['@a', '@b'],
      names: ['x'],
      paths: ['features/y.feature'],
    },
  )
})

void test('a run that failed before any scenario was selected (a BeforeAll) leaves every loaded scenario unfinished', () => {
  const collector = new ResultCollector()
  collector.add({
    pickle: { id: 'p1', name: 'TLS 1.2', uri: 'features/transport/tls.feature', tags: [{ name: '@R07' }] },
  })
  collector.add({
    testRunHookFinished: {
      result: {
        status: 'FAILED',
        exception: { type: 'SutUnreachable', message: 'SUT_UNREACHABLE: no answer' },
      },
    },
  })
  const { scenarios, runErrors, unfinished } = collector.results()
  assert.deepEqual(unfinished, [{ name: 'TLS 1.2', tags: ['@R07'] }])
  const model = conformanceModel(scenarios, 'sut', CATALOGUE.concat('**R07 — TLS versions.**\n'), {
    runErrors,
    available: new Set(['@R07', '@R12']),
    unfinished: new Set(unfinished.flatMap((u) => u.tags)),
  })
  assert.equal(model.requirements.find((r) => r.key === 'R07')?.status, 'aborted')
})
