import assert from 'node:assert/strict'
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { ServerCertificateRejected } from '../../support/errors.ts'
import { createResponse } from '../../support/sip/builders.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { Inbound } from '../../support/transport/peer.ts'
import { WsHandshakeError } from '../../support/transport/ws-handshake-error.ts'
import { wsFlow, type WsFlow } from '../../support/transport/ws-flow.ts'
import { WssClient } from '../../support/transport/wss-client.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { localPki } from '../helpers/pki.ts'
import { requestText } from '../helpers/sip-text.ts'
import { next } from '../helpers/wait.ts'

const T = { timeout: 10_000 }

function options(): string {
  return requestText({
    start: 'OPTIONS sip:ims.harness.test',
    via: 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKws1',
    from: '<sip:alice@ims.harness.test>;tag=a1',
    to: '<sip:ims.harness.test>',
    callId: 'ws-1',
    cseq: '1 OPTIONS',
  })
}

void describe('WssClient (RFC 7118)', () => {
  const trace = new TraceRecorder()
  const serverFlows: WsFlow[] = []
  const origins: (string | undefined)[] = []
  let server: https.Server
  let ca: string
  let base: string

  before(async () => {
    const pki = await localPki()
    ca = pki.ca.cert
    server = https.createServer({ key: pki.server.key, cert: pki.server.cert })
    const sip = new WebSocketServer({
      noServer: true,
      handleProtocols: (p) => (p.has('sip') ? 'sip' : false),
    })
    const none = new WebSocketServer({ noServer: true, handleProtocols: () => false })
    server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
      origins.push(req.headers.origin)
      if (req.url === '/forbidden') {
        socket.end(
          'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\norigin denied',
        )
      } else if (req.url === '/silent') {
        // never answers
      } else {
        const wss = req.url === '/no-protocol' ? none : sip
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const flow = wsFlow(ws, {
            local: { transport: 'WSS', address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
            remote: { transport: 'WSS', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
            trace,
            observer: 'server',
            leg: 'W2',
          })
          serverFlows.push(flow)
          flow.onMessage((m: Inbound) => {
            void m.flow.send(createResponse(m.message as SipRequest, 200))
          })
        })
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `wss://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  })

  after(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  void it('negotiates the sip subprotocol, records the handshake and carries SIP both ways', T, async () => {
    const mark = trace.mark()
    const flow = await WssClient.connect({
      url: `${base}/sip`,
      origin: 'https://wwsf.harness.test',
      ca,
      minVersion: 'TLSv1.2',
      timeoutMs: 3000,
      trace,
      observer: 'WIC alice',
      leg: 'W2',
    })
    try {
      assert.equal(flow.protocol, 'sip')
      assert.equal(flow.remote.transport, 'WSS')
      assert.equal(flow.reliable, true)
      assert.equal(origins.at(-1), 'https://wwsf.harness.test')
      const answer = next<Inbound>((h) => flow.onMessage(h))
      await flow.send(parseMessage(options()))
      assert.equal((await answer).message.summary(), '200 OK (OPTIONS)')
      const events = trace.since(mark)
      const [request, response] = events
      assert.equal(request?.direction, 'sent')
      assert.equal(request?.to?.transport, 'HTTPS')
      assert.match(request?.raw ?? '', /^GET \/sip HTTP\/1\.1\r\n/)
      assert.match(request?.raw ?? '', /\r\nOrigin: https:\/\/wwsf\.harness\.test\r\n/)
      assert.match(request?.raw ?? '', /\r\nSec-WebSocket-Protocol: sip\r\n/)
      assert.equal(response?.direction, 'received')
      assert.match(response?.raw ?? '', /^HTTP\/1\.1 101 Switching Protocols\r\n/)
      assert.equal(response?.summary, 'WS upgrade accepted 101 (protocol sip)')
      assert.deepEqual(
        events.slice(2).map((e) => `${e.observer} ${e.direction} ${e.summary}`),
        [
          'WIC alice sent OPTIONS sip:ims.harness.test',
          'server received OPTIONS sip:ims.harness.test',
          'server sent 200 OK (OPTIONS)',
          'WIC alice received 200 OK (OPTIONS)',
        ],
      )
      assert.equal(events[2]?.from?.port, flow.local.port)
      assert.equal(events[2]?.raw, options())
    } finally {
      await flow.close()
    }
    const server = serverFlows.at(-1)
    assert.ok(server)
    const reason = await new Promise<string>((resolve) => server.onClose(resolve))
    assert.match(reason, /code 1000/)
  })

  void it('accepts binary frames and reports unparseable messages', T, async () => {
    const flow = await WssClient.connect({
      url: `${base}/sip`,
      ca,
      timeoutMs: 3000,
      trace,
      observer: 'c',
      leg: 'W2',
    })
    try {
      const server = serverFlows.at(-1)
      assert.ok(server)
      const got = next<Inbound>((h) => flow.onMessage(h))
      await server.sendRaw(Buffer.from(options()))
      assert.equal((await got).message.summary(), 'OPTIONS sip:ims.harness.test')
      const bad = next<{ raw: string }>((h) => flow.onInvalid(h))
      await server.sendRaw('garbage')
      assert.equal((await bad).raw, 'garbage')
    } finally {
      await flow.close()
    }
  })

  void it(
    'throws WsHandshakeError with status, headers and body when the upgrade is refused',
    T,
    async () => {
      const mark = trace.mark()
      const attempt = WssClient.connect({
        url: `${base}/forbidden`,
        ca,
        timeoutMs: 3000,
        trace,
        observer: 'c',
        leg: 'W2',
      })
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof WsHandshakeError)
        assert.equal(error.code, 'WS_HANDSHAKE_FAILED')
        assert.equal(error.status, 403)
        assert.equal(error.headers['content-type'], 'text/plain')
        assert.equal(error.body, 'origin denied')
        assert.match(error.message, /refused: 403 Forbidden/)
        return true
      })
      const refused = trace.since(mark).find((e) => e.direction === 'received')
      assert.equal(refused?.summary, 'WS upgrade refused 403')
      assert.match(refused?.raw ?? '', /^HTTP\/1\.1 403 Forbidden\r\n[^]*\r\n\r\norigin denied$/)
    },
  )

  void it(
    'reports a server certificate the client rejects as an environment error with its TLS code',
    T,
    async () => {
      const attempt = WssClient.connect({
        url: `${base}/sip`,
        timeoutMs: 3000,
        trace,
        observer: 'c',
        leg: 'W2',
      })
      await assert.rejects(attempt, (error: unknown) => {
        // Not the server refusing TLS (TlsHandshakeFailed): the harness rejected the certificate (no CA given).
        assert.ok(error instanceof ServerCertificateRejected)
        assert.equal(error.side, 'environment')
        assert.equal(error.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
        return true
      })
    },
  )

  void it('fails the handshake when the server selects no subprotocol', T, async () => {
    const url = `${base}/no-protocol`
    const attempt = WssClient.connect({ url, ca, timeoutMs: 3000, trace, observer: 'c', leg: 'W2' })
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof WsHandshakeError)
      assert.equal(error.status, 101)
      assert.match(error.message, /selected no subprotocol while "sip" was requested/)
      return true
    })
  })

  void it('bounds the handshake with its deadline and says what was awaited', T, async () => {
    const url = `${base}/silent`
    const attempt = WssClient.connect({ url, ca, timeoutMs: 300, trace, observer: 'c', leg: 'W2' })
    await assert.rejects(attempt, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SIP_TIMEOUT_AWAITING') // NoAnswer: the connection was up, no upgrade came
      assert.match(error.message, new RegExp(`WSS handshake with ${url} did not complete within 300 ms`))
      return true
    })
  })
})
