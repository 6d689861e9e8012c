import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers'
import { EnvironmentMissing, ProfileError, SutStartFailed } from '../errors.ts'
import type { LaunchContext, StartedSut, SutLauncher } from './launcher.ts'
import { waitForTlsPort } from './port-probe.ts'
import { LogBuffer } from './process-launcher.ts'
import { registerSut } from './run-registry.ts'
import { renderFiles, renderTemplate, type TemplateFile } from './template.ts'

export interface ContainerLauncherOptions {
  /** Profile name, shown in every report. */
  readonly name: string
  /** Folder that relative template paths are resolved against (the profile's folder). */
  readonly baseDir?: string
  readonly kind?: 'container'
  /** A local image: no registry is reached (the image is never pulled). */
  readonly image: string
  /** Replaces the image's CMD; may hold placeholders. */
  readonly command?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** Rendered into the SUT files folder on the host, which is copied to `containerFilesDir`. */
  readonly files?: readonly TemplateFile[]
  /** Regular expression for a log line that says the SUT is up; the harness probes the WSS port after it. */
  readonly readyLog?: string
  /** Docker engine, e.g. `unix:///run/harness-docker.sock`; else `DOCKER_HOST`, else the harness's own engine. */
  readonly dockerHost?: string
  /** Where the SUT files folder appears in the container; `{{files.dir}}` names it in rendered files. */
  readonly containerFilesDir?: string
  /** Where the PKI (ca.crt, server.crt, server.key) appears in the container; `{{pki.dir}}` names it. */
  readonly containerPkiDir?: string
  /** SIGTERM → SIGKILL grace period when stopping. */
  readonly stopGraceMs?: number
}

/** Label on every container the harness starts; `.ci` scripts remove leftovers with it. */
export const SUT_CONTAINER_LABEL = 'epcscf-harness.sut'
const LAUNCH_LABEL = 'epcscf-harness.launch'
const HARNESS_ENGINE = '/run/harness-docker.sock'

/**
 * Runs the system under test as a container with testcontainers: host networking (the SUT reaches the mock
 * S-CSCF over UDP on loopback; testcontainers' port exposure is TCP only), the rendered files and the PKI copied
 * in, an optional ready log line, then a TLS probe of the WSS port from the host. With no registry and Ryuk off,
 * nothing else removes a container: this launcher removes it after a failed start and on stop.
 */
export class ContainerLauncher implements SutLauncher {
  constructor(private readonly options: ContainerLauncherOptions) {}

  async start(context: LaunchContext): Promise<StartedSut> {
    const { options } = this
    const deadline = performance.now() + context.startTimeoutMs
    const remaining = (): number => Math.max(1, Math.round(deadline - performance.now()))
    const filesDir = options.containerFilesDir ?? '/harness/files'
    const pkiDir = options.containerPkiDir ?? '/harness/pki'
    const vars = containerVars(context, filesDir, pkiDir)
    const render = (text: string, field: string): string => renderTemplate(text, vars, `launcher.${field}`)
    const dockerHost = options.dockerHost === undefined ? undefined : render(options.dockerHost, 'dockerHost')
    const tc = await loadTestcontainers(dockerHost)
    const client = await runtimeClient(tc)
    const image = render(options.image, 'image')
    await requireLocalImage(client, tc, image)

    mkdirSync(context.filesDir, { recursive: true })
    renderFiles(options.files ?? [], {
      baseDir: options.baseDir ?? process.cwd(),
      filesDir: context.filesDir,
      vars,
    })
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(options.env ?? {})) env[key] = render(value, `env.${key}`)

    const launchId = randomUUID()
    // Recorded before the container exists: a run killed while it starts still has it removed (run-registry.ts).
    const unregister = registerSut({
      kind: 'container',
      label: `${LAUNCH_LABEL}=${launchId}`,
      dockerHost: process.env.DOCKER_HOST,
      image,
    })
    const log = new LogBuffer()
    let logEnded: (() => void) | undefined
    const ended = new Promise<void>((resolveEnded) => (logEnded = resolveEnded))
    let container = new tc.GenericContainer(image)
      .withNetworkMode('host')
      .withEnvironment(env)
      .withLabels({ [SUT_CONTAINER_LABEL]: options.name, [LAUNCH_LABEL]: launchId })
      .withCopyDirectoriesToContainer([{ source: context.filesDir, target: filesDir }])
      .withStartupTimeout(remaining())
      .withLogConsumer((stream: Readable) => {
        stream.on('data', (chunk: Buffer | string) => log.append(chunk))
        stream.on('error', () => logEnded?.())
        stream.on('end', () => logEnded?.())
        stream.on('close', () => logEnded?.())
      })
    const pkiFiles = pkiFilesToCopy(context.vars['pki.dir'], pkiDir)
    if (pkiFiles.length > 0) container = container.withCopyFilesToContainer(pkiFiles)
    if (options.command !== undefined) {
      container = container.withCommand(options.command.map((part, i) => render(part, `command[${i}]`)))
    }
    if (options.readyLog !== undefined) {
      container = container.withWaitStrategy(tc.Wait.forLogMessage(new RegExp(options.readyLog)))
    }

