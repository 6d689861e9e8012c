import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createServer as createTlsServer } from 'node:tls'
import { HarnessError } from '../../support/errors.ts'
import { mintTestPki, type TestPki } from '../../support/pki/test-pki.ts'
import type { LaunchContext } from '../../support/sut/launcher.ts'
import { waitForTlsPort } from '../../support/sut/port-probe.ts'
import { LogBuffer, ProcessLauncher } from '../../support/sut/process-launcher.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { rejectsWithEnvironmentError } from '../helpers/sut-launch.ts'
import { commandPid, processesWith } from './sut-processes.ts'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  assert.ok(address !== null && typeof address === 'object')
  return address.port
}

function context(
  filesDir: string,
  port: number,
  startTimeoutMs: number,
  pkiDir = filesDir,
  trace = new TraceRecorder(),
): LaunchContext {
  return {
    vars: { 'files.dir': filesDir, 'pki.dir': pkiDir, 'wss.host': '127.0.0.1', 'wss.port': String(port) },
    startTimeoutMs,
    filesDir,
    wss: { host: '127.0.0.1', port },
    caPem: '',
    trace,
  }
}

/** A TLS server on the given port, as a child process: the simplest "SUT". */
const TLS_SERVER = `
const tls = require('node:tls'), fs = require('node:fs');
const dir = process.argv[1], port = Number(process.argv[2]);
const server = tls.createServer({ cert: fs.readFileSync(dir + '/server.crt'), key: fs.readFileSync(dir + '/server.key') }, (s) => s.end());
server.listen(port, '127.0.0.1', () => console.log('tls server up on ' + port + ' pid ' + process.pid));
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
`

void describe('process launcher', { timeout: 60_000 }, () => {
  let dir: string
  let pki: TestPki
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'process-launcher-'))
    pki = await mintTestPki({ dir: join(dir, 'pki'), hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] })
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  void it('a command that exits at once fails with SUT_START_FAILED at once, with its code, port and log', async () => {
    const port = await freePort()
    const launcher = new ProcessLauncher({
      name: 'exits',
      command: 'sh',
      args: ['-c', 'echo "cannot bind {{wss.port}}" >&2; exit 3'],
    })
    const started = performance.now()
    await rejectsWithEnvironmentError(
      launcher.start(context(join(dir, 'exits'), port, 20_000)),
      'SUT_START_FAILED',
      new RegExp(
        `sh exited with code 3 before its WSS port 127\\.0\\.0\\.1:${port} accepted TLS; last log lines:\\ncannot bind ${port}`,
      ),
    )
    assert.ok(performance.now() - started < 5000, 'fails long before the start timeout')
  })

  void it('a command that never opens the port fails at the deadline, and its whole process group is killed', async () => {
    const port = await freePort()
    const filesDir = join(dir, 'never')
    const launcher = new ProcessLauncher({
      name: 'never',
      command: 'sh',
      // A marker in the command lines of the command and its child (and of unshare), to find them from outside.
      args: ['-c', 'sleep 60.4711 & wait'],
    })
    const started = performance.now()
    await rejectsWithEnvironmentError(
      launcher.start(context(filesDir, port, 1500)),
      'SUT_START_FAILED',
      new RegExp(
        `sh: its WSS port 127\\.0\\.0\\.1:${port} did not accept TLS within 1500 ms; stopped its process group`,
      ),
    )
    const elapsed = performance.now() - started
    assert.ok(elapsed >= 1400 && elapsed < 8000, `failed after ${Math.round(elapsed)} ms`)
    assert.deepEqual(processesWith('sleep 60.4711'), [], 'the command and its child are gone')
  })

  void it('a command that is not installed is ENVIRONMENT_MISSING', async () => {
    const launcher = new ProcessLauncher({ name: 'missing', command: 'no-such-command-epcscf-harness' })
    await rejectsWithEnvironmentError(
      launcher.start(context(join(dir, 'missing'), await freePort(), 10_000)),
      'ENVIRONMENT_MISSING',
      /no-such-command-epcscf-harness could not be started: .*ENOENT.*not installed, or not on PATH/,
    )
  })

  void it('an unknown placeholder in the arguments is PROFILE_INVALID, before anything starts', async () => {
    const launcher = new ProcessLauncher({ name: 'typo', command: 'sh', args: ['-c', 'sleep {{wss.prot}}'] })
    await assert.rejects(
      launcher.start(context(join(dir, 'typo'), await freePort(), 10_000)),
      (error: unknown) => {
        assert.ok(error instanceof HarnessError)
        assert.equal(error.code, 'PROFILE_INVALID')
        assert.match(error.message, /launcher\.args\[1\]: unknown placeholder \{\{wss\.prot\}\}/)
        return true
      },
    )
  })

  void it('starts a SUT, keeps its log, reports its death, and stops its group', async () => {
    const port = await freePort()
    const filesDir = join(dir, 'tls')
    const launcher = new ProcessLauncher({
      name: 'tls-sut',
      command: process.execPath,
      args: ['-e', TLS_SERVER, '{{pki.dir}}', '{{wss.port}}'],
      env: { SUT_MARK: 'x{{wss.port}}' },
    })
    const sut = await launcher.start(context(filesDir, port, 10_000, join(dir, 'pki')))
    assert.equal(sut.kind, 'process')
    assert.equal(sut.name, 'tls-sut')
    assert.equal(sut.deathNotice(), undefined)
    assert.match(await sut.logs(), new RegExp(`tls server up on ${port}`))
    await sut.stop()
    assert.match(await sut.logs(), /got SIGTERM/)
    assert.equal(sut.deathNotice(), undefined, 'a stop by the harness is no death')
    await assert.rejects(waitForTlsPort({ host: '127.0.0.1', port, timeoutMs: 300 }))

    // Killed from outside after the start: deathNotice says so.
    const trace = new TraceRecorder()
    const again = await launcher.start(context(filesDir, port, 10_000, join(dir, 'pki'), trace))
    const pid = commandPid(trace)
    assert.ok(pid > 1)
    process.kill(pid, 'SIGKILL')
    const deadline = Date.now() + 5000
    while (again.deathNotice() === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    assert.match(
      again.deathNotice() ?? '',
      /the system under test "tls-sut" \(.*node.*, pid \d+\) was killed by SIGKILL at /,
    )
    await again.stop()
  })

  void it('the port probe waits for a TLS handshake, not just a TCP accept', async () => {
    const tcp = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    const tcpPort = (tcp.address() as { port: number }).port
    await assert.rejects(
      waitForTlsPort({ host: '127.0.0.1', port: tcpPort, timeoutMs: 500 }),
      /did not accept a TLS handshake within 500 ms/,
    )
    tcp.close()
    const tls = createTlsServer({ cert: pki.server.cert, key: pki.server.key }, (socket) => socket.end())
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    await waitForTlsPort({
      host: '127.0.0.1',
      port: (tls.address() as { port: number }).port,
      timeoutMs: 2000,
    })
    tls.close()
    const aborted = new AbortController()
    setTimeout(() => aborted.abort(new Error('sut died')), 100)
    await assert.rejects(
      waitForTlsPort({ host: '127.0.0.1', port: tcpPort, timeoutMs: 10_000, signal: aborted.signal }),
      /sut died/,
    )
  })

  void it('the log buffer keeps the last bytes and says what it dropped', () => {
    const log = new LogBuffer(10)
    log.append('line one\n')
    log.append('line two\n')
    assert.equal(log.text(), '[… 8 earlier bytes dropped]\n\nline two\n')
    assert.equal(log.tail(1), 'line two')
  })
})
