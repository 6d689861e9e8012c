/**
 * `npm run serve` (tools/serve.ts): how to host a WIC page at the authorized origin, which follows the WWSF's port
 * (and --port-base); the mock WWSF serves a page given with --page at that origin, with a certificate naming it, and
 * answers the login's CORS preflight for it. Ports: --port-base 21100 (21543, 21160, 21170, 21943).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { loadProfile, validateProfile } from '../../support/profile/load-profile.ts'
import { hostingHelp, pagePath, serveArgs } from '../../tools/serve.ts'

void test('the authorized origin follows the WWSF port, with --port-base too, unless the profile lists its own', () => {
  assert.deepEqual(loadProfile(undefined, process.cwd(), '').profile.epcscf.origin.allowed, [
    'https://wwsf.harness.test:8443',
  ])
  const based = loadProfile(undefined, process.cwd(), '30000').profile
  assert.deepEqual(based.epcscf.origin.allowed, ['https://wwsf.harness.test:30843'])
  assert.equal(
    validateProfile({ wwsf: { port: 9443 } }, 't').epcscf.origin.allowed[0],
    'https://wwsf.harness.test:9443',
  )
  assert.equal(
    validateProfile({ wwsf: { port: 0 } }, 't').epcscf.origin.allowed[0],
    'https://wwsf.harness.test:8443',
  )
  const own = validateProfile({ epcscf: { origin: { allowed: ['https://app.example:443'] } } }, 't')
  assert.deepEqual(own.epcscf.origin.allowed, ['https://app.example:443'])
})

void test('the hosting help names the origin, the names to resolve, the CA and where --page puts the page', () => {
  const { profile } = loadProfile(undefined, process.cwd(), '20000')
  const help = hostingHelp(profile, 'https://127.0.0.1:20843', '/h/pki/ca.crt', []).join('\n')
  assert.match(help, /authorized origin https:\/\/wwsf\.harness\.test:20843 \(scheme, host and port\)/)
  assert.match(help, /"127\.0\.0\.1 wwsf\.harness\.test epcscf\.harness\.test" in \/etc\/hosts/)
  assert.match(help, /MAP wwsf\.harness\.test 127\.0\.0\.1, MAP epcscf\.harness\.test 127\.0\.0\.1/)
  assert.match(help, /import \/h\/pki\/ca\.crt into the browser/)
  assert.match(
    help,
    /--page my-wic\.html: the mock WWSF serves it at https:\/\/wwsf\.harness\.test:20843\/wic\/my-wic\.html/,
  )
  assert.doesNotMatch(help, /map the port too/)
  // A WWSF on another port than its origin's (a free port): the port is mapped as well.
  const other = hostingHelp(profile, 'https://127.0.0.1:40000', 'ca.crt', ['x/a b.html']).join('\n')
  assert.match(other, /MAP wwsf\.harness\.test:20843 127\.0\.0\.1:40000/)
  assert.match(other, /https:\/\/wwsf\.harness\.test:20843\/wic\/a%20b\.html {2}\(x\/a b\.html\)/)
  assert.equal(pagePath('/tmp/wic.html'), '/wic/wic.html')
  assert.deepEqual(serveArgs(['--page', 'a.html', '--port-base', '5', '--page', 'b.js'], {}), {
    profile: undefined,
    portBase: '5',
    pages: ['a.html', 'b.js'],
  })
})

/** An HTTPS exchange with the WWSF as a browser at `origin` would make it, trusting only the harness CA. */
function fetchAt(
  port: number,
  ca: string,
  method: string,
  path: string,
  origin: string,
): Promise<{ status: number; headers: NodeJS.Dict<string | string[]>; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        servername: 'wwsf.harness.test',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          Host: `wwsf.harness.test:${port}`,
        },
        timeout: 10_000,
      },
      (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from the WWSF at 127.0.0.1:${port} to ${method} ${path}`)),
    )
    req.on('error', fail)
    req.end()
  })
}

void test(
  'npm run serve --page: the page is at the authorized origin, its certificate names it, CORS answers it',
  { timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'))
    const page = join(dir, 'wic.html')
    writeFileSync(page, '<!doctype html><title>my WIC</title>')
    const env: NodeJS.ProcessEnv = { ...process.env, HARNESS_DIR: join(dir, 'harness') }
    delete env.HARNESS_PROFILE
    const serve = spawn(
      process.execPath,
      ['--import', 'tsx', resolve('tools/serve.ts'), '--port-base', '21100', '--page', page],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      let output = ''
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`npm run serve did not start within 30 s:\n${output}`)),
          30_000,
        )
        const seen = (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes('trace (Ctrl-C to stop)')) {
            clearTimeout(timer)
            ready()
          }
        }
        serve.stdout.on('data', seen)
        serve.stderr.on('data', seen)
        serve.once('exit', (code) => fail(new Error(`npm run serve exited with ${code}:\n${output}`)))
      })
      const origin = 'https://wwsf.harness.test:21943'
      assert.match(output, /allowed origins {2}https:\/\/wwsf\.harness\.test:21943/)
      assert.match(output, new RegExp(`3\\. page {10}${origin.replace(/\./g, '\\.')}/wic/wic\\.html`))
      const ca = readFileSync(join(dir, 'harness', 'pki', 'ca.crt'), 'utf8')
      const got = await fetchAt(21943, ca, 'GET', '/wic/wic.html', origin)
      assert.equal(got.status, 200)
      assert.equal(got.body, '<!doctype html><title>my WIC</title>')
      assert.match(String(got.headers['content-type']), /^text\/html/)
      const preflight = await fetchAt(21943, ca, 'OPTIONS', '/login', origin)
      assert.equal(preflight.status, 204)
      assert.equal(preflight.headers['access-control-allow-origin'], origin)
      const stranger = await fetchAt(21943, ca, 'OPTIONS', '/login', 'https://wwsf.harness.test:8443')
      assert.equal(stranger.status, 403, 'the old fixed origin is not the WWSF origin any more')
    } finally {
      if (serve.pid !== undefined && serve.exitCode === null) process.kill(serve.pid, 'SIGTERM')
      await new Promise((done) => (serve.exitCode === null ? serve.once('exit', done) : done(undefined)))
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
