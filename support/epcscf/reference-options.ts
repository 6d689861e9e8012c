import type { SecureVersion } from 'node:tls'
import type { TimerSettings } from '../transaction/timers.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { FaultName } from './faults.ts'
import type { MissingOriginPolicy } from './origin-policy.ts'
import type { IntegrityProtectedPolicy } from './register-proxy.ts'
import type { TokenVerifierOptions } from './token-verifier.ts'
import type { VariantName } from './variants.ts'

/** How the reference eP-CSCF (reference-epcscf.ts) is started: its addresses, policies and switches. */
export interface ReferenceEpcscfOptions {
  readonly wss: {
    readonly host: string
    /** 0 picks a free port (see `wssPort`). */
    readonly port: number
    /** Share the port with other processes (SO_REUSEPORT): see WssListenOptions.reusePort. */
    readonly reusePort?: boolean
    readonly path?: string
    readonly tls: {
      readonly cert: string
      readonly key: string
      /** Default TLSv1.2 (TS 33.210 §6.2.1: TLS 1.0 and 1.1 shall not be supported). */
      readonly minVersion?: SecureVersion
      /** Default TLSv1.3. */
      readonly maxVersion?: SecureVersion
    }
  }
  /** Authorized WWSF origins (exact scheme, host and port). Default `https://wwsf.harness.test:8443`. */
  readonly allowedOrigins?: readonly string[]
  /** Default `refuse`. */
  readonly missingOrigin?: MissingOriginPolicy
  /** Own Mw address, UDP and TCP. Default 127.0.0.1:5060; port 0 picks a free one (see `mwPort`). */
  readonly mw?: { readonly address: string; readonly port: number }
  /** The I/S-CSCF all REGISTERs and originating requests go to. Default 127.0.0.1:5070 over UDP. */
  readonly nextHop?: { readonly address: string; readonly port: number; readonly transport?: 'UDP' | 'TCP' }
  /** Home domain / realm. Default `ims.harness.test`. */
  readonly domain?: string
  /** The eP-CSCF identity (token audience). Default `sip:epcscf.harness.test`. */
  readonly identity?: string
  /** P-Visited-Network-ID value. Default: the domain. */
  readonly visitedNetworkId?: string
  /** `integrity-protected` on forwarded digest REGISTERs. Default `absent`. */
  readonly integrityProtected?: IntegrityProtectedPolicy
  /** RFC 3261 timer base values. Default 500/4000/5000 ms. */
  readonly timers?: TimerSettings
  /** Deadline for the next hop's answer before the WIC gets 408. Default 32*T1 (half the WIC's Timer F). */
  readonly responseTimeoutMs?: number
  /** Web authentication (token → TNA). Absent: Bearer REGISTERs get 403. `audience` defaults to `identity`. */
  readonly token?: Omit<TokenVerifierOptions, 'audience'> & { readonly audience?: string }
  readonly trace: TraceRecorder
  /** Observer name in the trace. Default `reference eP-CSCF`. */
  readonly observer?: string
  /** Fault switches (faults.ts); an unknown name is a PROFILE_INVALID error. */
  readonly faults?: Iterable<FaultName | string>
  /** Variant switches (variants.ts): legitimate variations; an unknown name is a PROFILE_INVALID error. */
  readonly variants?: Iterable<VariantName | string>
  /** Interval of the `options-probes` variant's OPTIONS probes. Default 300 ms. */
  readonly probeIntervalMs?: number
  /**
   * An outbound Mw TCP connection idle this long is closed. Default 300 s: longer than Timer C ("MUST be set for
   * each client transaction when an INVITE request is proxied [...] greater than 3 minutes", RFC 3261 §16.6 step
   * 11), so that a ringing INVITE's connection is never closed under it.
   */
  readonly mwTcpIdleMs?: number
}
