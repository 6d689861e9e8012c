/**
 * Issue 10, "Done when": a run with the clock 400 days ahead still passes against the reference eP-CSCF. The test
 * PKI is minted with the real clock into a HARNESS_DIR of its own (as a vendor's `.harness/pki` kept across runs),
 * then `npm start` runs a few scenarios under libfaketime (`faketime -f +400d`): TLS (certificate validation by the
 * WIC), a token registration (JWT iat/exp) and a digest registration. The 30-day server certificate has long expired
 * by then: the run must say it was re-minted from the same CA, pass, and leave the CA untouched. The same run shows
 * the console's progress line per scenario ahead of the final `N passed, N failed`.
 *
 * libfaketime and Node 24 (measured with faketime 0.9.10, Debian): Node runs under it with the monotonic clock faked
 * too, but then `process.hrtime` reads about 21,000 days (the offset is applied to CLOCK_MONOTONIC as well);
 * timers still fire on time. FAKETIME_DONT_FAKE_MONOTONIC=1 leaves the monotonic clock alone, so only the wall clock
 * (what certificates and tokens are judged by) moves, and `performance.timeOrigin + performance.now()` still agrees
 * with `Date.now()`: the test sets it. The child processes (cucumber) inherit LD_PRELOAD and FAKETIME.
 * Ports: --port-base 21000 (21443, 21060, 21070, 21843).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DEFAULT_SERVER_HOSTS, DEFAULT_SERVER_IPS, mintTestPki } from '../../support/pki/test-pki.ts'

const faketime = spawnSync('sh', ['-c', 'command -v faketime'], { encoding: 'utf8' }).stdout.trim()
const DAY_MS = 86_400_000
const SCENARIOS = [
  'features/transport/tls.feature',
  'features/registration/token.feature:15',
  'features/registration/digest.feature:13',
]

void describe(
  'a run with the clock 400 days ahead (issue 10)',
  { timeout: 120_000, skip: faketime === '' ? 'faketime is not installed (Debian package faketime)' : false },
  () => {
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'clock-ahead-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    void it('passes against the reference, the server certificate re-minted from the same CA', async () => {
      const pkiDir = join(dir, 'harness', 'pki')
      // Every name the harness wants, so that only the expiry can make it re-mint.
      await mintTestPki({ dir: pkiDir, hosts: [...DEFAULT_SERVER_HOSTS], ips: [...DEFAULT_SERVER_IPS] })
      const caBefore = readFileSync(join(pkiDir, 'ca.crt'), 'utf8')
      const serverBefore = new X509Certificate(readFileSync(join(pkiDir, 'server.crt')))
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HARNESS_DIR: join(dir, 'harness'),
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      }
      delete env.HARNESS_PROFILE
      delete env.HARNESS_PORT_BASE
      const run = spawnSync(
        faketime,
        [
          '-f',
          '+400d',
          process.execPath,
          '--import',
          'tsx',
          resolve('tools/harness.ts'),
          '--port-base',
          '21000',
          '--parallel',
          '1',
          '--reports',
          join(dir, 'reports'),
          ...SCENARIOS,
        ],
        { encoding: 'utf8', env, timeout: 100_000 },
      )
      const output = `${run.stdout}\n${run.stderr}`
      assert.equal(run.status, 0, output)
      assert.match(output, /re-minted from the same CA/, output)
      const counted = /^(\d+) passed, (\d+) failed$/m.exec(output)
      assert.ok(counted !== null, output)
      assert.equal(counted[2], '0', output)
      assert.ok(Number(counted[1]) >= 6, `at least 6 scenarios ran: ${output}`)
      // The console's progress line per scenario (tools/progress-formatter.ts), before the summary.
      assert.match(
        output,
        /^\[\d\/\d\] PASS +a WIC offering only TLS 1\.2 connects \(features\/transport\/tls\.feature:\d+\)$/m,
      )
      assert.ok(
        output.indexOf('] PASS ') < output.search(/^\d+ passed, \d+ failed$/m),
        'progress lines come first',
      )

      assert.equal(readFileSync(join(pkiDir, 'ca.crt'), 'utf8'), caBefore, 'the CA is kept')
      const ca = new X509Certificate(caBefore)
      const server = new X509Certificate(readFileSync(join(pkiDir, 'server.crt')))
      assert.notEqual(server.fingerprint256, serverBefore.fingerprint256, 'a new server certificate')
      assert.ok(server.verify(ca.publicKey), 'the new server certificate is signed by the same CA')
      assert.ok(server.checkIssued(ca))
      // Minted under the faked clock: valid from about 400 days on, when the old one had expired.
      const from = Date.parse(server.validFrom)
      assert.ok(from > Date.now() + 399 * DAY_MS, `valid from ${server.validFrom}`)
      assert.ok(Date.parse(serverBefore.validTo) < from, 'the old certificate had expired by then')
    })
  },
)
