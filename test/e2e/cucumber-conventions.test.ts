/**
 * Issue 10 §2: `npm start` keeps cucumber's own conventions. `feature:line` selects one scenario; `--format
 * rerun:@rerun.txt` lists the failed ones and running `@rerun.txt` runs exactly those; `--name` and `--format json:`
 * pass through; selecting no scenario is an error (exit 2). Against the reference with the fault `no-path`, so that
 * something fails. Ports: --port-base 21200 (21643, 21260, 21270, 22043).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

function harness(dir: string, args: readonly string[]): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, HARNESS_DIR: join(dir, 'harness') }
  delete env.HARNESS_PORT_BASE
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve('tools/harness.ts'),
      '--profile',
      join(dir, 'no-path.yaml'),
      '--port-base',
      '21200',
      '--parallel',
      '1',
      '--reports',
      join(dir, 'reports'),
      ...args,
    ],
    { encoding: 'utf8', env, timeout: 60_000 },
  )
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` }
}

/** The scenarios the progress lines say ran, as `feature:line`. */
const ran = (output: string) =>
  [...output.matchAll(/^\[\d+\/\d+\] \S+.* \((features\/[^)]+)\)/gm)].map((m) => m[1])

void describe("npm start keeps cucumber's conventions (issue 10)", { timeout: 180_000 }, () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'conventions-'))
    writeFileSync(
      join(dir, 'no-path.yaml'),
      'name: no-path\nlauncher: { kind: reference, faults: [no-path] }\n',
    )
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('feature:line selects; --format rerun:@rerun.txt lists the failures and @rerun.txt reruns only them', () => {
    // cucumber reads a rerun file named @… relative to the working directory.
    const rerun = relative(process.cwd(), join(dir, '@rerun.txt'))
    const first = harness(dir, [
      'features/registration/digest.feature:72',
      'features/transport/tls.feature:12',
      '--format',
      `rerun:${rerun}`,
    ])
    assert.equal(first.status, 1, first.output)
    assert.deepEqual(ran(first.output).sort(), [
      'features/registration/digest.feature:72',
      'features/transport/tls.feature:12',
    ])
    assert.match(first.output, /^1 passed, 1 failed$/m)
    assert.match(readFileSync(rerun, 'utf8'), /^features\/registration\/digest\.feature:72\s*$/)
    const again = harness(dir, [rerun])
    assert.equal(again.status, 1, again.output)
    assert.deepEqual(ran(again.output), ['features/registration/digest.feature:72'])
  })

  void it('--name and --format json: pass through; a filter that selects nothing exits 2', () => {
    const json = join(dir, 'cucumber.json')
    const named = harness(dir, ['--name', 'MD5 challenge', '--format', `json:${json}`])
    assert.equal(named.status, 0, named.output)
    assert.deepEqual(ran(named.output), ['features/registration/digest.feature:13'])
    assert.ok(existsSync(json))
    const features = JSON.parse(readFileSync(json, 'utf8')) as { elements: { name: string }[] }[]
    assert.deepEqual(
      features.flatMap((f) => f.elements.map((e) => e.name)),
      ['registration answering an MD5 challenge'],
    )
    const none = harness(dir, ['--tags', '@nonexistent'])
    assert.equal(none.status, 2, none.output)
    assert.match(none.output, /no scenario matched --tags @nonexistent/)
  })
})
