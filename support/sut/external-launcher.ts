import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'
import { waitForTlsPort } from './port-probe.ts'

/** An eP-CSCF that is already running at the profile's addresses; the harness only checks that it answers TLS. */
export class ExternalLauncher implements SutLauncher {
  constructor(private readonly name: string) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    await waitForTlsPort({
      host: context.wss.host,
      port: context.wss.port,
      timeoutMs: context.startTimeoutMs,
    })
    return {
      name: this.name,
      kind: 'external',
      deathNotice: () => undefined,
      logs: async () => '',
      stop: async () => {},
    }
  }
}
