import type { LoadedProfile } from '../profile/load-profile.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { PkiFiles } from '../sut/sut-pki.ts'
import { wwsfKeyFiles } from '../wwsf/key-files.ts'

/**
 * Ports of one cucumber worker. Each parallel worker runs its own mock S-CSCF and, when the harness launches the
 * SUT, its own SUT, on the profile's ports plus `portStride × worker index`. An external SUT has one set of
 * addresses, so it runs with one worker (the CLI enforces it).
 */
export interface WorkerPorts {
  readonly wss: number
  readonly mw: number
  readonly scscf: number
  /** 0: a free port. */
  readonly wwsf: number
  vars(loaded: LoadedProfile, pki: PkiFiles): Record<string, string>
}

export function workerPorts(profile: Profile, workerIndex: number): WorkerPorts {
  const offset = profile.launcher.kind === 'external' ? 0 : workerIndex * profile.portStride
  const wss = profile.epcscf.wss.port + offset
  const mw = profile.epcscf.mw.port + offset
  const scscf = profile.scscf.port + offset
  const wwsf = profile.wwsf.port === 0 ? 0 : profile.wwsf.port + offset
  return {
    wss,
    mw,
    scscf,
    wwsf,
    vars(loaded, pki) {
      const keyFiles = wwsfKeyFiles(pki.filesDir)
      return {
        'wss.host': profile.epcscf.wss.host,
        'wss.port': String(wss),
        'wss.path': profile.epcscf.wss.path,
        'mw.address': profile.epcscf.mw.address,
        'mw.port': String(mw),
        'scscf.address': profile.scscf.address,
        'scscf.port': String(scscf),
        'pki.dir': pki.dir,
        'files.dir': pki.filesDir,
        'profile.dir': loaded.baseDir,
        origin: profile.epcscf.origin.allowed[0] ?? '',
        origins: profile.epcscf.origin.allowed.join(' '),
        domain: profile.domain,
        identity: profile.epcscf.identity,
        'worker.index': String(workerIndex),
        'wwsf.host': profile.wwsf.host,
        'wwsf.port': String(wwsf),
        'wwsf.jwks': keyFiles.jwks,
        'wwsf.publicKeyPem': keyFiles.publicKeyPem,
        'wwsf.issuer': wwsfIssuer(profile),
      }
    },
  }
}

/** `iss` of the WWSF's tokens: the profile's, or the authorized WWSF origin (interop contract). */
export function wwsfIssuer(profile: Profile): string {
  return profile.wwsf.issuer ?? profile.epcscf.origin.allowed[0] ?? 'https://wwsf.harness.test:8443'
}
