import { existsSync } from 'node:fs'
import { ProfileError } from '../errors.ts'
import { FAULT_DESCRIPTIONS } from '../epcscf/faults.ts'
import { ReferenceEpcscf } from '../epcscf/reference-epcscf.ts'
import { parseVariants } from '../epcscf/variants.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { PkiFiles } from './sut-pki.ts'
import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'

/** The embedded reference eP-CSCF, in this process, configured from the profile (the default SUT). */
export class ReferenceLauncher implements SutLauncher {
  constructor(
    private readonly profile: Profile,
    private readonly pki: PkiFiles,
    /** Share the WSS port with other processes running the same reference (the load run's shards). */
    private readonly shared: { readonly reusePort: boolean } = { reusePort: false },
  ) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    const { profile, pki } = this
    if (profile.launcher.kind !== 'reference')
      throw new Error('ReferenceLauncher needs launcher.kind reference')
    const faults = profile.launcher.faults
    faults.forEach((fault, index) => {
      if (!(fault in FAULT_DESCRIPTIONS))
        throw new ProfileError(
          `launcher.faults.${index}: unknown fault switch "${fault}"; known: ${Object.keys(FAULT_DESCRIPTIONS).join(', ')}`,
        )
    })
    const variants = [...parseVariants(profile.launcher.variants)]
    if (pki.serverCertPem === undefined || pki.serverKeyPem === undefined)
      throw new ProfileError('epcscf.tls.ca: the reference eP-CSCF needs the minted test PKI (ca: mint)')
    const tlsVersion = (v: string) => (v === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2')
    const vars = context.vars
    const epcscf = await ReferenceEpcscf.start({
      wss: {
        host: context.wss.host,
        port: context.wss.port,
        reusePort: this.shared.reusePort,
        path: profile.epcscf.wss.path,
        tls: {
          cert: pki.serverCertPem,
          key: pki.serverKeyPem,
          minVersion: tlsVersion(profile.epcscf.tls.minVersion),
          maxVersion: tlsVersion(profile.epcscf.tls.maxVersion),
        },
      },
      allowedOrigins: profile.epcscf.origin.allowed,
      missingOrigin: profile.epcscf.origin.missingOrigin,
      mw: { address: profile.epcscf.mw.address, port: Number(vars['mw.port']) },
      nextHop: { address: profile.scscf.address, port: Number(vars['scscf.port']), transport: 'UDP' },
      domain: profile.domain,
      identity: profile.epcscf.identity,
      integrityProtected: 'absent',
      ...tokenOptions(profile, vars),
      timers: profile.timers,
      trace: context.trace,
      faults,
      variants,
    })
    const switches = [
      ...(faults.length === 0 ? [] : [`fault ${faults.join(', ')}`]),
      ...(variants.length === 0 ? [] : [`variant ${variants.join(', ')}`]),
    ]
    const label = switches.length === 0 ? profile.name : `${profile.name} with ${switches.join(' and ')}`
    return {
      name: label,
      kind: 'reference',
      deathNotice: () => undefined,
      logs: async () => '',
      stop: () => epcscf.stop(),
    }
  }
}

/**
 * Web authentication (TR 23.701 X.2.1.3 step 4): the reference trusts the WWSF's key as a statically provisioned
 * eP-CSCF would, from the JWKS file the harness wrote, with the contract's issuer and audience.
 */
function tokenOptions(profile: Profile, vars: Readonly<Record<string, string>>) {
  const jwksFile = vars['wwsf.jwks']
  const issuer = vars['wwsf.issuer']
  if (!profile.wwsf.enabled || jwksFile === undefined || issuer === undefined || !existsSync(jwksFile))
    return {}
  return {
    token: {
      // Read again when the harness rewrites it (the WWSF's key rotation, profile epcscf.token.keyRotation).
      jwksFile,
      issuer,
      audience: profile.epcscf.identity,
      algorithms: [profile.wwsf.alg],
      claims: profile.wwsf.claims,
    },
  }
}
