import { HarnessError } from '../errors.ts'
import type { LoadedProfile } from '../profile/load-profile.ts'
import type { PkiFiles } from '../world/pki-files.ts'
import { ContainerLauncher } from './container-launcher.ts'
import { ExternalLauncher } from './external-launcher.ts'
import type { SutLauncher } from './launcher.ts'
import { ProcessLauncher } from './process-launcher.ts'
import { ReferenceLauncher } from './reference-launcher.ts'

/** The launcher the profile's `launcher.kind` names. */
export function launcherFor(loaded: LoadedProfile, pki: PkiFiles): SutLauncher {
  const { profile, baseDir } = loaded
  const config = profile.launcher
  switch (config.kind) {
    case 'reference':
      return new ReferenceLauncher(profile, pki)
    case 'external':
      return new ExternalLauncher(profile.name)
    case 'process':
      return new ProcessLauncher({ name: profile.name, baseDir, ...config })
    case 'container':
      return new ContainerLauncher({ name: profile.name, baseDir, ...config })
    default:
      throw new HarnessError('PROFILE_INVALID', `launcher.kind: unknown launcher ${JSON.stringify(config)}`)
  }
}
