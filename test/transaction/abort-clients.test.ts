import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TransportClosed } from '../../support/errors.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { TransactionLayer } from '../../support/transaction/transaction-layer.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localUdp } from '../helpers/transports.ts'
import { UdpStub } from '../helpers/udp-stub.ts'

/**
 * TransactionLayer.abortClients: a test double's reset ends every pending client transaction at once (an INVITE
 * nobody answers would otherwise run to Timer B, 64·T1), and the layer stays usable for the next scenario.
 */
function invite(port: number, n: number): SipRequest {
  return parseMessage(
    requestText({
      start: 'INVITE sip:alice@harness.test',
      via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKabort${n};rport`,
      from: '<sip:network@harness.test>;tag=from1',
      to: '<sip:alice@harness.test>',
      callId: `abort-${n}`,
      cseq: '1 INVITE',
    }),
  ) as SipRequest
}

void describe('TransactionLayer.abortClients', () => {
  void it(
    'rejects a pending INVITE at once with TransportClosed, and the layer takes new requests',
    { timeout: 10_000 },
    async () => {
      const udp = await localUdp(new TraceRecorder(), 'harness')
      const layer = new TransactionLayer({ timers: { T1: 500, T2: 4000, T4: 5000 }, observer: 'harness' })
      const peer = await UdpStub.start()
      try {
        const flow = udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port })
        const pending = layer.request(invite(udp.local.port, 1), flow)
        const started = Date.now()
        assert.equal(layer.abortClients(new TransportClosed('reset')), 1)
        await assert.rejects(pending, (error) => error instanceof TransportClosed)
        assert.ok(Date.now() - started < 1000, 'ended at once, not at Timer B')
        const next = layer.request(invite(udp.local.port, 2), flow)
        next.catch(() => undefined)
        assert.equal(layer.abortClients(new TransportClosed('reset')), 1)
        await assert.rejects(next, (error) => error instanceof TransportClosed)
      } finally {
        layer.close()
        peer.close()
        await udp.close()
      }
    },
  )
})
