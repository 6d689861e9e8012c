import type { ChildProcess } from 'node:child_process'
import { SutStartFailed } from '../errors.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { LaunchContext, StartedSut, SutLauncher } from '../sut/launcher.ts'
import type { PkiFiles } from '../sut/sut-pki.ts'
import { workerPorts } from '../world/worker-ports.ts'
import { childExited, exitText, forkModule } from './forked.ts'

/** To a shard: start with this profile and context (its own `mw.port`), or stop. */
export type ShardRequest =
  | {
      readonly kind: 'start'
      readonly profile: Profile
      readonly pki: PkiFiles
      readonly context: Omit<LaunchContext, 'trace'>
    }
  | { readonly kind: 'stop' }

/** From a shard. */
export type ShardReply =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'stopped' }

/**
 * The embedded reference eP-CSCF split over `count` processes for a load run (`npm run load -- --sut-processes
 * N`): one process cannot hold more WebSockets than its open-file limit (20,000 on the project's machine), and
 * one event loop uses one core. Every shard listens on the profile's WSS port with SO_REUSEPORT, so the kernel
 * spreads the WICs' connections over them; each has its own Mw port (shard i takes the Mw port of worker i,
 * `portStride` apart), which its Path names, so the mock core reaches each WIC through its own shard. The mock
 * core trusts them all: its trusted nodes name the Mw host, not a port.
 */
export class ReferenceShards implements SutLauncher {
  constructor(
    private readonly profile: Profile,
    private readonly pki: PkiFiles,
    private readonly count: number,
  ) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    const { profile, pki, count } = this
    const children: ChildProcess[] = []
    let died: string | undefined
    let stopping = false
    const stopAll = async (): Promise<void> => {
      stopping = true
      for (const child of children) if (child.connected) child.send({ kind: 'stop' } satisfies ShardRequest)
      await Promise.all(children.map((child) => childExited(child, 5000)))
    }
    try {
      await Promise.all(
        Array.from({ length: count }, (_, index) => {
          const child = forkModule(new URL('./reference-shard.ts', import.meta.url))
          children.push(child)
          child.once('exit', (code, signal) => {
            if (!stopping)
              died ??= `reference shard ${index} (pid ${child.pid ?? '?'}) ${exitText(code, signal)}`
          })
          // The trace stays here (a shard keeps its own small one); shard i takes worker i's Mw port.
          const shardContext = {
            vars: { ...context.vars, 'mw.port': String(workerPorts(profile, index).mw) },
            startTimeoutMs: context.startTimeoutMs,
            filesDir: context.filesDir,
            wss: context.wss,
            caPem: context.caPem,
          }
          child.send({ kind: 'start', profile, pki, context: shardContext } satisfies ShardRequest)
          return shardReady(child, index, context.startTimeoutMs)
        }),
      )
    } catch (error) {
      await stopAll()
      throw error
    }
    return {
      name: `${profile.name} in ${count} processes (pids ${children.map((child) => child.pid ?? '?').join(', ')})`,
      kind: 'reference',
      deathNotice: () => died,
      logs: async () => '',
      stop: stopAll,
    }
  }
}

/** Waits for a shard's `ready`; its failure, its exit or the deadline is a SutStartFailed naming the shard. */
function shardReady(child: ChildProcess, index: number, deadlineMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer)
      child.off('exit', onExit)
      reject(new SutStartFailed(`reference shard ${index} did not start: ${why}`))
    }
    const timer = setTimeout(() => fail(`no ready within ${deadlineMs} ms`), deadlineMs)
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(exitText(code, signal))
    child.once('exit', onExit)
    child.on('message', (reply: ShardReply) => {
      if (reply.kind === 'ready') {
        clearTimeout(timer)
        child.off('exit', onExit)
        resolve()
      } else if (reply.kind === 'failed') fail(reply.message)
    })
  })
}
