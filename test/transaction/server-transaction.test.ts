import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createResponse } from '../../support/sip/builders.ts'
import type { TimerSettings } from '../../support/transaction/timers.ts'
import {
  MAX_OPEN_SERVER_TRANSACTIONS,
  TransactionLayer,
  type ServerTransaction,
} from '../../support/transaction/transaction-layer.ts'
import type { Inbound } from '../../support/transport/peer.ts'
import { UdpTransport } from '../../support/transport/udp-transport.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localUdp } from '../helpers/transports.ts'
import { UdpStub } from '../helpers/udp-stub.ts'
import { sleep } from '../helpers/wait.ts'

const T = { timeout: 10_000 }

function request(method: string, branch: string, sentBy = '127.0.0.1:5999', cseqMethod = method): string {
  return requestText({
    start: `${method} sip:scscf.harness.test`,
    via: `SIP/2.0/UDP ${sentBy};branch=${branch};rport`,
    from: '<sip:alice@harness.test>;tag=from1',
    to: method === 'ACK' ? '<sip:bob@harness.test>;tag=to1' : '<sip:bob@harness.test>',
    callId: `call-${branch}`,
    cseq: `3 ${cseqMethod}`,
  })
}

interface Setup {
  udp: UdpTransport
  layer: TransactionLayer
  client: UdpStub
  txs: ServerTransaction[]
  strays: Inbound[]
  /** Send times of the harness as recorded in the trace (the timer schedule, free of receive jitter). */
  sentAt: () => number[]
  nextTx: () => Promise<ServerTransaction>
}

async function setup(timers: TimerSettings): Promise<Setup> {
  const trace = new TraceRecorder()
  const udp = await localUdp(trace, 'mock S-CSCF')
  const layer = new TransactionLayer({ timers, observer: 'mock S-CSCF' })
  const txs: ServerTransaction[] = []
  const strays: Inbound[] = []
  let waiter: ((tx: ServerTransaction) => void) | undefined
  layer.onRequest((tx) => {
    txs.push(tx)
    waiter?.(tx)
  })
  layer.onStray((m) => strays.push(m))
  udp.onMessage((m) => layer.receive(m))
  const nextTx = (): Promise<ServerTransaction> => new Promise((resolve) => (waiter = resolve))
  const sentAt = (): number[] =>
    trace
      .all()
      .filter((e) => e.direction === 'sent')
      .map((e) => e.at)
  return { udp, layer, client: await UdpStub.start(), txs, strays, sentAt, nextTx }
}

async function teardown(s: Setup): Promise<void> {
  s.layer.close()
  s.client.close()
  await s.udp.close()
}

void describe('server transactions over UDP (RFC 3261 §17.2)', () => {
  void it(
    'absorbs retransmitted requests and answers them with the last response (non-INVITE)',
    T,
    async () => {
      const s = await setup({ T1: 20, T2: 80, T4: 100 })
      try {
        const register = request('REGISTER', 'z9hG4bKsrv1')
        const created = s.nextTx()
        s.client.send(register, s.udp.local.port)
        const tx = await created
        assert.equal(tx.state, 'Trying')
        s.client.send(register, s.udp.local.port)
        await sleep(40)
        assert.equal(s.client.arrivals.length, 0, 'a retransmission in Trying is discarded, nothing is sent')
        await tx.respond(createResponse(tx.request, 100))
        assert.equal(tx.state, 'Proceeding')
        s.client.send(register, s.udp.local.port)
        await s.client.waitFor(2)
        await tx.respond(createResponse(tx.request, 200))
        assert.equal(tx.state, 'Completed')
        s.client.send(register, s.udp.local.port)
        s.client.send(register, s.udp.local.port)
        await s.client.waitFor(5)
        assert.deepEqual(s.client.summaries(), [
          '100 Trying (REGISTER)',
          '100 Trying (REGISTER)',
          '200 OK (REGISTER)',
          '200 OK (REGISTER)',
          '200 OK (REGISTER)',
        ])
        assert.equal(s.txs.length, 1, 'one server transaction for the request and its retransmissions')
        await assert.rejects(tx.respond(createResponse(tx.request, 500)), { code: 'SCENARIO_MISUSE' })
        const ended = await new Promise<string>((resolve) => tx.onTerminated(resolve))
        assert.equal(ended, 'completed')
      } finally {
        await teardown(s)
      }
    },
  )

  void it('retransmits a non-2xx INVITE final with Timer G until the ACK, which it absorbs', T, async () => {
    const s = await setup({ T1: 20, T2: 80, T4: 100 })
    try {
      const created = s.nextTx()
      s.client.send(request('INVITE', 'z9hG4bKsrv2'), s.udp.local.port)
      const tx = await created
      assert.equal(tx.state, 'Proceeding')
      await tx.respond(createResponse(tx.request, 486))
      await s.client.waitFor(5)
      s.client.send(request('ACK', 'z9hG4bKsrv2'), s.udp.local.port)
      await sleep(30)
      assert.equal(tx.state, 'Confirmed')
      const count = s.client.arrivals.length
      const sent = s.sentAt()
      assert.equal(sent.length, count, 'every retransmission reached the client')
      const intervals = sent.slice(1, 5).map((at, i) => at - (sent[i] ?? 0))
      ;[20, 40, 80, 80].forEach((nominal, i) => {
        const got = intervals[i] ?? 0
        assert.ok(
          got >= nominal - 10 && got <= nominal + 60,
          `Timer G interval ${i + 1}: ${Math.round(got)} ms`,
        )
      })
      s.client.send(request('ACK', 'z9hG4bKsrv2'), s.udp.local.port)
      await sleep(150)
      assert.equal(s.client.arrivals.length, count, 'no retransmission after the ACK')
      assert.equal(s.strays.length, 0, 'both ACKs were absorbed by the transaction')
      assert.equal(tx.state, 'Terminated', 'Timer I (T4) ended the Confirmed state')
    } finally {
      await teardown(s)
    }
  })

  void it('gives up at Timer H when the ACK never comes', T, async () => {
    const s = await setup({ T1: 5, T2: 40, T4: 50 })
    try {
      const created = s.nextTx()
      s.client.send(request('INVITE', 'z9hG4bKsrv3'), s.udp.local.port)
      const tx = await created
      const ended = new Promise<string>((resolve) => tx.onTerminated(resolve))
      const started = performance.now()
      await tx.respond(createResponse(tx.request, 603))
      assert.equal(await ended, 'timeout')
      assert.ok(performance.now() - started >= 315, 'Timer H is 64*T1')
    } finally {
      await teardown(s)
    }
  })

  void it('terminates on a 2xx and hands the ACK for it to onStray', T, async () => {
    const s = await setup({ T1: 20, T2: 80, T4: 100 })
    try {
      const created = s.nextTx()
      s.client.send(request('INVITE', 'z9hG4bKsrv4'), s.udp.local.port)
      const tx = await created
      await tx.respond(createResponse(tx.request, 180))
      s.client.send(request('INVITE', 'z9hG4bKsrv4'), s.udp.local.port)
      await s.client.waitFor(2)
      await tx.respond(createResponse(tx.request, 200))
      assert.equal(tx.state, 'Terminated')
      s.client.send(request('ACK', 'z9hG4bKsrv4-2xx'), s.udp.local.port)
      await sleep(40)
      assert.deepEqual(s.client.summaries(), [
        '180 Ringing (INVITE)',
        '180 Ringing (INVITE)',
        '200 OK (INVITE)',
      ])
      assert.deepEqual(
        s.strays.map((m) => m.message.summary()),
        ['ACK sip:scscf.harness.test'],
      )
    } finally {
      await teardown(s)
    }
  })

  void it(
    'matches on branch, sent-by and method (§17.2.3): CANCEL and another sent-by are new transactions',
    T,
    async () => {
      const s = await setup({ T1: 20, T2: 80, T4: 100 })
      try {
        s.client.send(request('INVITE', 'z9hG4bKsrv5'), s.udp.local.port)
        s.client.send(request('CANCEL', 'z9hG4bKsrv5'), s.udp.local.port)
        s.client.send(request('INVITE', 'z9hG4bKsrv5', '192.0.2.7:5060'), s.udp.local.port)
        s.client.send(request('INVITE', 'z9hG4bKsrv5'), s.udp.local.port)
        await sleep(60)
        assert.deepEqual(
          s.txs.map((tx) => `${tx.request.method} ${tx.request.get('Via') ?? ''}`),
          [
            'INVITE SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsrv5;rport',
            'CANCEL SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsrv5;rport',
            'INVITE SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKsrv5;rport',
          ],
        )
      } finally {
        await teardown(s)
      }
    },
  )
})

