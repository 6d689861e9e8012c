import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { PROFILE_SCHEMA_FILE, profileJsonSchemaText } from '../../tools/profile-json-schema.ts'

void test('docs/profile.schema.json is the JSON Schema of the zod profile schema (else run `npm run schema`)', () => {
  // Compared as JSON: `npm run schema` formats the file with prettier, so the text differs from JSON.stringify's.
  const committed: unknown = JSON.parse(readFileSync(PROFILE_SCHEMA_FILE, 'utf8'))
  const generated: unknown = JSON.parse(profileJsonSchemaText())
  assert.deepEqual(committed, generated, 'docs/profile.schema.json is out of date: run `npm run schema`')
})

void test('the schema describes the profile fields a vendor edits, with their defaults optional', () => {
  const schema = JSON.parse(profileJsonSchemaText()) as {
    properties: Record<string, { properties?: Record<string, unknown> }>
    required?: string[]
    additionalProperties: boolean
  }
  assert.equal(schema.additionalProperties, false, 'unknown fields are flagged, as the loader refuses them')
  assert.deepEqual(schema.required ?? [], [], 'an empty profile is valid (it describes the reference)')
  for (const field of ['launcher', 'epcscf', 'scscf', 'wwsf', 'expectedDeviations'])
    assert.ok(schema.properties[field], field)
  assert.ok(schema.properties.epcscf?.properties?.wss, 'epcscf.wss')
})

/** Every property of every object in the schema (the variants of the launcher included), with its path. */
function properties(node: unknown, path: string): { path: string; schema: Record<string, unknown> }[] {
  if (node === null || typeof node !== 'object') return []
  const n = node as Record<string, unknown>
  const own = Object.entries((n.properties ?? {}) as Record<string, Record<string, unknown>>).flatMap(
    ([key, s]) => [{ path: `${path}${key}`, schema: s }, ...properties(s, `${path}${key}.`)],
  )
  const nested = [n.items, ...((n.anyOf ?? n.oneOf ?? []) as unknown[])].flatMap((s) => properties(s, path))
  return [...own, ...nested]
}

void test('every profile field has a description in the JSON Schema (`.describe()` in the zod schema)', () => {
  const all = properties(JSON.parse(profileJsonSchemaText()), '')
  assert.ok(all.length > 60, `${all.length} fields found`)
  const bare = all.filter(({ schema }) => typeof schema.description !== 'string' || schema.description === '')
  assert.deepEqual(
    bare.map((b) => b.path),
    [],
    'fields without a description: add .describe() in support/profile/profile-schema.ts',
  )
})
