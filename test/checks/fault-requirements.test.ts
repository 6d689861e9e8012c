/**
 * The fault matrix counts a fault as caught only by a FAIL of a check carrying one of the ids the fault declares,
 * in a scenario tagged with it: so every declared id must be carried by a check and tagged on a scenario, and the
 * list of ids no check carries must match the source.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FAULT_REQUIREMENTS, UNGUARDED_REQUIREMENTS } from '../../support/epcscf/fault-requirements.ts'
import { FAULT_NAMES } from '../../support/epcscf/faults.ts'

const ROOT = new URL('../../', import.meta.url).pathname

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => readFileSync(join(ROOT, dir, f), 'utf8'))
}

/**
 * Ids written as a quoted literal ('R15', or a clause id such as 'RFC5626-5.4' where the catalogue has none) in the
 * checks and steps: the ids some check carries.
 */
const carried = new Set(
  [...files('support/checks', '.ts'), ...files('steps', '.ts')].flatMap((text) =>
    [...text.matchAll(/'(R\d{2}|RFC\d+-[\d.]+)'/g)].map((m) => m[1]),
  ),
)
const tagged = new Set(
  files('features', '.feature').flatMap((text) =>
    [...text.matchAll(/@(R\d{2}|RFC\d+-[\d.]+)(?=\s|$)/gm)].map((m) => m[1]),
  ),
)

void test('every fault declares at least one requirement, carried by a check and tagged on a scenario', () => {
  for (const fault of FAULT_NAMES) {
    const ids = FAULT_REQUIREMENTS[fault]
    assert.ok(ids.length > 0, `${fault} declares no requirement`)
    for (const id of ids) {
      assert.ok(carried.has(id), `${fault}: no check carries ${id}`)
      assert.ok(tagged.has(id), `${fault}: no scenario is tagged @${id}`)
    }
  }
})

void test('the unguarded list is exactly the catalogue ids no check carries', () => {
  const all = Array.from({ length: 74 }, (_, i) => `R${String(i + 1).padStart(2, '0')}`)
  assert.deepEqual(
    [...UNGUARDED_REQUIREMENTS],
    all.filter((id) => !carried.has(id)),
  )
})
