import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseMessage } from '../../support/sip/parse.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { viasOf } from '../../support/sip/via.ts'
import { TransactionLayer } from '../../support/transaction/transaction-layer.ts'
import type { TimerSettings } from '../../support/transaction/timers.ts'
import type { Inbound } from '../../support/transport/peer.ts'
import { UdpTransport } from '../../support/transport/udp-transport.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localTcp, localUdp } from '../helpers/transports.ts'
import { UdpStub } from '../helpers/udp-stub.ts'
import { sleep } from '../helpers/wait.ts'

const T = { timeout: 10_000 }
let branches = 0

function request(method: string, port: number, extra: string[] = []): SipRequest {
  branches += 1
  const text = requestText({
    start: `${method} sip:registrar.harness.test`,
    via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKclient${branches};rport`,
    afterVia: extra,
    from: '<sip:alice@harness.test>;tag=from1',
    to: '<sip:alice@harness.test>',
    callId: `call-${branches}`,
    cseq: `7 ${method}`,
  })
  return parseMessage(text) as SipRequest
}

/** A response to `req` as the peer would write it (Via copied, To tag added). */
function answer(req: SipRequest, status: number, reason: string): string {
  const lines = [`SIP/2.0 ${status} ${reason}`]
  for (const h of req.headers) {
    if (['Via', 'From', 'Call-ID', 'CSeq'].includes(h.name)) lines.push(`${h.name}: ${h.value}`)
    if (h.name === 'To') lines.push(`To: ${h.value};tag=peer1`)
  }
  return [...lines, 'Content-Length: 0', '', ''].join('\r\n')
}

interface Setup {
  udp: UdpTransport
  layer: TransactionLayer
  peer: UdpStub
  /** Gaps between the harness's sends as recorded in the trace (the timer schedule, free of receive jitter). */
  sentIntervals: () => number[]
  /** Closes the transaction layer, the peer and the transport. */
  teardown: () => Promise<void>
}

async function setup(timers: TimerSettings): Promise<Setup> {
  const trace = new TraceRecorder()
  const udp = await localUdp(trace, 'harness')
  const layer = new TransactionLayer({ timers, observer: 'harness' })
  udp.onMessage((m) => layer.receive(m))
  const sentIntervals = (): number[] => {
    const sent = trace.all().filter((e) => e.direction === 'sent')
    return sent.slice(1).map((e, i) => e.at - (sent[i]?.at ?? 0))
  }
  const peer = await UdpStub.start()
  const teardown = async (): Promise<void> => {
    layer.close()
    peer.close()
    await udp.close()
  }
  return { udp, layer, peer, sentIntervals, teardown }
}

function assertSchedule(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length, `intervals ${actual.map(Math.round).join(', ')}`)
  actual.forEach((interval, i) => {
    const nominal = expected[i] ?? 0
    assert.ok(
      interval >= nominal - 10 && interval <= nominal + 60,
      `interval ${i + 1} was ${Math.round(interval)} ms, expected about ${nominal} ms (all: ${actual.map(Math.round).join(', ')})`,
    )
  })
}

void describe('client transactions over UDP (RFC 3261 §17.1)', () => {
  void it(
    'retransmits a non-INVITE request with Timer E doubling up to T2, then stops on the final response',
    T,
    async () => {
      const { udp, layer, peer, sentIntervals, teardown } = await setup({ T1: 20, T2: 80, T4: 100 })
      try {
        const req = request('REGISTER', udp.local.port)
        const pending = layer.request(
          req,
          udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port }),
        )
        await peer.waitFor(6)
        peer.send(answer(req, 200, 'OK'), udp.local.port)
        const final = await pending
        assert.equal(final.status, 200)
        assertSchedule(sentIntervals(), [20, 40, 80, 80, 80])
        assert.ok(
          peer.arrivals.every((a) => a.text === req.toString()),
          'each retransmission is the same request',
        )
        await sleep(200)
        assert.equal(peer.arrivals.length, 6, 'no retransmission after the final response')
      } finally {
        await teardown()
      }
    },
  )

  void it('passes provisionals up and keeps retransmitting at T2 in Proceeding', T, async () => {
    const { udp, layer, peer, sentIntervals, teardown } = await setup({ T1: 20, T2: 40, T4: 100 })
    try {
      const req = request('REGISTER', udp.local.port)
      const provisionals: SipResponse[] = []
      const pending = layer.request(
        req,
        udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port }),
        {
          onProvisional: (r) => provisionals.push(r),
        },
      )
      await peer.waitFor(1)
      peer.send(answer(req, 100, 'Trying'), udp.local.port)
      await peer.waitFor(5)
      peer.send(answer(req, 401, 'Unauthorized'), udp.local.port)
      assert.equal((await pending).status, 401)
      assert.deepEqual(
        provisionals.map((p) => p.status),
        [100],
      )
      assertSchedule(sentIntervals(), [20, 40, 40, 40])
    } finally {
      await teardown()
    }
  })

  void it(
    'rejects with SIP_TRANSACTION_TIMEOUT at Timer F naming the request, the peer and what arrived',
    T,
    async () => {
      const { udp, layer, peer, teardown } = await setup({ T1: 10, T2: 40, T4: 50 })
      try {
        const quiet = request('REGISTER', udp.local.port)
        const trying = request('OPTIONS', udp.local.port)
        const flow = udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port })
        const started = performance.now()
        const silent = layer.request(quiet, flow)
        const provisional = layer.request(trying, flow)
        await peer.waitFor(2)
        peer.send(answer(trying, 100, 'Trying'), udp.local.port)
        const branch = (r: SipRequest): string => viasOf(r)[0]?.branch ?? ''
        await assert.rejects(silent, (error: Error & { code?: string }) => {
          assert.equal(error.code, 'SIP_TRANSACTION_TIMEOUT')
          assert.equal(
            error.message,
            `SIP_TRANSACTION_TIMEOUT: no final response to REGISTER sip:registrar.harness.test (branch ${branch(quiet)}) ` +
              `from udp:127.0.0.1:${peer.port} within Timer F 640 ms; received: nothing`,
          )
          return true
        })
        assert.ok(performance.now() - started >= 630, 'not before Timer F')
        await assert.rejects(provisional, /within Timer F 640 ms; received: 100 Trying$/)
      } finally {
        await teardown()
      }
    },
  )

  void it(
    'retransmits an INVITE with Timer A doubling, ACKs a 486 itself and re-ACKs its retransmission',
    T,
    async () => {
      const { udp, layer, peer, sentIntervals, teardown } = await setup({ T1: 20, T2: 4000, T4: 100 })
      try {
        const invite = request('INVITE', udp.local.port, ['Route: <sip:pcscf.harness.test;lr>'])
        const pending = layer.request(
          invite,
          udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port }),
        )
        await peer.waitFor(4)
        peer.send(answer(invite, 486, 'Busy Here'), udp.local.port)
        assert.equal((await pending).status, 486)
        await peer.waitFor(5)
        assertSchedule(sentIntervals().slice(0, 3), [20, 40, 80])
        const ack = parseMessage(peer.arrivals[4]?.text ?? '') as SipRequest
        assert.equal(ack.method, 'ACK')
        assert.equal(ack.uri, invite.uri)
        assert.deepEqual(ack.getAll('Via'), [viasOf(invite)[0]?.raw])
        assert.equal(ack.get('To'), '<sip:alice@harness.test>;tag=peer1')
        assert.equal(ack.get('From'), invite.get('From'))
        assert.equal(ack.get('Call-ID'), invite.get('Call-ID'))
        assert.equal(ack.get('CSeq'), '7 ACK')
        assert.deepEqual(ack.getAll('Route'), ['<sip:pcscf.harness.test;lr>'])
        peer.send(answer(invite, 486, 'Busy Here'), udp.local.port)
        await peer.waitFor(6)
        assert.equal(parseMessage(peer.arrivals[5]?.text ?? '').summary(), 'ACK sip:registrar.harness.test')
        await sleep(150)
        assert.equal(peer.arrivals.length, 6, 'no INVITE retransmission after the final response')
      } finally {
        await teardown()
      }
    },
  )

  void it(
    'stops INVITE retransmissions on a provisional and leaves the 2xx ACK and retransmissions to the TU',
    T,
    async () => {
      const { udp, layer, peer, teardown } = await setup({ T1: 20, T2: 4000, T4: 100 })
      try {
        const invite = request('INVITE', udp.local.port)
        const strays: Inbound[] = []
        layer.onStray((m) => strays.push(m))
        const pending = layer.request(
          invite,
          udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port }),
        )
        await peer.waitFor(2)
        peer.send(answer(invite, 180, 'Ringing'), udp.local.port)
        await sleep(150)
        const sent = peer.arrivals.length
        assert.ok(sent <= 3, `INVITE sent ${sent} times`)
        peer.send(answer(invite, 200, 'OK'), udp.local.port)
        assert.equal((await pending).status, 200)
        peer.send(answer(invite, 200, 'OK'), udp.local.port)
        await sleep(50)
        assert.equal(peer.arrivals.length, sent, 'no ACK for a 2xx from the transaction')
        assert.deepEqual(
          strays.map((s) => s.message.summary()),
          ['200 OK (INVITE)'],
        )
      } finally {
        await teardown()
      }
    },
  )

  void it('rejects pending transactions when the layer closes, leaving no timer behind', T, async () => {
    const { udp, layer, peer } = await setup({ T1: 500, T2: 4000, T4: 5000 })
    try {
      const pending = layer.request(
        request('REGISTER', udp.local.port),
        udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port }),
      )
      await peer.waitFor(1)
      layer.close()
      await assert.rejects(pending, { code: 'TRANSPORT_CLOSED' })
    } finally {
      peer.close()
      await udp.close()
    }
  })

  void it('rejects a pending transaction when its flow closes', T, async () => {
    const { udp, layer, peer, teardown } = await setup({ T1: 500, T2: 4000, T4: 5000 })
    try {
      const flow = udp.flowTo({ transport: 'UDP', address: '127.0.0.1', port: peer.port })
      const pending = layer.request(request('REGISTER', udp.local.port), flow)
      await flow.close()
      await assert.rejects(
        pending,
        /TRANSPORT_CLOSED: flow udp-\d+ to udp:127\.0\.0\.1:\d+ closed \(closed by the harness\)/,
      )
    } finally {
      await teardown()
    }
  })
})

void describe('client transactions over TCP (RFC 3261 §17.1, reliable)', () => {
  void it('does not retransmit and terminates with Timer K = 0', T, async () => {
    const trace = new TraceRecorder()
    const client = await localTcp(trace, 'c')
    const server = await localTcp(trace, 's')
    const layer = new TransactionLayer({ timers: { T1: 10, T2: 40, T4: 50 }, observer: 'c' })
    client.onMessage((m) => layer.receive(m))
    try {
      const received: Inbound[] = []
      server.onMessage((m) => received.push(m))
      const req = request('REGISTER', client.local.port)
      const pending = layer.request(req, client.flowTo(server.local))
      await sleep(120)
      assert.equal(received.length, 1)
      await received[0]?.flow.sendRaw(answer(req, 200, 'OK'))
      assert.equal((await pending).status, 200)
      // Timer K is 0 on a reliable transport: the same branch may be reused at once.
      const again = layer.request(req, client.flowTo(server.local))
      await sleep(20)
      await received[1]?.flow.sendRaw(answer(req, 200, 'OK'))
      assert.equal((await again).status, 200)
    } finally {
      layer.close()
      await client.close()
      await server.close()
    }
  })
})
