/**
 * Issue 7, bounded everything at the unit level: the WSS client cuts a message over maxPayload at the frame header
 * (OversizeMessage, nothing buffered), the stream framer cuts a Content-Length over the limit, the trace keeps a
 * head, a tail and a cut note, and the inbound queues drop the oldest beyond their bound. And the CRLF keep-alive
 * of RFC 5626 §4.4.1: the reference edge answers a double CRLF with a single one; a silent server gives no pong.
 */
import assert from 'node:assert/strict'
import https from 'node:https'
import type net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { WebSocketEdge } from '../../support/epcscf/websocket-edge.ts'
import { parseFaults } from '../../support/epcscf/faults.ts'
import { OversizeMessage } from '../../support/errors.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { InboundHub } from '../../support/transport/inbound-hub.ts'
import { MAX_PENDING_INBOUND } from '../../support/transport/limits.ts'
import { StreamFramer } from '../../support/transport/stream-framer.ts'
import { WssClient } from '../../support/transport/wss-client.ts'
import type { WsFlow } from '../../support/transport/ws-flow.ts'
import { describeKeepAlive, pingForPong } from '../../support/wic/keep-alive.ts'
import { Inbox } from '../../support/wic/inbox.ts'
import { cappedText, ladderEvents } from '../../support/trace/trace-report.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { localPki } from '../helpers/pki.ts'

const ORIGIN = 'https://wwsf.harness.test:8443'

