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

/**
 * Reads and validates a profile file (YAML or JSON). Without a file, the defaults describe the reference.
 * `portBase` (default: the HARNESS_PORT_BASE environment variable, which `npm start -- --port-base N` sets for
 * itself and its cucumber workers, so both sides agree) moves every port at once: see {@link withPortBase}.
 */
export function loadProfile(
  file: string | undefined,
  cwd = process.cwd(),
  portBase = process.env.HARNESS_PORT_BASE,
): LoadedProfile {
  const loaded = readProfile(file, cwd)
  if (portBase === undefined || portBase === '') return loaded
  return { ...loaded, profile: withPortBase(loaded.profile, portBase) }
}

/** Offsets of `--port-base N`: each port of the profile is N plus its offset. */
export const PORT_BASE_OFFSETS = { wss: 443, mw: 60, scscf: 70, wwsf: 843 } as const

/**
 * The profile with every port moved to `base` + its offset (PORT_BASE_OFFSETS): eP-CSCF WSS N+443, Mw N+60,
 * mock S-CSCF N+70, mock WWSF N+843 (a WWSF on port 0, a free port, stays so). Parallel workers add
 * `portStride × worker index` on top, as without a base. A base that is not a whole number, or that puts a port
 * (worker 0) outside 1..65535, is a ProfileError.
 */
export function withPortBase(profile: Profile, base: string | number): Profile {
  const n = typeof base === 'number' ? base : /^\d+$/.test(base.trim()) ? Number(base) : Number.NaN
  const highest = n + PORT_BASE_OFFSETS.wwsf
  if (!Number.isSafeInteger(n) || n < 1 || highest > 65535)
    throw new ProfileError(
      `--port-base (HARNESS_PORT_BASE): expected a whole number from 1 to ${65535 - PORT_BASE_OFFSETS.wwsf} ` +
        `(ports N+${PORT_BASE_OFFSETS.mw} .. N+${PORT_BASE_OFFSETS.wwsf}), got ${JSON.stringify(String(base))}`,
    )
  const wwsfPort = profile.wwsf.port === 0 ? 0 : n + PORT_BASE_OFFSETS.wwsf
  // The WWSF serves the WIC's page: an allowed origin on the WWSF's port moves with it (and the default issuer, the
  // first allowed origin, with it), so that its page keeps an authorized origin.
  const allowed = profile.epcscf.origin.allowed.map((origin) => {
    const url = new URL(origin)
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    if (wwsfPort === 0 || port !== profile.wwsf.port) return origin
    url.port = String(wwsfPort)
    return url.origin
  })
  return {
    ...profile,
    epcscf: {
      ...profile.epcscf,
      origin: { ...profile.epcscf.origin, allowed },
      wss: { ...profile.epcscf.wss, port: n + PORT_BASE_OFFSETS.wss },
      mw: { ...profile.epcscf.mw, port: n + PORT_BASE_OFFSETS.mw },
    },
    scscf: { ...profile.scscf, port: n + PORT_BASE_OFFSETS.scscf },
    wwsf: { ...profile.wwsf, port: wwsfPort },
  }
}

function readProfile(file: string | undefined, cwd: string): LoadedProfile {
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
  if (result.success) return withWwsfOrigin(result.data, data)
  const lines = result.error.issues.map((issue) => describeIssue(issue, data))
  throw new ProfileError(`${source} is not a valid SUT profile:\n  ${lines.join('\n  ')}`)
}

/** The WWSF's own origin on `port`: the authorized origin by default (the WIC's page is served from it). */
export function wwsfOrigin(port: number): string {
  return `https://wwsf.harness.test:${port}`
}

/**
 * A profile that does not list `epcscf.origin.allowed` authorizes the WWSF's own origin on the WWSF's port
 * (`wwsf.port`; 8443, the interop contract's, when the WWSF takes a free port), so that the page the mock WWSF serves
 * has the authorized origin wherever the WWSF listens.
 */
function withWwsfOrigin(profile: Profile, data: unknown): Profile {
  const given = valueAt(data, ['epcscf', 'origin', 'allowed']) !== undefined
  if (given || profile.wwsf.port === 0) return profile
  const allowed = [wwsfOrigin(profile.wwsf.port)]
  return { ...profile, epcscf: { ...profile.epcscf, origin: { ...profile.epcscf.origin, allowed } } }
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
