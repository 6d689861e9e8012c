import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { mintTestPki, type TestPki } from '../../support/pki/test-pki.ts'
import type { LaunchContext, StartedSut } from '../../support/sut/launcher.ts'
import { ProcessLauncher } from '../../support/sut/process-launcher.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'

/**
 * The bundled Kamailio eP-CSCF (sut/kamailio) as a `process` SUT: a start and stop through the launcher, and a
 * digest REGISTER smoke test with raw SIP (the cucumber suite runs the full scenarios against it).
 */
const installed = spawnSync('kamailio', ['-v'], { encoding: 'utf8' }).status === 0
const skip = installed ? false : 'kamailio is not installed (.ci/install-debian-packages.sh installs it)'
const origin = 'https://wwsf.harness.test:8443'
const sutDir = fileURLToPath(new URL('../../sut/kamailio/', import.meta.url))

async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < count) {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    // The Mw port is UDP too: make sure that is free as well.
    const udp = createSocket('udp4')
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    udp.close()
    if (free && !ports.includes(port)) ports.push(port)
  }
  return ports
}

interface Sip {
  readonly start: string
  readonly raw: string
  header(name: string): string[]
}

function parse(text: string): Sip {
  const head = text.split('\r\n\r\n')[0] ?? ''
  const lines = head.split('\r\n')
  return {
    start: lines[0] ?? '',
    raw: text,
    header: (name) =>
      lines
        .slice(1)
        .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        .map((line) => line.slice(line.indexOf(':') + 1).trim()),
  }
}

/** Messages arriving on one socket, taken in order. */
class Inbox<T> {
  private readonly items: T[] = []
  private readonly waiters: ((item: T) => void)[] = []
  push(item: T): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter(item)
    else this.items.push(item)
  }
  next(what: string, ms = 4000): Promise<T> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
      this.waiters.push((received) => {
        clearTimeout(timer)
        resolve(received)
      })
    })
  }
}

