/**
 * End-to-end: a Wic against a tiny local eP-CSCF stand-in (https + ws, a test PKI certificate) that checks the
 * Origin, challenges the first REGISTER with 401 and accepts the Digest answer with 200.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { HarnessError } from '../../support/errors.ts'
import { parseAuthValue } from '../../support/sip/auth.ts'
import { createResponse } from '../../support/sip/builders.ts'
import { parseCSeq } from '../../support/sip/cseq.ts'
import { verifyDigestResponse, type DigestAlgorithm } from '../../support/sip/digest.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { Wic } from '../../support/wic/wic.ts'
import { WicConnectError } from '../../support/wic/wic-connect-error.ts'
import type { WicOptions } from '../../support/wic/wic-options.ts'
import { localPki } from '../helpers/pki.ts'

const REALM = 'ims.harness.test'
const ORIGIN = 'https://wwsf.harness.test:8443'
const PASSWORD = 'alice-secret'

interface ServerBehaviour {
  /** WWW-Authenticate algorithms offered, in header order. */
  algorithms: string[]
  /** When true, REGISTERs are swallowed (no answer). */
  silent: boolean
  /** When true, the connection is dropped on the first REGISTER. */
  drop?: boolean
}

/** The eP-CSCF + registrar stand-in. */
class StubServer {
  readonly received: SipRequest[] = []
  readonly responses: SipResponse[] = []
  readonly sockets: WebSocket[] = []
  behaviour: ServerBehaviour = { algorithms: ['MD5', 'SHA-256'], silent: false }
  private readonly nonces = new Set<string>()
  private counter = 0

  private constructor(
    private readonly server: https.Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
    readonly ca: string,
  ) {}

