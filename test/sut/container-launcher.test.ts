import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { mintTestPki, type TestPki } from '../../support/pki/test-pki.ts'
import {
  ContainerLauncher,
  SUT_CONTAINER_LABEL,
  type ContainerLauncherOptions,
} from '../../support/sut/container-launcher.ts'
import type { LaunchContext } from '../../support/sut/launcher.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { kamailioVars, rejectsWithEnvironmentError } from '../helpers/sut-launch.ts'

/**
 * The container launcher against the local Docker engine (.ci/start-dockerd.sh) and the Kamailio image
 * (.ci/build-kamailio-image.sh). Skipped, with the reason, where either is missing.
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1'
if (process.env.DOCKER_HOST === undefined && existsSync('/run/harness-docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///run/harness-docker.sock'
}
const IMAGE = process.env.KAMAILIO_IMAGE ?? 'epcscf-harness/kamailio:5.6'
const tc = await import('testcontainers')
const client = await tc.getContainerRuntimeClient().catch(() => undefined)
const engineSkip =
  client === undefined
    ? `no Docker engine at ${process.env.DOCKER_HOST ?? 'the default socket'} (.ci/start-dockerd.sh)`
    : false
const imageSkip =
  engineSkip ||
  ((await client?.image.exists(tc.ImageName.fromString(IMAGE))) === true
    ? false
    : `image ${IMAGE} is not built (.ci/build-kamailio-image.sh)`)
const origin = 'https://wwsf.harness.test:8443'
const sutDir = fileURLToPath(new URL('../../sut/kamailio/', import.meta.url))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function containersNamed(name: string): Promise<string[]> {
  assert.ok(client !== undefined)
  const all = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [`${SUT_CONTAINER_LABEL}=${name}`] },
  })
  return all.map((info) => info.Id)
}

void describe('container launcher', { timeout: 120_000 }, () => {
  let dir: string
  let pki: TestPki
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'container-launcher-'))
    pki = await mintTestPki({ dir: join(dir, 'pki'), hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] })
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function context(name: string, startTimeoutMs = 30_000, probePort?: number): Promise<LaunchContext> {
    const [wss, mw, scscf] = [await freePort(), await freePort(), await freePort()]
    const filesDir = join(dir, name)
    return {
      vars: kamailioVars({ dir, filesDir, ports: { wss, mw, scscf } }),
      startTimeoutMs,
      filesDir,
      wss: { host: '127.0.0.1', port: probePort ?? wss },
      caPem: pki.ca.cert,
      trace: new TraceRecorder(),
    }
  }

  function kamailio(name: string, extra: Partial<ContainerLauncherOptions> = {}): ContainerLauncher {
    return new ContainerLauncher({
      name,
      baseDir: sutDir,
      image: IMAGE,
      files: [
        { template: 'kamailio.cfg.tmpl', target: 'kamailio/kamailio.cfg' },
        { template: 'tls.cfg.tmpl', target: 'kamailio/tls.cfg' },
        { template: 'token_check.py.tmpl', target: 'kamailio/token_check.py' },
      ],
      readyLog: 'kamailio eP-CSCF ready',
      ...extra,
    })
  }

  void it(
    'a missing image fails fast with SUT_START_FAILED and says how to build it',
    { skip: engineSkip },
    async () => {
      const started = performance.now()
      await rejectsWithEnvironmentError(
        kamailio('missing-image', { image: 'epcscf-harness/no-such-image:0' }).start(
          await context('missing'),
        ),
        'SUT_START_FAILED',
        /image epcscf-harness\/no-such-image:0 not found locally \(no registry here\): build it with \.ci\/build-kamailio-image\.sh/,
      )
      assert.ok(performance.now() - started < 5000)
    },
  )

  void it(
    'runs Kamailio with host networking, reports its death, and removes it on stop',
    { skip: imageSkip },
    async () => {
      const ctx = await context('running')
      const started = performance.now()
      const sut = await kamailio('kamailio-container-test').start(ctx)
      const ms = Math.round(performance.now() - started)
      try {
        assert.equal(sut.kind, 'container')
        assert.ok(ms < 30_000, `started in ${ms} ms`)
        assert.match(await sut.logs(), /kamailio eP-CSCF ready/)
        const refused = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`wss://127.0.0.1:${ctx.wss.port}/`, 'sip', {
            origin: 'https://evil.example',
            ca: pki.ca.cert,
          })
          ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
          ws.once('open', () => reject(new Error('handshake from a foreign origin accepted')))
          ws.once('error', reject)
        })
        assert.equal(refused, 403)
        const ws = new WebSocket(`wss://127.0.0.1:${ctx.wss.port}/`, 'sip', {
          origin,
          ca: pki.ca.cert,
        })
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve())
          ws.once('error', reject)
        })
        assert.equal(ws.protocol, 'sip')
        ws.close()
        assert.equal(sut.deathNotice(), undefined)

        const [id] = await containersNamed('kamailio-container-test')
        assert.ok(id !== undefined)
        await client!.container.getById(id).kill()
        const deadline = Date.now() + 10_000
        while (sut.deathNotice() === undefined && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50))
        assert.match(
          sut.deathNotice() ?? '',
          /the system under test "kamailio-container-test" \(container [0-9a-f]{12} from .*\)/,
        )
      } finally {
        await sut.stop()
      }
      assert.deepEqual(await containersNamed('kamailio-container-test'), [], 'container removed')
    },
  )

  void it(
    'a container that exits at once fails at once, with its log, and is removed',
    { skip: imageSkip },
    async () => {
      const started = performance.now()
      await rejectsWithEnvironmentError(
        kamailio('exits-at-once', { command: ['-f', '/harness/files/no-such.cfg', '-DD', '-E'] }).start(
          await context('exits'),
        ),
        'SUT_START_FAILED',
        /container from image .* did not start: .*the container was removed; last log lines:\n(.|\n)*no-such\.cfg/,
      )
      assert.ok(performance.now() - started < 20_000)
      assert.deepEqual(await containersNamed('exits-at-once'), [])
    },
  )

  void it(
    'a WSS port that never opens fails at the deadline, and the container is removed',
    { skip: imageSkip },
    async () => {
      const ctx = await context('never', 10_000, await freePort())
      const started = performance.now()
      await rejectsWithEnvironmentError(
        kamailio('never-opens').start(ctx),
        'SUT_START_FAILED',
        new RegExp(
          `its WSS port 127\\.0\\.0\\.1:${ctx.wss.port} did not accept TLS within 10000 ms; the container was removed`,
        ),
      )
      const elapsed = performance.now() - started
      assert.ok(elapsed >= 9500 && elapsed < 20_000, `after ${Math.round(elapsed)} ms`)
      assert.deepEqual(await containersNamed('never-opens'), [])
    },
  )

  void it(
    'a start timeout shorter than the container start fails at the deadline; the late container is removed',
    { skip: imageSkip },
    async () => {
      const started = performance.now()
      await rejectsWithEnvironmentError(
        kamailio('too-slow').start(await context('slow', 300)),
        'SUT_START_FAILED',
        /was not ready within the start timeout of 300 ms \(no log line matched \/kamailio eP-CSCF ready\/\); the container was removed/,
      )
      assert.ok(performance.now() - started < 2000)
      const deadline = Date.now() + 20_000
      let left = await containersNamed('too-slow')
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
        left = await containersNamed('too-slow')
      }
      assert.deepEqual(left, [])
    },
  )
})
