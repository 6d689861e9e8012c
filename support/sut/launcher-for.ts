import { ProfileError } from '../errors.ts'
import type { LoadedProfile } from '../profile/load-profile.ts'
import type { PkiFiles } from './sut-pki.ts'
import { ExternalLauncher } from './external-launcher.ts'
import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'
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
      return lazy(
        async () =>
          new (await import('./process-launcher.ts')).ProcessLauncher({
            name: profile.name,
            baseDir,
            ...config,
          }),
      )
    case 'container':
      // testcontainers is loaded only when a profile asks for a container.
      return lazy(
        async () =>
          new (await import('./container-launcher.ts')).ContainerLauncher({
            name: profile.name,
            baseDir,
            ...config,
          }),
      )
    default:
      throw new ProfileError(`launcher.kind: unknown launcher ${JSON.stringify(config)}`)
  }
}

function lazy(load: () => Promise<SutLauncher>): SutLauncher {
  return { start: async (context: LaunchContext): Promise<StartedSut> => (await load()).start(context) }
}
