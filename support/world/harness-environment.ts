import { readFileSync } from 'node:fs'
import { HarnessError } from '../errors.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { LoadedProfile } from '../profile/load-profile.ts'
import { MockScscf } from '../scscf/mock-scscf.ts'
import { launcherFor } from '../sut/launcher-for.ts'
import type { StartedSut } from '../sut/launcher.ts'
import { TraceRecorder } from '../trace/trace-recorder.ts'
import { workerPorts, type WorkerPorts } from './worker-ports.ts'
import { ensurePki, type PkiFiles } from '../sut/sut-pki.ts'

/**
 * What one cucumber worker runs for all its scenarios: the mock I/S-CSCF with its HSS, the system under test
 * (started by its launcher, or already running), and the trace recorder they all write to. Built in BeforeAll,
 * because a World constructor cannot be asynchronous and would start them once per scenario.
 */
export class HarnessEnvironment {
  private constructor(
    readonly loaded: LoadedProfile,
    readonly ports: WorkerPorts,
    readonly pki: PkiFiles,
    readonly trace: TraceRecorder,
    readonly scscf: MockScscf,
    readonly sut: StartedSut,
  ) {}

  get profile(): Profile {
    return this.loaded.profile
  }

  /** `wss://127.0.0.1:7443/` for this worker. */
  get wssUrl(): string {
    const { host, path } = this.profile.epcscf.wss
    return `wss://${host}:${this.ports.wss}${path}`
  }

  get caPem(): string {
    return this.pki.caPem
  }

  static async start(loaded: LoadedProfile, workerIndex: number): Promise<HarnessEnvironment> {
    const profile = loaded.profile
    const ports = workerPorts(profile, workerIndex)
    const trace = new TraceRecorder()
    const pki = await ensurePki(loaded, workerIndex)
    const scscf = await MockScscf.start({
      address: profile.scscf.address,
      port: ports.scscf,
      domain: profile.domain,
      algorithms: profile.scscf.algorithms,
      nonceLifetimeS: profile.scscf.nonceLifetimeS,
      subscribers: profile.subscribers,
      trustedNodes: [`${profile.epcscf.mw.address}:${ports.mw}`],
      timers: profile.timers,
      trace,
    })
    try {
      const sut = await launcherFor(loaded, pki).start({
        vars: ports.vars(loaded, pki),
        startTimeoutMs: profile.startTimeoutMs,
        filesDir: pki.filesDir,
        wss: { host: profile.epcscf.wss.host, port: ports.wss },
        caPem: pki.caPem,
        trace,
      })
      trace.note(
        'harness',
        `system under test "${sut.name}" (${sut.kind}) ready at wss://${profile.epcscf.wss.host}:${ports.wss}`,
      )
      return new HarnessEnvironment(loaded, ports, pki, trace, scscf, sut)
    } catch (error) {
      await scscf.stop()
      throw error
    }
  }

  async stop(): Promise<void> {
    await this.sut.stop()
    await this.scscf.stop()
  }
}

export function readPem(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new HarnessError('PROFILE_INVALID', `${field}: cannot read ${path}: ${(error as Error).message}`)
  }
}
