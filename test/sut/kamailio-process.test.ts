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
import { commandPid } from './sut-processes.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { Inbox } from '../helpers/inbox.ts'
import { kamailioVars } from '../helpers/sut-launch.ts'

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

  const trace = new TraceRecorder()
  function context(): LaunchContext {
    const filesDir = join(dir, 'files')
    return {
      vars: kamailioVars({ dir, filesDir, ports }),
      startTimeoutMs: 20_000,
      filesDir,
      wss: { host: '127.0.0.1', port: ports.wss },
      caPem: pki.ca.cert,
      trace,
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
        { template: 'token_check.py.tmpl', target: 'kamailio/token_check.py' },
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
    const { message: forwarded, from } = await fromEpcscf.next('forwarded REGISTER', 4000)
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
    const relayed = await toWic.next('401 at the WIC', 4000)
    assert.equal(relayed.start, 'SIP/2.0 401 Unauthorized')
    assert.deepEqual(relayed.header('WWW-Authenticate'), [challenge])
    assert.equal(relayed.header('Via').length, 1)
    ws.close()
  })

  void it('routes a session both ways: Service-Route, identity, Record-Route flow token, CANCEL, 430 once the WebSocket is gone', async () => {
    const ws = await openWic(ports.wss, pki.ca.cert, origin)
    assert.ok(ws instanceof WebSocket)
    const toWic = new Inbox<Sip>()
    ws.on('message', (data: Buffer) => toWic.push(parse(data.toString())))
    const send = (lines: string[], body = ''): void =>
      ws.send([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'))
    const toEpcscf = (lines: string[], port = ports.mw): void => {
      scscf.send([...lines, 'Content-Length: 0', '', ''].join('\r\n'), port, '127.0.0.1')
    }
    const answer = (request: Sip, status: string, extra: string[] = [], toTag?: string): string[] => [
      `SIP/2.0 ${status}`,
      ...request.header('Via').map((via) => `Via: ${via}`),
      ...request.header('Record-Route').map((rr) => `Record-Route: ${rr}`),
      `From: ${request.header('From')[0]}`,
      `To: ${request.header('To')[0]}${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${request.header('Call-ID')[0]}`,
      `CSeq: ${request.header('CSeq')[0]}`,
      ...extra,
    ]
    const nextFinal = async (inbox: Inbox<Sip>, what: string): Promise<Sip> => {
      for (;;) {
        const message = await inbox.next(what, 4000)
        if (!/^SIP\/2\.0 1\d\d /.test(message.start)) return message
      }
    }
    const fromScscf = new Inbox<Sip>()
    const pump = ({ message }: { message: Sip }): void => fromScscf.push(message)
    const drain = async (): Promise<void> => {
      for (;;) pump(await fromEpcscf.next('message at the S-CSCF', 60_000))
    }
    void drain().catch(() => undefined)

    // Register (the mock answers 200 at once) to store Service-Route and P-Associated-URI for this flow.
    send([
      'REGISTER sip:ims.harness.test SIP/2.0',
      'Via: SIP/2.0/WSS h7.invalid;branch=z9hG4bKsess-reg',
      'Max-Forwards: 70',
      'To: <sip:alice@ims.harness.test>',
      'From: <sip:alice@ims.harness.test>;tag=r1',
      'Call-ID: kamailio-session-reg',
      'CSeq: 1 REGISTER',
      'Contact: <sip:a7@h7.invalid;transport=ws>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E129>";reg-id=1;expires=600',
    ])
    const register = await fromScscf.next('REGISTER')
    const path = (register.header('Path')[0] ?? '').replace(/^<|>$/g, '')
    toEpcscf(
      answer(
        register,
        '200 OK',
        [
          'Contact: <sip:a7@h7.invalid;transport=ws>;expires=600',
          `Service-Route: <sip:orig@127.0.0.1:${ports.scscf};lr>`,
          'P-Associated-URI: <sip:alice@ims.harness.test>, <tel:+15550101>',
        ],
        's1',
      ),
    )
    assert.equal((await nextFinal(toWic, '200 to REGISTER')).start, 'SIP/2.0 200 OK')

    // Originating INVITE: Route from the Service-Route, asserted identity, double Record-Route with the flow token.
    send(
      [
        'INVITE sip:bob@ims.harness.test SIP/2.0',
        'Via: SIP/2.0/WSS h7.invalid;branch=z9hG4bKsess-inv',
        'Max-Forwards: 70',
        'To: <sip:bob@ims.harness.test>',
        'From: <sip:alice@ims.harness.test>;tag=a1',
        'Call-ID: kamailio-session-1',
        'CSeq: 1 INVITE',
        'Contact: <sip:a7@h7.invalid;transport=ws;ob>',
        'P-Preferred-Identity: <sip:bob@ims.harness.test>',
        'Content-Type: application/sdp',
      ],
      'v=0\r\n',
    )
    const invite = await fromScscf.next('INVITE')
    assert.deepEqual(invite.header('Route'), [`<sip:orig@127.0.0.1:${ports.scscf};lr>`])
    assert.deepEqual(invite.header('P-Asserted-Identity'), ['<sip:alice@ims.harness.test>'])
    assert.deepEqual(invite.header('P-Preferred-Identity'), [])
    const recordRoutes = invite.header('Record-Route')
    assert.equal(recordRoutes.length, 2)
    assert.ok(recordRoutes.every((rr) => /;ftok=[0-9a-f]+\.[\w-]{22}/.test(rr)))
    toEpcscf(answer(invite, '200 OK', [`Contact: <sip:bob@127.0.0.1:${ports.scscf}>`], 'b1'))
    const ok = await nextFinal(toWic, '200 to INVITE')
    assert.equal(ok.start, 'SIP/2.0 200 OK')
    assert.deepEqual(ok.header('P-Charging-Vector'), [], 'no charging information towards the WIC')
    const dialogHeaders = [
      'To: <sip:bob@ims.harness.test>;tag=b1',
      'From: <sip:alice@ims.harness.test>;tag=a1',
      'Call-ID: kamailio-session-1',
    ]
    send([
      `ACK sip:bob@127.0.0.1:${ports.scscf} SIP/2.0`,
      'Via: SIP/2.0/WSS h7.invalid;branch=z9hG4bKsess-ack',
      'Max-Forwards: 70',
      ...[...ok.header('Record-Route')].reverse().map((rr) => `Route: ${rr}`),
      ...dialogHeaders,
      'CSeq: 1 ACK',
    ])
    assert.match((await fromScscf.next('ACK')).start, /^ACK sip:bob@127\.0\.0\.1/)

    // In-dialog BYE from the far end reaches the WIC over its WebSocket (the Record-Route flow token).
    const byeLines = (branch: string, cseq: number): string[] => [
      'BYE sip:a7@h7.invalid;transport=ws;ob SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${ports.scscf};branch=${branch}`,
      'Max-Forwards: 70',
      ...recordRoutes.map((rr) => `Route: ${rr}`),
      'From: <sip:bob@ims.harness.test>;tag=b1',
      'To: <sip:alice@ims.harness.test>;tag=a1',
      'Call-ID: kamailio-session-1',
      `CSeq: ${cseq} BYE`,
    ]
    toEpcscf(byeLines('z9hG4bKsess-bye1', 1))
    const bye = await toWic.next('BYE at the WIC')
    assert.equal(bye.start, 'BYE sip:a7@h7.invalid;transport=ws;ob SIP/2.0')
    send(answer(bye, '200 OK'))
    assert.equal((await fromScscf.next('200 to BYE')).start, 'SIP/2.0 200 OK')

    // Terminating INVITE along the Path, then CANCEL: 487 reaches the S-CSCF.
    const terminating = (method: string): string[] => [
      `${method} sip:a7@h7.invalid;transport=ws SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${ports.scscf};branch=z9hG4bKsess-tinv`,
      'Max-Forwards: 70',
      `Route: <${path}>`,
      'From: <sip:bob@ims.harness.test>;tag=b2',
      'To: <sip:alice@ims.harness.test>',
      'Call-ID: kamailio-session-2',
    ]
    toEpcscf([...terminating('INVITE'), 'CSeq: 1 INVITE', `Contact: <sip:bob@127.0.0.1:${ports.scscf}>`])
    const incoming = await toWic.next('terminating INVITE at the WIC')
    assert.equal(incoming.start, 'INVITE sip:a7@h7.invalid;transport=ws SIP/2.0')
    send(answer(incoming, '180 Ringing', [], 'a2'))
    toEpcscf([...terminating('CANCEL'), 'CSeq: 1 CANCEL'])
    const cancel = await toWic.next('CANCEL at the WIC')
    assert.match(cancel.start, /^CANCEL /)
    send(answer(cancel, '200 OK', [], 'a2'))
    send(answer(incoming, '487 Request Terminated', [], 'a2'))
    const finals: string[] = []
    while (!finals.includes('SIP/2.0 487 Request Terminated')) {
      finals.push((await fromScscf.next('487 at the S-CSCF')).start)
    }

    // The WebSocket closes: terminating and in-dialog requests for its flow fail with 430 at once.
    ws.close()
    await new Promise((resolve) => setTimeout(resolve, 300))
    toEpcscf([
      'MESSAGE sip:a7@h7.invalid;transport=ws SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${ports.scscf};branch=z9hG4bKsess-dead`,
      'Max-Forwards: 70',
      `Route: <${path}>`,
      'From: <sip:bob@ims.harness.test>;tag=b3',
      'To: <sip:alice@ims.harness.test>',
      'Call-ID: kamailio-session-3',
      'CSeq: 1 MESSAGE',
    ])
    assert.equal((await nextFinal(fromScscf, 'answer to MESSAGE')).start, 'SIP/2.0 430 Flow Failed')
    toEpcscf(byeLines('z9hG4bKsess-bye2', 2))
    assert.equal((await nextFinal(fromScscf, 'answer to BYE')).start, 'SIP/2.0 430 Flow Failed')
    assert.doesNotMatch(
      await sut!.logs(),
      /ERROR: .*(lvalue|script)/,
      'the routing script ran without errors',
    )
  })

  void it('reports its death when killed, and stops cleanly', async () => {
    assert.ok(sut !== undefined)
    // The main process (pid 1 of its PID namespace, as its log prefix says), by its pid on the host.
    const pid = commandPid(trace)
    assert.ok(pid > 1, 'the launcher names the pid it started')
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
