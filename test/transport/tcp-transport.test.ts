import assert from 'node:assert/strict'
import net from 'node:net'
import { describe, it } from 'node:test'
import { createResponse } from '../../support/sip/builders.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { Inbound, InvalidInbound } from '../../support/transport/peer.ts'
import { TcpTransport } from '../../support/transport/tcp-transport.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localTcp } from '../helpers/transports.ts'
import { next } from '../helpers/wait.ts'

const T = { timeout: 5000 }

function message(body: string): string {
  return requestText({
    start: 'MESSAGE sip:bob@127.0.0.1',
    via: 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKtcp1',
    from: '<sip:alice@example.test>;tag=a1',
    to: '<sip:bob@example.test>',
    callId: 'tcp-1',
    cseq: '1 MESSAGE',
    headers: ['Content-Type: text/plain'],
    body,
  })
}

async function pair(): Promise<{ a: TcpTransport; b: TcpTransport; trace: TraceRecorder }> {
  const trace = new TraceRecorder()
  const a = await localTcp(trace, 'A')
  const b = await localTcp(trace, 'B')
  return { a, b, trace }
}

void describe('TcpTransport (RFC 3261 §18)', () => {
  void it('carries a request and its response over one connection', T, async () => {
    const { a, b, trace } = await pair()
    try {
      const atB = next<Inbound>((h) => b.onMessage(h))
      const atA = next<Inbound>((h) => a.onMessage(h))
      const flow = a.flowTo(b.local)
      assert.equal(a.flowTo(b.local), flow, 'flowTo reuses the open connection')
      await flow.send(parseMessage(message('héllo')))
      const request = await atB
      assert.equal(request.message.body, 'héllo')
      assert.equal(request.flow.reliable, true)
      await request.flow.send(createResponse(request.message as SipRequest, 202))
      const response = await atA
      assert.equal(response.message.summary(), '202 Accepted (MESSAGE)')
      assert.equal(response.flow, flow)
      assert.equal(flow.local.port, request.flow.remote.port)
      const summaries = trace.all().map((e) => `${e.observer} ${e.direction} ${e.summary}`)
      assert.deepEqual(summaries, [
        'A sent MESSAGE sip:bob@127.0.0.1',
        'B received MESSAGE sip:bob@127.0.0.1',
        'B sent 202 Accepted (MESSAGE)',
        'A received 202 Accepted (MESSAGE)',
      ])
    } finally {
      await a.close()
      await b.close()
    }
  })

  void it('splits messages written in one chunk and ignores CRLF keep-alives', T, async () => {
    const { a, b } = await pair()
    try {
      const got: string[] = []
      const two = new Promise<void>((resolve) =>
        b.onMessage((m) => {
          got.push(m.message.body)
          if (got.length === 2) resolve()
        }),
      )
      await a.flowTo(b.local).sendRaw(`\r\n\r\n${message('one')}\r\n\r\n${message('two')}`)
      await two
      assert.deepEqual(got, ['one', 'two'])
    } finally {
      await a.close()
      await b.close()
    }
  })

  void it('reports a message without Content-Length as invalid and closes the connection', T, async () => {
    const { a, b, trace } = await pair()
    try {
      const invalid = next<InvalidInbound>((h) => b.onInvalid(h))
      const flow = a.flowTo(b.local)
      const closed = new Promise<string>((resolve) => flow.onClose(resolve))
      await flow.sendRaw(message('x').replace(/Content-Length: 1\r\n/, ''))
      const bad = await invalid
      assert.match(bad.error.reason, /missing Content-Length/)
      assert.match(await closed, /closed by|ECONNRESET/)
      assert.ok(
        trace
          .all()
          .some((e) => e.observer === 'B' && e.summary.startsWith('unparseable: missing Content-Length')),
      )
      assert.equal(bad.flow.closed, true)
    } finally {
      await a.close()
      await b.close()
    }
  })

  void it('names the peer when the connection is refused', T, async () => {
    const { a, b } = await pair()
    const spare = net.createServer()
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve))
    const port = (spare.address() as net.AddressInfo).port
    await new Promise<void>((resolve) => spare.close(() => resolve()))
    try {
      const flow = a.flowTo({ transport: 'TCP', address: '127.0.0.1', port })
      await assert.rejects(flow.send(parseMessage(message('x'))), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'TRANSPORT_FAILED')
        assert.match(
          error.message,
          new RegExp(`TCP connection to tcp:127.0.0.1:${port} failed: .*ECONNREFUSED`),
        )
        return true
      })
      assert.equal(flow.closed, true)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