function openWic(port: number, ca: string, wsOrigin: string): Promise<WebSocket | number> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/`, 'sip', {
    origin: wsOrigin,
    ca,
  })
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    ws.once('error', reject)
    ws.once('open', () => resolve(ws))
  })
}

void describe('Kamailio eP-CSCF as a process SUT', { timeout: 60_000, skip }, () => {
  let dir: string
  let pki: TestPki
  let ports: { wss: number; mw: number; scscf: number }
  let sut: StartedSut | undefined
  let scscf: Socket
  const fromEpcscf = new Inbox<{ message: Sip; from: RemoteInfo }>()

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kamailio-process-'))
    pki = await mintTestPki({ dir: join(dir, 'pki'), hosts: ['epcscf.harness.test'], ips: ['127.0.0.1'] })
    const [wss, mw, scscfPort] = await freePorts(3)
    ports = { wss: wss as number, mw: mw as number, scscf: scscfPort as number }
    scscf = createSocket('udp4')
    await new Promise<void>((resolve) => scscf.bind(ports.scscf, '127.0.0.1', resolve))
    scscf.on('message', (data, from) => fromEpcscf.push({ message: parse(data.toString()), from }))
  })
  after(async () => {
    await sut?.stop()
    scscf.close()
    await rm(dir, { recursive: true, force: true })
  })

  function context(): LaunchContext {
    const filesDir = join(dir, 'files')
    return {
      vars: {
        'wss.host': '127.0.0.1',
        'wss.port': String(ports.wss),
        'wss.path': '/',
        'mw.address': '127.0.0.1',
        'mw.port': String(ports.mw),
        'scscf.address': '127.0.0.1',
        'scscf.port': String(ports.scscf),
        'pki.dir': join(dir, 'pki'),
        'files.dir': filesDir,
        origin,
        origins: origin,
        domain: 'ims.harness.test',
        identity: 'sip:epcscf.harness.test',
      },
      startTimeoutMs: 20_000,
      filesDir,
      wss: { host: '127.0.0.1', port: ports.wss },
      caPem: pki.ca.cert,
      trace: new TraceRecorder(),
    }
  }

  void it('starts within the timeout and accepts TLS on its WSS port', async () => {
    const launcher = new ProcessLauncher({
      name: 'kamailio-process',
      baseDir: sutDir,
      command: 'kamailio',
      args: ['-f', '{{files.dir}}/kamailio/kamailio.cfg', '-DD', '-E', '-w', '{{files.dir}}/kamailio'],
      files: [
        { template: 'kamailio.cfg.tmpl', target: 'kamailio/kamailio.cfg' },
        { template: 'tls.cfg.tmpl', target: 'kamailio/tls.cfg' },
      ],
    })
    const started = performance.now()
    sut = await launcher.start(context())
    const ms = Math.round(performance.now() - started)
    assert.ok(ms < 20_000)
    assert.match(await sut.logs(), /kamailio eP-CSCF ready/)
    assert.equal(sut.deathNotice(), undefined)
  })

  void it('refuses a WebSocket handshake from another origin with 403', async () => {
    assert.equal(await openWic(ports.wss, pki.ca.cert, 'https://evil.example:8443'), 403)
  })

  void it('forwards a digest REGISTER with Via, Path flow token, Require: path, P-Charging-Vector, Max-Forwards 69', async () => {
    const ws = await openWic(ports.wss, pki.ca.cert, origin)
    assert.ok(ws instanceof WebSocket)
    const toWic = new Inbox<Sip>()
    ws.on('message', (data: Buffer) => toWic.push(parse(data.toString())))
    const contact =
      '<sip:k7x2@df7jal23ls0d.invalid;transport=ws>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;expires=600'
    ws.send(
      [
        'REGISTER sip:ims.harness.test SIP/2.0',
        'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKkamtest1',
        'Max-Forwards: 70',
        'To: <sip:alice@ims.harness.test>',
        'From: <sip:alice@ims.harness.test>;tag=kt1',
        'Call-ID: kamailio-process-test',
        'CSeq: 1 REGISTER',
        `Contact: ${contact}`,
        'Authorization: Digest integrity-protected="yes", username="alice@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response="", integrity-protected=auth-done',
        'P-Asserted-Identity: <sip:mallory@ims.harness.test>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    )
    const { message: forwarded, from } = await fromEpcscf.next('forwarded REGISTER')
    assert.equal(forwarded.start, 'REGISTER sip:ims.harness.test SIP/2.0')
    assert.equal(from.port, ports.mw, 'sent from the eP-CSCF Mw port')
    const vias = forwarded.header('Via')
    assert.equal(vias.length, 2)
    assert.match(vias[0] ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${ports.mw};branch=z9hG4bK`))
    assert.deepEqual(forwarded.header('Max-Forwards'), ['69'])
    const path = forwarded.header('Path')
    assert.equal(path.length, 1)
    assert.match(
      path[0] ?? '',
      new RegExp(`^<sip:[0-9a-f]+\\.[\\w-]{22}@127\\.0\\.0\\.1:${ports.mw};lr;ob>$`),
    )
    assert.ok(forwarded.header('Require').some((value) => /\bpath\b/.test(value)))
    assert.ok(forwarded.header('Supported').some((value) => /\bpath\b/.test(value)))
    assert.match(forwarded.header('P-Charging-Vector')[0] ?? '', /icid-value=[0-9A-Fa-f]+/)
    assert.deepEqual(forwarded.header('Contact'), [contact])
    assert.deepEqual(forwarded.header('P-Asserted-Identity'), [])
    const authorization = forwarded.header('Authorization')
    assert.equal(authorization.length, 1)
    assert.doesNotMatch(authorization[0] ?? '', /integrity-protected/i)
    assert.match(authorization[0] ?? '', /^Digest username="alice@ims\.harness\.test", realm=/)

    const challenge = 'Digest realm="ims.harness.test", nonce="bm9uY2U=", qop="auth", algorithm=MD5'
    const response = [
      'SIP/2.0 401 Unauthorized',
      ...vias.map((via) => `Via: ${via}`),
      'To: <sip:alice@ims.harness.test>;tag=scscf1',
      'From: <sip:alice@ims.harness.test>;tag=kt1',
      'Call-ID: kamailio-process-test',
      'CSeq: 1 REGISTER',
      `WWW-Authenticate: ${challenge}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
    scscf.send(response, from.port, from.address)
    const relayed = await toWic.next('401 at the WIC')
    assert.equal(relayed.start, 'SIP/2.0 401 Unauthorized')
    assert.deepEqual(relayed.header('WWW-Authenticate'), [challenge])
    assert.equal(relayed.header('Via').length, 1)
    ws.close()
  })

  void it('reports its death when killed, and stops cleanly', async () => {
    assert.ok(sut !== undefined)
    const pid = Number(/^\s*0\((\d+)\)/m.exec(await sut.logs())?.[1])
    assert.ok(pid > 0, 'the main process id appears in the log prefix')
    process.kill(pid, 'SIGKILL')
    const deadline = Date.now() + 5000
    while (sut.deathNotice() === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    assert.match(
      sut.deathNotice() ?? '',
      /the system under test "kamailio-process" \(kamailio, pid \d+\) was killed by SIGKILL/,
    )
    await sut.stop()
    sut = undefined
  })
})
