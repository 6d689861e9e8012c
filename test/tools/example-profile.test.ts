import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { loadProfile } from '../../support/profile/load-profile.ts'
import { profileSchema } from '../../support/profile/profile-schema.ts'

const FILE = 'profiles/example-external.yaml'

void test('the example profile for an external eP-CSCF loads with the real loader', () => {
  const { profile, file } = loadProfile(FILE, process.cwd(), '')
  assert.ok(file?.endsWith(FILE))
  assert.equal(profile.launcher.kind, 'external')
  assert.equal(profile.epcscf.wss.host, '192.0.2.10')
  assert.equal(profile.epcscf.mw.address, '192.0.2.10')
  assert.deepEqual(profile.scscf.trustedNodes, [{ host: '192.0.2.10' }])
  assert.equal(profile.scscf.hostnames['epcscf.harness.test'], '192.0.2.10')
})

void test('the example writes out every field a vendor of an external eP-CSCF sets (new fields get documented)', () => {
  const written = parseYaml(readFileSync(FILE, 'utf8')) as Record<string, unknown>
  // Only meaningful for a SUT the harness launches (start deadline, ports of parallel workers).
  const launcherOnly = new Set(['startTimeoutMs', 'portStride'])
  for (const key of Object.keys(profileSchema.shape))
    if (!launcherOnly.has(key)) assert.ok(key in written, `${FILE} lacks the field ${key}`)
  const epcscf = written.epcscf as Record<string, unknown>
  const epcscfShape = profileSchema.shape.epcscf.unwrap().shape
  for (const key of Object.keys(epcscfShape)) {
    if (key === 'exposure') continue // the W2 port scan has a sensible default derived from the WSS port
    assert.ok(key in epcscf, `${FILE} lacks the field epcscf.${key}`)
  }
})
