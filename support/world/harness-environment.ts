import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ProfileError } from '../errors.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { LoadedProfile } from '../profile/load-profile.ts'
import { MockScscf } from '../scscf/mock-scscf.ts'
import type { StartedSut } from '../sut/launcher.ts'
import { TraceRecorder } from '../trace/trace-recorder.ts'
import { startCheckedSut } from './start-sut.ts'
import { workerPorts, type WorkerPorts } from './worker-ports.ts'
import { ensurePki, HARNESS_DIR, type PkiFiles } from '../sut/sut-pki.ts'
import { mintTestPki } from '../pki/test-pki.ts'
import { writeWwsfKeyFiles } from '../wwsf/key-files.ts'
import { SigningKeys } from '../wwsf/signing-keys.ts'
import { Wwsf } from '../wwsf/wwsf.ts'
import { wwsfIssuer } from './worker-ports.ts'

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
    /** The mock WWSF (W1), undefined when the profile disables it. */
    readonly wwsf: WwsfEndpoint | undefined,
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
      // TS 33.203 U.2: trusted nodes by host and optional port; default the eP-CSCF's Mw host on any port.
      trustedNodes: (profile.scscf.trustedNodes ?? [{ host: profile.epcscf.mw.address }]).map((n) =>
        n.port === undefined ? n.host : `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`,
      ),
      hostnames: profile.scscf.hostnames,
      recvBufferSize: profile.scscf.recvBufferSize,
      timers: profile.timers,
      trace,
    })
    let wwsf: WwsfEndpoint | undefined
    try {
      wwsf = await startWwsf(loaded, ports.wwsf, pki, trace)
      const vars = ports.vars(loaded, pki)
      if (wwsf !== undefined) {
        vars['wwsf.port'] = String(wwsf.server.port)
        vars['wwsf.jwksUrl'] = wwsf.server.jwksUrl
      }
      const sut = await startCheckedSut(loaded, pki, vars, ports.wss, trace)
      trace.note(
        'harness',
        `system under test "${sut.name}" (${sut.kind}) ready at wss://${profile.epcscf.wss.host}:${ports.wss}`,
      )
      return new HarnessEnvironment(loaded, ports, pki, trace, scscf, sut, wwsf)
    } catch (error) {
      await wwsf?.server.stop()
      await scscf.stop()
      throw error
    }
  }

  async stop(): Promise<void> {
    await this.sut.stop()
    await this.wwsf?.server.stop()
    await this.scscf.stop()
  }
}

/** The WWSF as the scenarios use it: the server, and the CA its certificate chains to (W1 trust anchor). */
export interface WwsfEndpoint {
  readonly server: Wwsf
  readonly caPem: string
}

/**
 * Starts this worker's WWSF with the profile's fixed key, or the key minted once into .harness/wwsf/ (so that an
 * eP-CSCF provisioned statically is configured once), and writes the public key into the SUT files folder. Its TLS
 * certificate is the minted server certificate (it names 127.0.0.1), or its own when the profile brings its CA.
 */
async function startWwsf(
  loaded: LoadedProfile,
  port: number,
  pki: PkiFiles,
  trace: TraceRecorder,
): Promise<WwsfEndpoint | undefined> {
  const { profile } = loaded
  if (!profile.wwsf.enabled) return undefined
  const keys =
    profile.wwsf.signingKey === undefined
      ? await SigningKeys.ensure(
          join(HARNESS_DIR, 'wwsf', `signing-key-${profile.wwsf.alg}.pem`),
          profile.wwsf.alg,
        )
      : await SigningKeys.fromPem(
          readPem(resolve(loaded.baseDir, profile.wwsf.signingKey), 'wwsf.signingKey'),
          profile.wwsf.alg,
        )
  writeWwsfKeyFiles(pki.filesDir, keys)
  let tls: { cert: string; key: string }
  let caPem: string
  if (pki.serverCertPem !== undefined && pki.serverKeyPem !== undefined) {
    tls = { cert: pki.serverCertPem, key: pki.serverKeyPem }
    caPem = pki.caPem
  } else {
    const own = await mintTestPki({ hosts: ['wwsf.harness.test', 'localhost'], ips: [profile.wwsf.host] })
    tls = own.server
    caPem = own.ca.cert
  }
  const server = await Wwsf.start({
    host: profile.wwsf.host,
    port,
    origin: profile.epcscf.origin.allowed[0] ?? 'https://wwsf.harness.test:8443',
    allowedOrigins: profile.epcscf.origin.allowed,
    issuer: wwsfIssuer(profile),
    audience: profile.epcscf.identity,
    tls,
    subscribers: profile.subscribers,
    trace,
    keys,
    claims: profile.wwsf.claims,
  })
  return { server, caPem }
}

export function readPem(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ProfileError(`${field}: cannot read ${path}: ${(error as Error).message}`)
  }
}
