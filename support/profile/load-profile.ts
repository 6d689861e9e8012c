import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { ProfileError } from '../errors.ts'
import { profileSchema, type Profile } from './profile-schema.ts'

export interface LoadedProfile {
  readonly profile: Profile
  /** The file it came from, or undefined for the built-in default. */
  readonly file: string | undefined
  /** Folder that relative paths in the profile are resolved against. */
  readonly baseDir: string
}

/** Reads and validates a profile file (YAML or JSON). Without a file, the defaults describe the reference. */
export function loadProfile(file: string | undefined, cwd = process.cwd()): LoadedProfile {
  if (file === undefined) return { profile: validateProfile({}, '(defaults)'), file: undefined, baseDir: cwd }
  const path = resolve(cwd, file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ProfileError(`cannot read profile ${path}: ${(error as Error).message}`)
  }
  let data: unknown
  try {
    data = parseYaml(text, { prettyErrors: true }) ?? {}
  } catch (error) {
    throw new ProfileError(`${path} is not valid YAML/JSON: ${(error as Error).message}`)
  }
  return { profile: validateProfile(data, path), file: path, baseDir: dirname(path) }
}

export function validateProfile(data: unknown, source: string): Profile {
  const result = profileSchema.safeParse(data)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => describeIssue(issue, data))
  throw new ProfileError(`${source} is not a valid SUT profile:\n  ${lines.join('\n  ')}`)
}

/** One line per problem: the field, the value found and what was expected. */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)'
  const value = valueAt(data, issue.path)
  const found = value === undefined ? 'missing' : JSON.stringify(value)
  if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`
  return `${path}: ${issue.message.replace(/^Invalid input: /, '')} (found ${found})`
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}
