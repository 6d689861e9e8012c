import { SutUnreachable } from '../errors.ts'
import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'
import { probeTlsOnce, waitForTlsPort } from './port-probe.ts'

/** How long the start waits for an external SUT's TLS handshake. */
const EXTERNAL_READY_MS = 5000

/**
 * How long each attempt of the health probe of an external SUT waits for its TLS handshake. A busy SUT (or a
 * loaded machine) may take seconds; a refused connection fails at once. Two attempts before "unreachable".
 */
const PROBE_ATTEMPTS_MS = [3000, 5000] as const

/**
 * An eP-CSCF that is already running at the profile's addresses; the harness checks that it answers TLS at the
 * start, and again (`probe`) whenever a scenario fails on transport, so that an external SUT that died mid-run is
 * an environment error (SUT_UNREACHABLE) with the evidence, not a row of conformance failures (issue 7).
 */
export class ExternalLauncher implements SutLauncher {
  constructor(private readonly name: string) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    const { host, port } = context.wss
    // An external SUT is running already: it answers at once, or it is not there (no reason to wait the whole
    // startTimeoutMs, which is for SUTs the harness launches).
    const timeoutMs = Math.min(context.startTimeoutMs, EXTERNAL_READY_MS)
    await waitForTlsPort({ host, port, timeoutMs }).catch((error: unknown) => {
      throw new SutUnreachable(
        `the external system under test "${this.name}" does not answer TLS at wss://${host}:${port} ` +
          `(epcscf.wss.host/port of the profile): is it running? ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    })
    let notice: string | undefined
    const name = this.name
    return {
      name,
      kind: 'external',
      deathNotice: () => notice,
      async probe(): Promise<string | undefined> {
        const started = new Date()
        const failures: string[] = []
        for (const timeoutMs of PROBE_ATTEMPTS_MS) {
          try {
            await probeTlsOnce({ host, port, timeoutMs })
            if (notice !== undefined)
              context.trace.note('sut', `${name}: WSS port ${host}:${port} answers TLS again`)
            notice = undefined
            return notice
          } catch (error) {
            failures.push(error instanceof Error ? describeError(error) : String(error))
          }
        }
        notice =
          `the external system under test "${name}" at ${host}:${port} did not complete a TLS handshake ` +
          `when probed from ${started.toISOString()} (${failures.length} attempts: ${failures.join('; ')}): ` +
          `it is down or unreachable`
        context.trace.note('sut', notice)
        return notice
      },
      logs: async () => '',
      stop: async () => {},
    }
  }
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code
  return code !== undefined && !error.message.includes(code) ? `${code} ${error.message}` : error.message
}
