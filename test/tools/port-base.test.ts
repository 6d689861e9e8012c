import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { ProfileError } from '../../support/errors.ts'
import { loadProfile, withPortBase } from '../../support/profile/load-profile.ts'

void test('--port-base moves every port of the profile at once', () => {
  const { profile } = loadProfile(undefined, process.cwd(), '30000')
  assert.equal(profile.epcscf.wss.port, 30443)
  assert.equal(profile.epcscf.mw.port, 30060)
  assert.equal(profile.scscf.port, 30070)
  assert.equal(profile.wwsf.port, 30843)
})

void test('without a base the profile keeps its ports; a WWSF on a free port (0) stays so', () => {
  const { profile } = loadProfile(undefined, process.cwd(), '')
  assert.equal(profile.epcscf.wss.port, 7443)
  assert.equal(withPortBase({ ...profile, wwsf: { ...profile.wwsf, port: 0 } }, 30000).wwsf.port, 0)
})

void test('workers agree with the CLI: HARNESS_PORT_BASE is applied by the loader', () => {
  const before = process.env.HARNESS_PORT_BASE
  process.env.HARNESS_PORT_BASE = '20000'
  try {
    assert.equal(loadProfile(undefined).profile.epcscf.wss.port, 20443)
  } finally {
    if (before === undefined) delete process.env.HARNESS_PORT_BASE
    else process.env.HARNESS_PORT_BASE = before
  }
})

void test('a bad base is a ProfileError', () => {
  const { profile } = loadProfile(undefined, process.cwd(), '')
  for (const bad of ['abc', '-5', '0', '1.5', '65000', '12ab'])
    assert.throws(() => withPortBase(profile, bad), ProfileError, bad)
})

void test('npm start -- --port-base with a bad value exits 2 before anything starts', () => {
  const env = { ...process.env }
  delete env.HARNESS_PROFILE
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/harness.ts', '--port-base', 'x'], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  })
  assert.equal(run.status, 2, run.stderr)
  assert.match(run.stderr, /--port-base/)
})
