import assert from 'node:assert/strict'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import { createResponse } from '../../support/sip/builders.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { Inbound, InvalidInbound } from '../../support/transport/peer.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localUdp } from '../helpers/transports.ts'
import { bindUdp } from '../helpers/udp-stub.ts'
import { next } from '../helpers/wait.ts'

const T = { timeout: 5000 }

function options(port: number): string {
  return requestText({
    start: 'OPTIONS sip:bob@127.0.0.1',
    via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKudp1;rport`,
    from: '<sip:alice@example.test>;tag=a1',
    to: '<sip:bob@example.test>',
    callId: 'udp-1',
    cseq: '1 OPTIONS',
  })
}

void describe('UdpTransport (RFC 3261 §18)', () => {
  void it('receives a datagram and answers to its source address and port (RFC 3581)', T, async () => {
    const trace = new TraceRecorder()
    const udp = await localUdp(trace, 'server')
    const client = await bindUdp()
    try {
      const inbound = next<Inbound>((h) => udp.onMessage(h))
      // The Via names port 9, which is not where the datagram comes from: the answer must go to the source.
      client.send(options(9), udp.local.port, '127.0.0.1')
      const { message, flow } = await inbound
      assert.equal(message.summary(), 'OPTIONS sip:bob@127.0.0.1')
      assert.equal(flow.remote.port, client.address().port)
      assert.equal(flow.reliable, false)
      assert.equal(udp.flowTo(flow.remote), flow, 'one flow per remote address:port')
      const reply = once(client, 'message')
      await flow.send(createResponse(message as SipRequest, 200))
      const [data] = (await reply) as [Buffer]
      assert.equal(parseMessage(data.toString()).summary(), '200 OK (OPTIONS)')
      const events = trace.all().map((e) => `${e.observer} ${e.direction} ${e.leg} ${e.summary}`)
      assert.deepEqual(events, [
        'server received Mw OPTIONS sip:bob@127.0.0.1',
        'server sent Mw 200 OK (OPTIONS)',
      ])
      assert.equal(trace.all()[0]?.from?.port, client.address().port)
      assert.equal(trace.all()[0]?.raw, options(9))
    } finally {
      client.close()
      await udp.close()
    }
  })

  void it('records unparseable datagrams and reports them to onInvalid', T, async () => {
    const trace = new TraceRecorder()
    const udp = await localUdp(trace, 'server')
    const sender = await localUdp(trace, 'client')
    try {
      const invalid = next<InvalidInbound>((h) => udp.onInvalid(h))
      await sender.flowTo(udp.local).sendRaw('NOT SIP AT ALL\r\n\r\n')
      const bad = await invalid
      assert.equal(bad.raw, 'NOT SIP AT ALL\r\n\r\n')
      assert.equal(bad.error.code, 'SIP_PARSE_FAILED')
      const received = trace.all().find((e) => e.direction === 'received')
      assert.match(received?.summary ?? '', /^unparseable: /)
      const sent = trace.all().find((e) => e.direction === 'sent')
      assert.equal(sent?.summary, 'raw 18 bytes: NOT SIP AT ALL')
    } finally {
      await sender.close()
      await udp.close()
    }
  })

  void it('fires onClose once and refuses to send on a closed flow', T, async () => {
    const trace = new TraceRecorder()
    const udp = await localUdp(trace, 'c')
    const flow = udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: 9 })
    const reasons: string[] = []
    flow.onClose((r) => reasons.push(r))
    await udp.close()
    await flow.close()
    assert.deepEqual(reasons, ['UDP transport closed'])
    await assert.rejects(flow.sendRaw('x'), { code: 'TRANSPORT_CLOSED' })
  })
})