/** A WSS server that, per connection, runs `behave` on the raw TLS socket once the WebSocket is open. */
async function rawServer(behave: (ws: WebSocket, socket: net.Socket) => void): Promise<{
  url: string
  close: () => Promise<void>
}> {
  const pki = await localPki()
  const server = https.createServer({ key: pki.server.key, cert: pki.server.cert })
  const wss = new WebSocketServer({ server, handleProtocols: () => 'sip' })
  wss.on('connection', (ws, req) => behave(ws, req.socket as net.Socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `wss://127.0.0.1:${port}/`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function connect(url: string, trace: TraceRecorder, maxPayload?: number): Promise<WsFlow> {
  const pki = await localPki()
  return WssClient.connect({
    url,
    origin: ORIGIN,
    ca: pki.ca.cert,
    timeoutMs: 5000,
    trace,
    observer: 'WIC alice',
    leg: 'W2',
    ...(maxPayload === undefined ? {} : { maxPayload }),
  })
}

function closed(flow: WsFlow): Promise<string> {
  return new Promise((resolve) => flow.onClose(resolve))
}

void describe('bounds (issue 7)', { timeout: 30_000 }, () => {
  void it('a WebSocket message over maxPayload is cut at its frame header: OversizeMessage, 1009, nothing buffered', async () => {
    // A 100 MB text frame announced by its header, of which only 64 KiB is ever written.
    const header = Buffer.from([0x81, 127, 0, 0, 0, 0, 0x05, 0xf5, 0xe1, 0x00])
    const server = await rawServer((_ws, socket) =>
      socket.write(Buffer.concat([header, Buffer.alloc(65536, 65)])),
    )
    const trace = new TraceRecorder()
    try {
      const flow = await connect(server.url, trace)
      const reason = await closed(flow)
      assert.ok(flow.violation instanceof OversizeMessage)
      assert.equal(flow.violation.bytes, 100_000_000)
      assert.equal(flow.violation.limit, 1024 * 1024)
      assert.match(
        reason,
        /sent a WebSocket message of 100,000,000 bytes \(95\.4 MiB\); the limit is 1,048,576/,
      )
      const cut = trace.all().find((e) => e.summary.startsWith('oversize WebSocket message'))
      assert.match(cut?.raw ?? '', /^\[message cut: 100,000,000 bytes .* nothing of this one was kept\]$/)
    } finally {
      await server.close()
    }
  })

  void it('maxPayload is configurable per connection', async () => {
    const server = await rawServer((ws) => ws.send('x'.repeat(2000)))
    const trace = new TraceRecorder()
    try {
      const flow = await connect(server.url, trace, 1000)
      await closed(flow)
      assert.equal((flow.violation as OversizeMessage | undefined)?.bytes, 2000)
    } finally {
      await server.close()
    }
  })

  void it('the stream framer refuses a Content-Length over the limit before buffering the body', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 1024, maxBodyBytes: 100 })
    const [item] = framer.push(Buffer.from('MESSAGE sip:a SIP/2.0\r\nContent-Length: 5000000\r\n\r\nxx'))
    assert.equal(item?.kind, 'error')
    assert.deepEqual(item?.kind === 'error' ? item.oversize : undefined, { bytes: 5_000_050, limit: 100 })
    const [headers] = new StreamFramer({ maxHeaderBytes: 64, maxBodyBytes: 100 }).push(Buffer.alloc(200, 65))
    assert.deepEqual(headers?.kind === 'error' ? headers.oversize : undefined, {
      bytes: undefined,
      limit: 64,
    })
  })

  void it('the trace keeps the head and the tail of a segment, with a note saying what it dropped', () => {
    const trace = new TraceRecorder({
      headEvents: 3,
      headChars: 1000,
      tailEvents: 2,
      tailChars: 1000,
      eventChars: 10,
    })
    const mark = trace.mark()
    for (let i = 0; i < 10; i += 1) trace.note('x', `event ${i}`, 'r'.repeat(20))
    const events = trace.since(mark)
    assert.deepEqual(
      events.map((e) => e.summary.replace(/^\[trace cut: (\d+) events .*$/, 'cut $1')),
      ['event 0', 'event 1', 'event 2', 'cut 5', 'event 8', 'event 9'],
    )
    assert.match(
      events[0]?.raw ?? '',
      /^r{10}\n\[… cut: 10 more characters not kept \(limit 10 per event\)\]$/,
    )
    assert.deepEqual(trace.dropped, { events: 5, chars: 5 * events[0]!.raw.length })
    trace.mark()
    assert.deepEqual(trace.all(), [], 'a new segment lets the previous one go')
  })

  void it('the WIC inbox keeps the latest unmatched messages and says how many it dropped', async () => {
    const inbox = new Inbox('WIC alice', 'the eP-CSCF', { messages: 3, invalid: 2, invalidChars: 8 })
    for (let n = 1; n <= 5; n += 1)
      inbox.push(
        parseMessage(
          `NOTIFY sip:a@b SIP/2.0\r\nVia: SIP/2.0/WSS h;branch=z9hG4bK${n}\r\nFrom: <sip:f@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c${n}\r\nCSeq: ${n} NOTIFY\r\nContent-Length: 0\r\n\r\n`,
        ) as SipRequest,
      )
    for (let n = 1; n <= 3; n += 1) inbox.pushInvalid('x'.repeat(20), `bad ${n}`)
    assert.equal(inbox.pending.length, 3)
    assert.deepEqual(inbox.dropped, { messages: 2, invalid: 1 })
    assert.equal(inbox.invalidInputs[0]?.raw, 'xxxxxxxx[… 12 more characters cut]')
    assert.match(
      inbox.arrivedInstead(0),
      /\(3 older inputs dropped: the inbox keeps 3 messages and 2 unparseable inputs\)$/,
    )
    await assert.rejects(inbox.take({ description: 'a BYE', predicate: () => false }, 10), /dropped/)
  })

  void it('each attachment is capped with a marker, and the SVG ladder draws the first and last events', () => {
    assert.equal(cappedText('short', 'trace', 10), 'short')
    assert.match(
      cappedText('y'.repeat(25), 'trace', 10),
      /^y{10}\n\n\[trace cut: 15 more characters not attached/,
    )
    const events = Array.from({ length: 1000 }, (_, i) => ({
      at: i,
      observer: 'x',
      direction: 'note' as const,
      leg: 'harness' as const,
      raw: '',
      summary: `e${i}`,
    }))
    const drawn = ladderEvents(events)
    assert.equal(drawn.length, 351)
    assert.match(drawn[300]?.summary ?? '', /^\[ladder cut: 650 events not drawn/)
    assert.equal(drawn.at(-1)?.summary, 'e999')
  })

  void it('inputs queued before any handler is attached are bounded, the oldest dropped', () => {
    const hub = new InboundHub(() => {})
    for (let i = 0; i < MAX_PENDING_INBOUND + 5; i += 1) hub.invalid({ raw: String(i) } as never)
    const seen: string[] = []
    hub.onInvalid((m) => seen.push(m.raw))
    assert.equal(seen.length, MAX_PENDING_INBOUND)
    assert.equal(seen[0], '5')
    assert.equal(hub.dropped, 5)
  })
})

void describe('CRLF keep-alive on W2 (RFC 5626 §4.4.1)', { timeout: 30_000 }, () => {
  let edge: WebSocketEdge
  const trace = new TraceRecorder()
  before(async () => {
    const pki = await localPki()
    edge = await WebSocketEdge.listen({
      host: '127.0.0.1',
      port: 0,
      path: '/',
      tls: { cert: pki.server.cert, key: pki.server.key },
      origin: { allowed: [ORIGIN], missingOrigin: 'refuse' },
      faults: parseFaults([]),
      trace,
      observer: 'reference eP-CSCF',
      onConnection: () => {},
    })
  })
  after(async () => {
    await edge.close()
  })

  void it('the reference answers a double CRLF with a single CRLF, both in the trace', async () => {
    const flow = await connect(edge.url, trace)
    try {
      const outcome = await pingForPong(flow, 2000)
      assert.equal(outcome.answered, true, describeKeepAlive(outcome))
      const summaries = trace.all().map((e) => `${e.observer} ${e.direction} ${e.summary}`)
      assert.ok(summaries.includes('WIC alice sent CRLF keep-alive ping (4 bytes)'), summaries.join('\n'))
      assert.ok(summaries.includes('reference eP-CSCF sent CRLF keep-alive pong (2 bytes)'))
      assert.ok(summaries.includes('WIC alice received CRLF keep-alive pong (2 bytes)'))
    } finally {
      await flow.close()
    }
  })

  void it('a server that does not answer gives no pong at the deadline; one that closes says so', async () => {
    const silent = await rawServer(() => {})
    const closing = await rawServer((ws) => ws.on('message', () => ws.close(1000, 'bye')))
    try {
      const outcome = await pingForPong(await connect(silent.url, new TraceRecorder()), 300)
      assert.equal(outcome.answered, false)
      assert.match(describeKeepAlive(outcome), /^no single CRLF \(pong\) within 3\d\d ms$/)
      const gone = await pingForPong(await connect(closing.url, new TraceRecorder()), 2000)
      assert.match(describeKeepAlive(gone), /the connection closed \(WebSocket closed with code 1000 "bye"\)/)
    } finally {
      await silent.close()
      await closing.close()
    }
  })
})
