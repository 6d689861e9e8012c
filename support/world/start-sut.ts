import type { LoadedProfile } from '../profile/load-profile.ts'
import { preflightCertificate } from '../pki/certificate-preflight.ts'
import { launcherFor } from '../sut/launcher-for.ts'
import type { StartedSut, SutLauncher } from '../sut/launcher.ts'
import type { PkiFiles } from '../sut/sut-pki.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'

/**
 * Starts the profile's system under test with these template variables and checks the certificate its WSS port
 * presents (the preflight); a SUT whose certificate check fails is stopped again before the error is thrown. Used
 * by the scenarios' environment and by the load run's (support/load), which may pass its own launcher (the
 * reference split over processes).
 */
export async function startCheckedSut(
  loaded: LoadedProfile,
  pki: PkiFiles,
  vars: Record<string, string>,
  wssPort: number,
  trace: TraceRecorder,
  launcher: SutLauncher = launcherFor(loaded, pki),
): Promise<StartedSut> {
  const { profile } = loaded
  const sut = await launcher.start({
    vars,
    startTimeoutMs: profile.startTimeoutMs,
    filesDir: pki.filesDir,
    wss: { host: profile.epcscf.wss.host, port: wssPort },
    caPem: pki.caPem,
    trace,
  })
  await preflightCertificate({
    host: profile.epcscf.wss.host,
    port: wssPort,
    servername: profile.epcscf.wss.serverName,
    caPem: pki.caPem,
    timeoutMs: profile.waitMs,
  }).catch(async (error: unknown) => {
    await sut.stop()
    throw error
  })
  return sut
}