  static async start(): Promise<StubServer> {
    const pki = await localPki()
    const server = https.createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.2' })
    const wss = new WebSocketServer({
      server,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
      verifyClient: (info, cb) => (info.origin === ORIGIN ? cb(true) : cb(false, 403, 'Forbidden')),
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    const stub = new StubServer(server, wss, `wss://127.0.0.1:${port}/`, pki.ca.cert)
    wss.on('connection', (ws) => stub.accept(ws))
    return stub
  }

  private accept(ws: WebSocket): void {
    this.sockets.push(ws)
    ws.on('message', (data) => {
      const message = parseMessage(data.toString())
      if (!message.isRequest()) {
        this.responses.push(message as SipResponse)
        return
      }
      this.received.push(message)
      if (this.behaviour.drop) ws.terminate()
      else if (message.method === 'REGISTER' && !this.behaviour.silent)
        ws.send(this.answerRegister(message).toString())
    })
  }

  private answerRegister(request: SipRequest): SipResponse {
    const auth = parseAuthValue(request.get('Authorization') ?? 'Digest response=""')
    const p = (name: string) => getParam(auth.params, name)
    if (!p('response')) return this.challenge(request)
    const nonce = p('nonce') ?? ''
    const qop = p('qop')
    const ok =
      this.nonces.has(nonce) &&
      verifyDigestResponse(
        {
          algorithm: (p('algorithm') ?? 'MD5') as DigestAlgorithm,
          username: p('username') ?? '',
          realm: p('realm') ?? '',
          password: PASSWORD,
          method: request.method,
          uri: p('uri') ?? '',
          nonce,
          ...(qop === 'auth' ? { qop: 'auth' as const, nc: p('nc') ?? '' } : {}),
          ...(p('cnonce') !== undefined ? { cnonce: p('cnonce')! } : {}),
        },
        p('response') ?? '',
      )
    if (!ok) return createResponse(request, 403, 'Forbidden')
    const response = createResponse(request, 200)
    const contact = request.get('Contact') ?? ''
    response.append('Contact', contact)
    response.append('Service-Route', '<sip:orig@127.0.0.1:5070;lr>')
    response.append('P-Associated-URI', '<sip:alice@ims.harness.test>, <tel:+15550101>')
    return response.updateContentLength()
  }

  private challenge(request: SipRequest): SipResponse {
    const response = createResponse(request, 401, 'Unauthorized')
    for (const algorithm of this.behaviour.algorithms) {
      const nonce = `nonce-${++this.counter}`
      this.nonces.add(nonce)
      response.append(
        'WWW-Authenticate',
        `Digest realm="${REALM}", nonce="${nonce}", qop="auth", algorithm=${algorithm}`,
      )
    }
    return response.updateContentLength()
  }

  /** Sends a request to the newest WIC connection (a terminating request along the flow). */
  sendToLatest(text: string): void {
    this.sockets.at(-1)?.send(text)
  }

  dropLatest(): void {
    this.sockets.at(-1)?.terminate()
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

let stub: StubServer

function options(over: Partial<WicOptions> = {}): WicOptions {
  return {
    name: 'alice',
    impi: 'alice@ims.harness.test',
    impu: 'sip:alice@ims.harness.test',
    password: PASSWORD,
    url: stub.url,
    origin: ORIGIN,
    ca: stub.ca,
    trace: new TraceRecorder(),
    waitMs: 2000,
    ...over,
  }
}

void describe('Wic end to end over WSS', { timeout: 30_000 }, () => {
  before(async () => {
    stub = await StubServer.start()
  })
  after(async () => {
    await stub.stop()
  })

  void it('preloads the Service-Route as a UE does, and none in the browser-library style (wic.style)', async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: false }
    for (const [preloadServiceRoute, expected] of [
      [true, ['<sip:orig@127.0.0.1:5070;lr>']],
      [false, []],
    ] as const) {
      const wic = await Wic.connect(options({ preloadServiceRoute }))
      try {
        await wic.register()
        const invite = wic.createRequest('INVITE', 'sip:bob@ims.harness.test')
        assert.deepEqual(invite.getAll('Route'), expected, `preloadServiceRoute ${preloadServiceRoute}`)
      } finally {
        await wic.close()
      }
    }
  })

  void it(
    'registers: 401 challenge answered with SHA-256, then 200; refreshes and de-registers',
    { timeout: 10_000 },
    async () => {
      stub.behaviour = { algorithms: ['MD5', 'SHA-256'], silent: false }
      const trace = new TraceRecorder()
      const wic = await Wic.connect(options({ trace }))
      try {
        assert.equal(wic.protocol, 'sip')
        assert.equal(wic.state, 'unregistered')
        const mark = stub.received.length
        const outcome = await wic.register()
        assert.deepEqual(
          outcome.attempts.map((r) => r.status),
          [401, 200],
        )
        assert.equal(outcome.challenge?.status, 401)
        assert.equal(outcome.final.status, 200)
        assert.equal(wic.state, 'registered')
        assert.deepEqual(wic.serviceRoute, ['<sip:orig@127.0.0.1:5070;lr>'])
        assert.deepEqual(wic.associatedUris, ['sip:alice@ims.harness.test', 'tel:+15550101'])
        assert.equal(wic.binding?.expires, 600)
        assert.equal(wic.lastRegistration, outcome)

        const [first, second] = stub.received.slice(mark)
        assert.ok(first && second)
        assert.equal(first.get('Call-ID'), second.get('Call-ID'))
        assert.equal(parseCSeq(second.get('CSeq')!).seq, parseCSeq(first.get('CSeq')!).seq + 1)
        assert.match(first.get('Authorization')!, /nonce="", response=""/)
        const answer = parseAuthValue(second.get('Authorization')!)
        assert.equal(getParam(answer.params, 'algorithm'), 'SHA-256')
        assert.equal(getParam(answer.params, 'nc'), '00000001')

        const refresh = await wic.reRegister()
        assert.equal(refresh.final.status, 200)
        assert.equal(refresh.attempts.length, 1)
        const third = stub.received.at(-1)!
        assert.equal(third.get('Call-ID'), first.get('Call-ID'))
        assert.equal(parseCSeq(third.get('CSeq')!).seq, parseCSeq(second.get('CSeq')!).seq + 1)
        const reused = parseAuthValue(third.get('Authorization')!)
        assert.equal(getParam(reused.params, 'nonce'), getParam(answer.params, 'nonce'))
        assert.equal(getParam(reused.params, 'nc'), '00000002')
        assert.equal(wic.state, 'registered')

        const bye = await wic.deregister()
        assert.equal(bye.final.status, 200)
        assert.equal(stub.received.at(-1)!.get('Expires'), '0')
        assert.equal(wic.state, 'unregistered')
        assert.deepEqual(wic.serviceRoute, [])
        assert.deepEqual(
          wic.stateHistory.map((t) => t.to),
          [
            'registering',
            'challenged',
            'registered',
            'registering',
            'registered',
            'deregistering',
            'unregistered',
          ],
        )
        assert.ok(
          trace.all().some((e) => e.observer === 'WIC alice' && e.leg === 'W2' && e.direction === 'sent'),
        )
        assert.ok(trace.all().some((e) => e.summary.includes('registration registering → challenged')))
      } finally {
        await wic.close()
      }
    },
  )

  void it('answers an MD5-only challenge with MD5', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['MD5'], silent: false }
    const wic = await Wic.connect(options())
    try {
      const outcome = await wic.register()
      assert.equal(outcome.final.status, 200)
      const sent = outcome.requests.at(-1)!
      assert.equal(getParam(parseAuthValue(sent.get('Authorization')!).params, 'algorithm'), 'MD5')
    } finally {
      await wic.close()
    }
  })

  void it('returns a rejected registration as an outcome, not an error', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: false }
    const wic = await Wic.connect(options())
    try {
      const outcome = await wic.register({ password: 'wrong' })
      assert.deepEqual(
        outcome.attempts.map((r) => r.status),
        [401, 403],
      )
      assert.equal(wic.state, 'unregistered')
    } finally {
      await wic.close()
    }
  })

  void it('sends a Bearer token and a hostile integrity-protected as told', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: false }
    const wic = await Wic.connect(options())
    try {
      const outcome = await wic.register({
        authorization: { bearer: 'eyJ.x.y', carriage: 'access-token-param' },
        integrityProtected: 'auth-done',
      })
      // A stand-in that does not know Bearer challenges it; the WIC does not answer with Digest.
      assert.deepEqual(
        outcome.attempts.map((r) => r.status),
        [401],
      )
      const auths = outcome.requests[0]!.getAll('Authorization')
      assert.deepEqual(auths[0], 'Bearer access_token="eyJ.x.y"')
      assert.match(auths[1]!, /integrity-protected="auth-done"/)
      const next = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', {
        body: 'hi',
        contentType: 'text/plain',
      })
      assert.equal(next.get('Authorization'), 'Bearer access_token="eyJ.x.y"')
      assert.equal(next.get('Content-Length'), '2')
    } finally {
      await wic.close()
    }
  })

  void it('receives a terminating request and answers it on the same flow', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: false }
    const wic = await Wic.connect(options())
    try {
      await wic.register()
      stub.sendToLatest(
        [
          `MESSAGE ${wic.contactUri} SIP/2.0`,
          'Via: SIP/2.0/WSS 127.0.0.1:7443;branch=z9hG4bKterm1',
          'Max-Forwards: 69',
          'From: <sip:bob@ims.harness.test>;tag=b1',
          'To: <sip:alice@ims.harness.test>',
          'Call-ID: term-1',
          'CSeq: 1 MESSAGE',
          'Content-Type: text/plain',
          'Content-Length: 5',
          '',
          'hello',
        ].join('\r\n'),
      )
      const request = await wic.expectRequest('MESSAGE')
      assert.equal(request.body, 'hello')
      await wic.respond(request, 200)
      for (let i = 0; i < 50 && stub.responses.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      const response = stub.responses.at(-1)
      assert.equal(response?.status, 200)
      assert.equal(response?.get('Call-ID'), 'term-1')
      assert.match(response?.get('Via') ?? '', /branch=z9hG4bKterm1/)
    } finally {
      await wic.close()
    }
  })

  void it(
    'names what it awaited and what came instead when an expectation runs out',
    { timeout: 10_000 },
    async () => {
      const wic = await Wic.connect(options())
      try {
        stub.sendToLatest(
          'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x.invalid;branch=z9hG4bKstray\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: stray\r\nCSeq: 9 OPTIONS\r\nContent-Length: 0\r\n\r\n',
        )
        await assert.rejects(wic.expectRequest('INVITE', 300), (e: unknown) => {
          assert.ok(e instanceof HarnessError)
          assert.equal(e.code, 'SIP_TIMEOUT_AWAITING')
          assert.match(
            e.message,
            /WIC alice expected an INVITE request from the eP-CSCF at wss:\/\/127\.0\.0\.1:\d+\/ within 300 ms/,
          )
          assert.match(e.message, /arrived instead: 200 OK \(OPTIONS\)/)
          return true
        })
        const stray = await wic.expectResponse({ status: 200, method: 'OPTIONS' }, 300)
        assert.equal(stray.get('Call-ID'), 'stray')
      } finally {
        await wic.close()
      }
    },
  )

  void it('throws SIP_TRANSACTION_TIMEOUT when the eP-CSCF never answers', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: true }
    const wic = await Wic.connect(options({ timers: { T1: 10 } }))
    try {
      await assert.rejects(wic.register(), (e: unknown) => {
        assert.ok(e instanceof HarnessError)
        assert.equal(e.code, 'SIP_TRANSACTION_TIMEOUT')
        assert.match(
          e.message,
          /WIC alice: no final response from the eP-CSCF at wss:.* to REGISTER sip:ims\.harness\.test/,
        )
        return true
      })
      assert.equal(wic.state, 'unregistered')
    } finally {
      await wic.close()
    }
  })

  void it('notices the eP-CSCF dropping the connection', { timeout: 10_000 }, async () => {
    stub.behaviour = { algorithms: ['SHA-256'], silent: false }
    const wic = await Wic.connect(options())
    let told: string | undefined
    wic.onClose((reason) => (told = reason))
    await wic.register()
    const waiting = wic.expectRequest('INVITE', 5000)
    stub.dropLatest()
    await assert.rejects(waiting, (e: unknown) => e instanceof HarnessError && e.code === 'TRANSPORT_CLOSED')
    const reason = await wic.expectClose(1000)
    assert.ok(wic.closed)
    assert.equal(told, reason)
    assert.equal(wic.state, 'unregistered')
    await assert.rejects(
      wic.reRegister(),
      (e: unknown) => e instanceof HarnessError && e.code === 'TRANSPORT_CLOSED',
    )
  })

  void it(
    'fails a registration cut off by the connection closing with TRANSPORT_CLOSED',
    { timeout: 10_000 },
    async () => {
      stub.behaviour = { algorithms: ['SHA-256'], silent: false, drop: true }
      const wic = await Wic.connect(options())
      await assert.rejects(wic.register(), (e: unknown) => {
        assert.ok(e instanceof HarnessError)
        assert.equal(e.code, 'TRANSPORT_CLOSED')
        assert.match(e.message, /REGISTER/)
        return true
      })
      assert.equal(wic.state, 'unregistered')
      assert.ok(wic.closed)
    },
  )

  void it(
    'reports a refused Origin as WS_HANDSHAKE_FAILED with status 403',
    { timeout: 10_000 },
    async () => {
      const result = await Wic.tryConnect(options({ origin: 'https://evil.example:8443' }))
      assert.equal(result.ok, false)
      if (result.ok) return
      assert.equal(result.status, 403)
      assert.equal(result.error.code, 'WS_HANDSHAKE_FAILED')
      assert.match(
        result.error.message,
        /refused the WebSocket upgrade with HTTP 403 \(Origin https:\/\/evil\.example:8443/,
      )
      await assert.rejects(
        Wic.connect(options({ origin: undefined })),
        (e: unknown) => e instanceof WicConnectError && e.status === 403 && e.code === 'WS_HANDSHAKE_FAILED',
      )
    },
  )

  void it(
    'reports a certificate the WIC rejects (untrusted) as TLS_CERTIFICATE_REJECTED, an environment error',
    { timeout: 10_000 },
    async () => {
      const result = await Wic.tryConnect({ ...options(), ca: undefined })
      assert.equal(result.ok, false)
      if (result.ok) return
      assert.equal(result.status, undefined)
      assert.equal(result.error.code, 'TLS_CERTIFICATE_REJECTED')
      assert.equal(result.error.side, 'environment')
    },
  )
})
