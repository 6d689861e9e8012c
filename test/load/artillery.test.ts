/**
 * Issue 12 §3: the registration workload runs under Artillery through the custom engine `wic`
 * (load/artillery/artillery-engine-wic, found through NODE_PATH=load/artillery). The test starts the reference
 * eP-CSCF and the mock core with load users in-process (support/load/load-environment.ts), runs a small Artillery
 * load (3 virtual users a second for 2 s, each registering and placing a call), and asserts Artillery's own counts
 * from its JSON output: every virtual user completed, every registration and call succeeded. No timing is asserted.
 * Ports: --port-base 29300 (WSS 29743, Mw 29360, mock S-CSCF 29370).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { LoadEnvironment } from '../../support/load/load-environment.ts'
import { loadProfile } from '../../support/profile/load-profile.ts'

const ARTILLERY = resolve('node_modules/.bin/artillery')

void describe(
  'Artillery runs the WIC registration workload through the engine wic (issue 12)',
  { timeout: 150_000 },
  () => {
    let env: LoadEnvironment
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'artillery-wic-'))
      env = await LoadEnvironment.start(loadProfile(undefined, process.cwd(), '29300'), 200)
    })
    after(async () => {
      await env?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    void it('completes every virtual user with its registration and call counted', async () => {
      const target = env.target('digest')
      const script = join(dir, 'register.yml')
      writeFileSync(
        script,
        [
          'config:',
          `  target: ${target.url}`,
          '  engines:',
          '    wic: {}',
          '  wic:',
          `    ca: ${join(env.pki.dir, 'ca.crt')}`,
          `    origin: ${target.origin}`,
          '    users: 200',
          '  phases:',
          '    - duration: 2',
          '      arrivalRate: 3',
          'scenarios:',
          '  - engine: wic',
          '    flow:',
          '      - register: {}',
          '      - call: {}',
          '',
        ].join('\n'),
      )
      const output = join(dir, 'report.json')
      const child = spawn(ARTILLERY, ['run', '--output', output, script], {
        env: { ...process.env, NODE_PATH: resolve('load/artillery'), ARTILLERY_DISABLE_TELEMETRY: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let log = ''
      child.stdout.on('data', (d: Buffer) => (log += d.toString()))
      child.stderr.on('data', (d: Buffer) => (log += d.toString()))
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
        child.once('exit', (c) => {
          clearTimeout(timer)
          resolve(c)
        })
      })
      assert.equal(code, 0, `artillery exited with ${code}:\n${log.slice(-3000)}`)
      const counters = (
        JSON.parse(readFileSync(output, 'utf8')) as { aggregate: { counters: Record<string, number> } }
      ).aggregate.counters
      const created = counters['vusers.created'] ?? 0
      assert.ok(created >= 6, `6 virtual users expected, Artillery created ${created}`)
      assert.equal(counters['vusers.completed'], created, JSON.stringify(counters))
      for (const type of ['connect', 'register', 'invite', 'bye']) {
        assert.equal(
          counters[`wic.${type}.attempts`],
          created,
          `${type} attempts: ${JSON.stringify(counters)}`,
        )
        assert.equal(counters[`wic.${type}.ok`], created, `${type} successes: ${JSON.stringify(counters)}`)
      }
      assert.deepEqual(
        Object.keys(counters).filter((k) => k.includes('.failed.')),
        [],
        'no failure counted',
      )
    })
  },
)
