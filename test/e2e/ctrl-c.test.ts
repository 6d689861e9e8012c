/**
 * Issue 7: Ctrl-C (SIGINT) or SIGTERM to `npm start` during a run against Kamailio as a process (and, when a Docker
 * engine with the image is there, as a container) stops cucumber and every launched Kamailio (two workers, so two
 * SUTs), ends with the environment exit code 3 (interrupted), and leaves no process, container or bound port.
 * Ports of its own: 63443/63060/63070/64443 (+100 for the second worker).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { alive, nothingOutlives, portFree, runHarness } from '../hostile/harness-run.ts'
import { processesWith } from '../sut/sut-processes.ts'

const kamailio = spawnSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' }).stdout.trim()
const PORTS = [63443, 63543, 63060, 63160, 63070, 63170, 64443, 64543]

const ENGINE = process.env.DOCKER_HOST ?? 'unix:///run/harness-docker.sock'
const IMAGE = 'epcscf-harness/kamailio:5.6'
const engineReady =
  spawnSync('docker', ['-H', ENGINE, 'image', 'inspect', IMAGE], { stdio: 'ignore', timeout: 10_000 })
    .status === 0

/** Containers (running or not) the container launcher labelled with this profile name. */
function containersOf(name: string): string[] {
  const listed = spawnSync(
    'docker',
    ['-H', ENGINE, 'ps', '--all', '--quiet', '--filter', `label=epcscf-harness.sut=${name}`],
    { encoding: 'utf8', timeout: 10_000 },
  )
  return listed.stdout.split('\n').filter((id) => id !== '')
}

function profile(name: string, kind: 'process' | 'container' = 'process'): string {
  return readFileSync(resolve(`profiles/kamailio-${kind}.yaml`), 'utf8')
    .replace(/^name: .*$/m, `name: ${name}`)
    .replaceAll('../sut/', `${resolve('sut')}/`)
    .replace(/^epcscf:\n/m, 'epcscf:\n  wss: { port: 63443 }\n  mw: { port: 63060 }\n')
    .concat('\nscscf: { port: 63070 }\nwwsf: { port: 64443 }\n')
}

void describe(
  'Ctrl-C during a run against Kamailio as a process (issue 7)',
  {
    timeout: 5 * 60_000,
    skip: kamailio === '' ? 'kamailio is not installed (.ci/install-debian-packages.sh)' : false,
  },
  () => {
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ctrl-c-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      void it(`${signal} to npm start leaves no process and no bound port, exit code 3`, async () => {
        const name = `kamailio-${signal.toLowerCase()}`
        for (const port of PORTS) assert.ok(await portFree(port), `port ${port} is free before the run`)
        let harnessPid = 0
        let signalledAt: number | undefined
        // Once both workers' Kamailio run (and a moment for a scenario to start), the signal goes to the harness.
        const poller = setInterval(() => {
          if (signalledAt !== undefined || harnessPid === 0) return
          const up = [0, 1].every((w) => processesWith(`${name}/worker-${w}/kamailio`).length > 0)
          if (!up) return
          signalledAt = performance.now() + 1000
          setTimeout(() => process.kill(harnessPid, signal), 1000)
        }, 50)
        const run = await runHarness({
          dir: join(dir, name),
          profile: profile(name),
          args: ['--parallel', '2'],
          onOutput: (_output, pid) => (harnessPid = pid),
        }).finally(() => clearInterval(poller))
        assert.ok(signalledAt !== undefined, `Kamailio never came up:\n${run.output.slice(-3000)}`)
        const stopMs = Math.round(performance.now() - signalledAt)
        assert.equal(run.code, 3, run.output.slice(-3000))
        assert.match(run.output, new RegExp(`${signal}: stopping cucumber and every system under test`))
        assert.match(run.output, /interrupted/)
        assert.ok(stopMs < 20_000, `stopped ${stopMs} ms after the signal`)
        assert.equal(alive(run.cucumberPid), false, 'cucumber is gone')
        assert.deepEqual(processesWith(name), [], 'no Kamailio (nor unshare) is left')
        await nothingOutlives(run, join(dir, name, 'harness'), PORTS)
      })
    }
  },
)

void describe(
  'Ctrl-C during a run against Kamailio as a container (issue 7)',
  {
    timeout: 5 * 60_000,
    skip: engineReady
      ? false
      : `no Docker engine with ${IMAGE} at ${ENGINE} (.ci/start-dockerd.sh, .ci/build-kamailio-image.sh)`,
  },
  () => {
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ctrl-c-container-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    void it('SIGINT to npm start leaves no container and no bound port, exit code 3', async () => {
      const name = 'kamailio-container-sigint'
      for (const port of PORTS) assert.ok(await portFree(port), `port ${port} is free before the run`)
      let harnessPid = 0
      let signalledAt: number | undefined
      const poller = setInterval(() => {
        if (signalledAt !== undefined || harnessPid === 0 || containersOf(name).length < 2) return
        signalledAt = performance.now() + 2000
        setTimeout(() => process.kill(harnessPid, 'SIGINT'), 2000)
      }, 500)
      const run = await runHarness({
        dir: join(dir, name),
        profile: profile(name, 'container'),
        args: ['--parallel', '2'],
        env: { DOCKER_HOST: ENGINE },
        onOutput: (_output, pid) => (harnessPid = pid),
      }).finally(() => clearInterval(poller))
      assert.ok(signalledAt !== undefined, `the containers never came up:\n${run.output.slice(-3000)}`)
      assert.equal(run.code, 3, run.output.slice(-3000))
      assert.match(run.output, /SIGINT: stopping cucumber and every system under test/)
      assert.deepEqual(containersOf(name), [], 'no container is left')
      await nothingOutlives(run, join(dir, name, 'harness'), PORTS)
    })
  },
)