    const where = `${context.wss.host}:${context.wss.port}`
    context.trace.note('sut', `starting container from ${image} (host network) for ${options.name}`)
    let started: StartedTestContainer
    const starting = container.start()
    try {
      started = await withDeadline(starting, remaining(), 'not ready')
    } catch (error) {
      // A start cut short by the deadline goes on in testcontainers: whatever it makes is removed when it settles.
      void starting.then(
        (late) => late.stop({ remove: true, removeVolumes: true }).catch(() => undefined),
        () => removeByLabel(client, launchId, log),
      )
      const logs = await removeByLabel(client, launchId, log)
      unregister()
      const timedOut = error instanceof Error && error.message.startsWith('not ready within')
      const why = timedOut
        ? `was not ready within the start timeout of ${context.startTimeoutMs} ms` +
          (options.readyLog ? ` (no log line matched /${options.readyLog}/)` : '')
        : `did not start: ${(error as Error).message}`
      throw new SutStartFailed(
        `container from image ${image} ${why}; the container was removed; last log lines:\n${logs || '(no output)'}`,
        { cause: error },
      )
    }

    const sut = new RunningContainer(
      options.name,
      image,
      started,
      client,
      log,
      options.stopGraceMs ?? 3000,
      unregister,
    )
    void ended.then(() => sut.noticeEnded())
    const probe = new AbortController()
    void ended.then(() => probe.abort(new Error('container stopped')))
    try {
      await waitForTlsPort({
        host: context.wss.host,
        port: context.wss.port,
        timeoutMs: remaining(),
        signal: probe.signal,
      })
    } catch (error) {
      const died = probe.signal.aborted
      const exit = await sut.exitDescription()
      await sut.stop()
      const why = died
        ? `the container ${exit} before its WSS port ${where} accepted TLS`
        : `its WSS port ${where} did not accept TLS within ${context.startTimeoutMs} ms`
      throw new SutStartFailed(
        `container from image ${image}: ${why}; the container was removed; last log lines:\n${log.tail(20) || '(no output)'}`,
        { cause: error },
      )
    }
    sut.markStarted()
    context.trace.note(
      'sut',
      `${options.name}: container ${started.getId().slice(0, 12)} accepts TLS on ${where}`,
    )
    return {
      name: options.name,
      kind: 'container',
      deathNotice: () => sut.deathNotice(),
      logs: async () => log.text(),
      stop: () => sut.stop(),
    }
  }
}

class RunningContainer {
  private started = false
  private stopping = false
  private ended: { at: Date; exit?: string } | undefined

  constructor(
    private readonly name: string,
    private readonly image: string,
    private readonly container: StartedTestContainer,
    private readonly client: ContainerRuntimeClient,
    private readonly log: LogBuffer,
    private readonly stopGraceMs: number,
    private readonly unregister: () => void,
  ) {}

  markStarted(): void {
    this.started = true
  }

  /** The log stream ended: the container stopped. Its exit status is looked up in the background. */
  noticeEnded(): void {
    if (this.ended !== undefined) return
    const ended: { at: Date; exit?: string } = { at: new Date() }
    this.ended = ended
    void this.exitDescription().then((exit) => (ended.exit = exit))
  }

  async exitDescription(): Promise<string> {
    try {
      const state = (
        await this.client.container.inspect(this.client.container.getById(this.container.getId()))
      ).State
      if (state.Running) return 'is running'
      return `exited with code ${state.ExitCode}${state.OOMKilled ? ' (killed: out of memory)' : ''}`
    } catch {
      return 'was removed'
    }
  }

  deathNotice(): string | undefined {
    if (!this.started || this.stopping || this.ended === undefined) return undefined
    return (
      `the system under test "${this.name}" (container ${this.container.getId().slice(0, 12)} from ${this.image}) ` +
      `${this.ended.exit ?? 'stopped'} at ${this.ended.at.toISOString()}; last log lines:\n${this.log.tail(10) || '(no output)'}`
    )
  }

  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    const id = this.container.getId()
    try {
      await this.container.stop({ timeout: this.stopGraceMs, remove: true, removeVolumes: true })
    } catch {
      // Already gone (killed or removed from outside), or the engine refused: make sure it is removed.
      await this.client.container
        .getById(id)
        .remove({ force: true, v: true })
        .catch(() => undefined)
    }
    await waitUntilGone(this.client, id, 15_000)
    this.unregister()
  }
}

