import type { TraceRecorder } from '../trace/trace-recorder.ts'

/**
 * How the harness meets a system under test (an eP-CSCF). A launcher turns the profile's `launcher` section into
 * a running SUT; `StartedSut` is what the rest of the harness talks to. Ports and paths in the profile may use
 * placeholders (`{{wss.port}}`, `{{mw.port}}`, `{{scscf.port}}`, `{{pki.dir}}`, `{{files.dir}}`,
 * `{{wwsf.jwks}}`, `{{wwsf.publicKeyPem}}`, `{{origin}}`, `{{domain}}`), filled from `LaunchContext.vars`.
 */
export interface LaunchContext {
  /** Placeholder values, already offset for this worker's ports. */
  readonly vars: Readonly<Record<string, string>>
  /** Deadline for the SUT to accept TLS on its WSS port. */
  readonly startTimeoutMs: number
  /** Folder the harness writes the SUT's files into (certificates, keys, JWKS, rendered configs). */
  readonly filesDir: string
  readonly wss: { readonly host: string; readonly port: number }
  /** PEM of the CA the harness trusts for the SUT's WSS certificate. */
  readonly caPem: string
  readonly trace: TraceRecorder
}

export interface StartedSut {
  /** Profile name, shown in every report. */
  readonly name: string
  readonly kind: 'reference' | 'external' | 'process' | 'container'
  /**
   * Undefined while the SUT is healthy; once it has died (process exited, container gone), a sentence saying
   * so, which turns scenario failures into environment errors.
   */
  deathNotice(): string | undefined
  /**
   * For a SUT the harness did not start (external): probes it now (a TLS handshake with its WSS port) and returns
   * undefined when it answers, else the evidence that it no longer does (also kept as its `deathNotice` until a
   * later probe succeeds). A launched SUT has no probe: its process or container says when it dies.
   */
  probe?(): Promise<string | undefined>
  /** Its log so far (stdout and stderr, or the container log); '' when the harness has none. */
  logs(): Promise<string>
  stop(): Promise<void>
}

export interface SutLauncher {
  start(context: LaunchContext): Promise<StartedSut>
}
