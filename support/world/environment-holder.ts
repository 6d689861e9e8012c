import { EnvironmentMissing, ProfileError } from '../errors.ts'
import { loadProfile } from '../profile/load-profile.ts'
import { HarnessEnvironment } from './harness-environment.ts'

/** World parameters (cucumber `worldParameters`): which profile, and overrides the self-tests use. */
export interface HarnessParameters {
  /** Profile file; falls back to the HARNESS_PROFILE environment variable, then to the built-in reference. */
  readonly profile?: string
  /** Fault switches of the reference eP-CSCF, added to the profile's (the harness's own mutation tests). */
  readonly faults?: readonly string[]
  /** Variant switches of the reference eP-CSCF, added to the profile's (the variant matrix). */
  readonly variants?: readonly string[]
}

let environment: HarnessEnvironment | undefined

/** Starts this worker's environment (BeforeAll). */
export async function startEnvironment(parameters: HarnessParameters): Promise<HarnessEnvironment> {
  const loaded = loadProfile(parameters.profile ?? (process.env.HARNESS_PROFILE || undefined))
  const faults = parameters.faults ?? []
  const variants = parameters.variants ?? []
  if (faults.length > 0 || variants.length > 0) {
    if (loaded.profile.launcher.kind !== 'reference')
      throw new ProfileError(
        'fault and variant switches exist only on the reference eP-CSCF (launcher.kind: reference)',
      )
    loaded.profile.launcher.faults = [...loaded.profile.launcher.faults, ...faults]
    loaded.profile.launcher.variants = [...loaded.profile.launcher.variants, ...variants]
  }
  // A variant the profile option describes: a two-stage reference puts two Vias of its own (epcscf.topology.vias).
  const { launcher, epcscf } = loaded.profile
  if (launcher.kind === 'reference' && launcher.variants.includes('two-vias'))
    epcscf.topology.vias = Math.max(epcscf.topology.vias, 2)
  // The anchored media profile: the `media-anchored` variant, and the faults that break it (they imply it).
  if (launcher.kind === 'reference' && [...launcher.variants, ...launcher.faults].some(isAnchoredSwitch))
    epcscf.media = 'anchored'
  // Token policies the profile describes (issue 9 §2): the variants that show them, and the faults that break them.
  const switches = launcher.kind === 'reference' ? [...launcher.variants, ...launcher.faults] : []
  if (switches.some((s) => s === 'missing-origin-token-only' || s === 'token-only-digest-allowed'))
    epcscf.origin.missingOrigin = 'token-only'
  if (switches.some((s) => s === 'token-jti-one-time' || s === 'token-jti-replay-accepted')) {
    epcscf.token.jtiReplay = 'refuse'
    if (launcher.kind === 'reference' && !launcher.variants.includes('token-jti-one-time'))
      launcher.variants.push('token-jti-one-time')
  }
  environment = await HarnessEnvironment.start(loaded, Number(process.env.CUCUMBER_WORKER_ID ?? 0))
  return environment
}

function isAnchoredSwitch(name: string): boolean {
  return name === 'media-anchored' || name.startsWith('anchored-')
}

export function currentEnvironment(): HarnessEnvironment {
  if (environment === undefined)
    throw new EnvironmentMissing('the harness environment did not start (see the BeforeAll hook error)')
  return environment
}

export async function stopEnvironment(): Promise<void> {
  const running = environment
  environment = undefined
  await running?.stop()
}
