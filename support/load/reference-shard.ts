/**
 * One shard of the reference eP-CSCF, a child process of a load run (reference-shards.ts): it starts the
 * reference from the profile with the WSS port shared (SO_REUSEPORT) and its own Mw port, says `ready`, and on
 * `stop` closes it and exits. It exits too when the run that forked it is gone (the IPC channel closes), so that
 * no shard outlives its run.
 */
import { ReferenceLauncher } from '../sut/reference-launcher.ts'
import type { StartedSut } from '../sut/launcher.ts'
import { loadTrace } from './load-config.ts'
import type { ShardReply, ShardRequest } from './reference-shards.ts'

let sut: StartedSut | undefined

function reply(message: ShardReply): void {
  process.send?.(message)
}

async function stop(code: number): Promise<never> {
  await sut?.stop().catch(() => undefined)
  reply({ kind: 'stopped' })
  process.exit(code)
}

process.once('disconnect', () => void stop(0))
// Ctrl-C reaches the whole process group: the run handles it and stops its shards after its generators.
process.on('SIGINT', () => undefined)
process.on('message', (message: ShardRequest) => {
  if (message.kind === 'stop') {
    void stop(0)
    return
  }
  const { profile, pki, context } = message
  new ReferenceLauncher(profile, pki, { reusePort: true }).start({ ...context, trace: loadTrace() }).then(
    (started) => {
      sut = started
      reply({ kind: 'ready', pid: process.pid })
    },
    (error: unknown) => {
      reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
      void stop(1)
    },
  )
})