void describe('the cap on server transactions (issue 7, issue 12)', () => {
  const MAX = MAX_OPEN_SERVER_TRANSACTIONS
  /** Sends `count` REGISTERs with fresh branches in batches (loopback UDP drops a burst of a thousand). */
  async function sendMany(s: Setup, count: number, prefix: string): Promise<void> {
    const before = s.txs.length
    for (let i = 0; i < count; i += 100) {
      for (let j = i; j < Math.min(count, i + 100); j += 1)
        s.client.send(request('REGISTER', `z9hG4bK${prefix}${j}`), s.udp.local.port)
      while (s.txs.length < before + Math.min(count, i + 100)) await sleep(5)
    }
  }

  void it(
    'counts only unanswered ones: a retransmission after more than the cap of answered requests still gets the last response (§17.2.2)',
    T,
    async () => {
      // Timer J (64·T1) keeps the answered ones Completed through the test.
      const s = await setup({ T1: 500, T2: 4000, T4: 5000 })
      try {
        s.layer.onRequest((tx) => void tx.respond(createResponse(tx.request, 401)))
        await sendMany(s, MAX + 50, 'ans')
        await s.client.waitFor(MAX + 50)
        s.client.send(request('REGISTER', 'z9hG4bKans0'), s.udp.local.port)
        await s.client.waitFor(MAX + 51)
        assert.equal(s.txs.length, MAX + 50, 'the retransmission matched its Completed transaction')
        assert.equal(s.txs[0]!.state, 'Completed')
      } finally {
        await teardown(s)
      }
    },
  )

  void it('aborts the oldest unanswered one beyond the cap, not an older answered one', T, async () => {
    const s = await setup({ T1: 500, T2: 4000, T4: 5000 })
    try {
      await sendMany(s, 1, 'open-first')
      const first = s.txs[0]!
      const ended: string[] = []
      first.onTerminated((reason) => ended.push(reason))
      s.layer.onRequest((tx) => {
        if (tx.request.get('Via')?.includes('ans')) void tx.respond(createResponse(tx.request, 200))
      })
      await sendMany(s, MAX + 10, 'ans')
      await sleep(20)
      assert.equal(first.state, 'Trying', 'answered transactions made room: the unanswered one stays')
      await sendMany(s, MAX, 'open')
      await sleep(20)
      assert.equal(first.state, 'Terminated', `${MAX + 1} unanswered: the oldest is dropped`)
      assert.match(ended[0] ?? '', /more than 1000 unanswered server transactions/)
      assert.equal(s.txs[1]!.state, 'Completed', 'the answered ones are left to Timer J')
    } finally {
      await teardown(s)
    }
  })
})
