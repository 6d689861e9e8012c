import { join, resolve } from 'node:path'
import type { LoadedProfile } from '../profile/load-profile.ts'
import type { StartedSut } from '../sut/launcher.ts'
import { ensurePki, HARNESS_DIR, type PkiFiles } from '../sut/sut-pki.ts'
import { startCheckedSut } from '../world/start-sut.ts'
import { workerPorts, wwsfIssuer, type WorkerPorts } from '../world/worker-ports.ts'
import { writeWwsfKeyFiles } from '../wwsf/key-files.ts'
import { SigningKeys } from '../wwsf/signing-keys.ts'
import { CoreThread } from './core-thread.ts'
import { ReferenceShards } from './reference-shards.ts'
import { BAD_ORIGIN, loadTrace, type TargetConfig } from './load-config.ts'

/**
 * What a load run stands on, started as the conformance run starts it (support/world/harness-environment.ts):
 * the profile's ports (with `--port-base`), the test PKI, the WWSF's signing key written for the SUT, the mock
 * I/S-CSCF (here in a thread of its own, with the load users in its HSS), the SUT through the profile's launcher,
 * and the certificate preflight. No WWSF server: the generator mints tokens with the same key.
 */
export class LoadEnvironment {
  private constructor(
    readonly loaded: LoadedProfile,
    readonly ports: WorkerPorts,
    readonly pki: PkiFiles,
    readonly core: CoreThread,
    readonly sut: StartedSut,
    private readonly keyFile: string,
  ) {}

  /**
   * `sutProcesses` > 0 runs the embedded reference in that many processes of its own (ReferenceShards) rather
   * than in this one; only for the reference launcher.
   */
  static async start(loaded: LoadedProfile, users: number, sutProcesses = 0): Promise<LoadEnvironment> {
    const { profile } = loaded
    const ports = workerPorts(profile, 0)
    const pki = await ensurePki(loaded, 0)
    const { alg, signingKey } = profile.wwsf
    const keyFile =
      signingKey === undefined
        ? join(HARNESS_DIR, 'wwsf', `signing-key-${alg}.pem`)
        : resolve(loaded.baseDir, signingKey)
    writeWwsfKeyFiles(pki.filesDir, await SigningKeys.ensure(keyFile, alg))
    const core = await CoreThread.start(
      {
        options: {
          address: profile.scscf.address,
          port: ports.scscf,
          domain: profile.domain,
          algorithms: profile.scscf.algorithms,
          nonceLifetimeS: profile.scscf.nonceLifetimeS,
          trustedNodes: (profile.scscf.trustedNodes ?? [{ host: profile.epcscf.mw.address }]).map((n) =>
            n.port === undefined ? n.host : `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`,
          ),
          hostnames: profile.scscf.hostnames,
          recvBufferSize: profile.scscf.recvBufferSize,
          timers: profile.timers,
        },
        subscribers: profile.subscribers,
        users,
        domain: profile.domain,
      },
      profile.startTimeoutMs,
    )
    try {
      // The SUT's own trace (the reference eP-CSCF records into it) is kept small: a load run has no ladder.
      const trace = loadTrace()
      const shards = sutProcesses > 0 ? new ReferenceShards(profile, pki, sutProcesses) : undefined
      const sut = await startCheckedSut(loaded, pki, ports.vars(loaded, pki), ports.wss, trace, shards)
      return new LoadEnvironment(loaded, ports, pki, core, sut, keyFile)
    } catch (error) {
      await core.stop()
      throw error
    }
  }

  /** What a generator thread needs to reach this SUT. */
  target(auth: 'digest' | 'token'): TargetConfig {
    const { profile } = this.loaded
    const { host, path, serverName } = profile.epcscf.wss
    return {
      url: `wss://${host}:${this.ports.wss}${path}`,
      origin: profile.epcscf.origin.allowed[0] ?? 'https://wwsf.harness.test:8443',
      badOrigin: BAD_ORIGIN,
      caPem: this.pki.caPem,
      servername: serverName,
      host,
      port: this.ports.wss,
      domain: profile.domain,
      waitMs: profile.waitMs,
      timers: profile.timers,
      ...(auth === 'token'
        ? {
            token: {
              keyFile: this.keyFile,
              alg: profile.wwsf.alg,
              issuer: wwsfIssuer(profile),
              audience: profile.epcscf.identity,
              claims: profile.wwsf.claims,
              carriage: profile.wwsf.carriage,
            },
          }
        : {}),
    }
  }

  async stop(): Promise<void> {
    await this.sut.stop()
    await this.core.stop()
  }
}