/** Waits until the engine no longer knows the container (a removal on vfs can lag behind its API call). */
async function waitUntilGone(client: ContainerRuntimeClient, id: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms
  while (performance.now() < deadline) {
    try {
      const state = (await client.container.inspect(client.container.getById(id))).State
      if (state.Status !== 'removing') {
        await client.container
          .getById(id)
          .remove({ force: true, v: true })
          .catch(() => undefined)
      }
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return // gone
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100))
  }
}

type Testcontainers = typeof import('testcontainers')

/** Imports testcontainers with the settings this machine needs (Ryuk off, host override, the engine socket). */
async function loadTestcontainers(dockerHost: string | undefined): Promise<Testcontainers> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1'
  if (dockerHost !== undefined) process.env.DOCKER_HOST = dockerHost
  else if (
    process.env.DOCKER_HOST === undefined &&
    !existsSync('/var/run/docker.sock') &&
    existsSync(HARNESS_ENGINE)
  ) {
    process.env.DOCKER_HOST = `unix://${HARNESS_ENGINE}`
  }
  return import('testcontainers')
}

async function runtimeClient(tc: Testcontainers): Promise<ContainerRuntimeClient> {
  try {
    return await tc.getContainerRuntimeClient()
  } catch (error) {
    throw new EnvironmentMissing(
      `no Docker engine answers at ${process.env.DOCKER_HOST ?? 'the default socket'}: start one with ` +
        `.ci/start-dockerd.sh (${(error as Error).message})`,
      { cause: error },
    )
  }
}

async function requireLocalImage(
  client: ContainerRuntimeClient,
  tc: Testcontainers,
  image: string,
): Promise<void> {
  let exists: boolean
  try {
    exists = await client.image.exists(tc.ImageName.fromString(image))
  } catch (error) {
    throw new ProfileError(`launcher.image: ${image}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (!exists) {
    throw new SutStartFailed(
      `image ${image} not found locally (no registry here): build it with .ci/build-kamailio-image.sh ` +
        `(a vendor image: docker load it into the engine at ${process.env.DOCKER_HOST ?? 'the default socket'})`,
    )
  }
}

/**
 * The launch placeholders as the container sees them: the files folder and the PKI folder at their container
 * paths, and any other placeholder that names a path inside the files folder moved along with it.
 */
function containerVars(context: LaunchContext, filesDir: string, pkiDir: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [name, value] of Object.entries(context.vars)) {
    const rel = relative(context.filesDir, value)
    const inside = value.startsWith(context.filesDir + sep) && !rel.startsWith('..')
    vars[name] = inside ? `${filesDir}/${rel.split(sep).join('/')}` : value
  }
  vars['files.dir'] = filesDir
  vars['pki.dir'] = pkiDir
  return vars
}

/** ca.crt, server.crt, server.key and the like from the PKI folder (never a CA private key). */
function pkiFilesToCopy(dir: string | undefined, target: string): { source: string; target: string }[] {
  if (dir === undefined || !existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name !== 'ca.key' && /\.(crt|pem|key|jwks|json)$/.test(name))
    .map((name) => resolve(dir, name))
    .filter((path) => {
      const stat = statSync(path)
      return stat.isFile() && stat.size < 1024 * 1024
    })
    .map((source) => ({ source, target: join(target, source.slice(source.lastIndexOf(sep) + 1)) }))
}

/** Finds the launch's containers by label (stopped ones too), keeps their log, and removes them. Returns the log tail. */
async function removeByLabel(
  client: ContainerRuntimeClient,
  launchId: string,
  log: LogBuffer,
): Promise<string> {
  try {
    const found = await client.container.dockerode.listContainers({
      all: true,
      filters: { label: [`${LAUNCH_LABEL}=${launchId}`] },
    })
    for (const info of found) {
      const container = client.container.getById(info.Id)
      if (log.text() === '') {
        const stream = await client.container.logs(container, { follow: false, stdout: true, stderr: true })
        await withDeadline(
          new Promise<void>((resolveRead) => {
            stream.on('data', (chunk: Buffer | string) => log.append(chunk))
            stream.on('end', resolveRead)
            stream.on('error', () => resolveRead())
          }),
          3000,
          'container log',
        ).catch(() => undefined)
      }
      await container.remove({ force: true, v: true }).catch(() => undefined)
      await waitUntilGone(client, info.Id, 15_000)
    }
  } catch {
    // The engine may already have removed it; the log stays what we have.
  }
  return log.tail(20)
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
