import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, beforeEach, describe, it } from 'node:test'
import { HarnessError } from '../../support/errors.ts'
import { parseAuthValue } from '../../support/sip/auth.ts'
import { createResponse } from '../../support/sip/builders.ts'
import { computeDigestResponse, type DigestAlgorithm } from '../../support/sip/digest.ts'
import { newBranch, newCallId, newTag } from '../../support/sip/ids.ts'
import { SipRequest, type SipResponse } from '../../support/sip/message.ts'
import { getParam } from '../../support/sip/params.ts'
import { MockScscf } from '../../support/scscf/mock-scscf.ts'
import { reasonOfWarning } from '../../support/scscf/reject-reason.ts'
import { TransactionLayer } from '../../support/transaction/transaction-layer.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import type { Flow, Inbound, Peer, TransportProtocol } from '../../support/transport/peer.ts'
import type { TcpTransport } from '../../support/transport/tcp-transport.ts'
import type { UdpTransport } from '../../support/transport/udp-transport.ts'
import { localTcp, localUdp } from '../helpers/transports.ts'

const TIMEOUT = { timeout: 10_000 }
const TIMERS = { T1: 50, T2: 400, T4: 500 }
const ALICE = { impi: 'alice@ims.harness.test', impu: 'sip:alice@ims.harness.test', password: 'alice-secret' }
const CONTACT = '<sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:1>";reg-id=1'

/** A stand-in eP-CSCF on Mw: a transport plus a transaction layer, answering what the mock sends it. */
class FakeEpcscf {
  readonly transactions = new TransactionLayer({ timers: TIMERS, observer: 'test eP-CSCF' })
  readonly inbound: SipRequest[] = []

  private constructor(
    readonly transport: UdpTransport | TcpTransport,
    readonly protocol: TransportProtocol,
  ) {
    transport.onMessage((m: Inbound) => this.transactions.receive(m))
    this.transactions.onRequest((tx) => {
      this.inbound.push(tx.request)
      const ok = createResponse(tx.request, 200)
      if (tx.request.method === 'INVITE') ok.append('Contact', '<sip:k2n8s1@127.0.0.1:9;ob>')
      void tx.respond(ok)
    })
    this.transactions.onStray((m) => {
      if (m.message.isRequest()) this.inbound.push(m.message)
    })
  }

  static async start(trace: TraceRecorder, protocol: 'UDP' | 'TCP' = 'UDP'): Promise<FakeEpcscf> {
    const observer = `test eP-CSCF ${protocol}`
    const transport = protocol === 'UDP' ? await localUdp(trace, observer) : await localTcp(trace, observer)
    return new FakeEpcscf(transport, protocol)
  }

  get port(): number {
    return this.transport.local.port
  }

  flowTo(mock: MockScscf): Flow {
    const peer: Peer = { transport: this.protocol, address: mock.address, port: mock.port }
    return this.transport.flowTo(peer)
  }

  send(mock: MockScscf, request: SipRequest): Promise<SipResponse> {
    return this.transactions.request(request, this.flowTo(mock))
  }

  async stop(): Promise<void> {
    this.transactions.close()
    await this.transport.close()
  }
}

interface RegisterInit {
  cseq?: number
  callId?: string
  authorization?: string
  expires?: number
}

function register(epcscf: FakeEpcscf, init: RegisterInit = {}): SipRequest {
  const request = new SipRequest({
    method: 'REGISTER',
    uri: 'sip:ims.harness.test',
    headers: [
      { name: 'Via', value: `SIP/2.0/${epcscf.protocol} 127.0.0.1:${epcscf.port};branch=${newBranch()}` },
      {
        name: 'Via',
        value: 'SIP/2.0/WSS df7jal23ls0d.invalid;received=127.0.0.1;rport=53211;branch=z9hG4bKw1',
      },
      { name: 'Max-Forwards', value: '69' },
      { name: 'From', value: `<${ALICE.impu}>;tag=a1` },
      { name: 'To', value: `<${ALICE.impu}>` },
      { name: 'Call-ID', value: init.callId ?? 'mock-test-call' },
      { name: 'CSeq', value: `${init.cseq ?? 1} REGISTER` },
      { name: 'Contact', value: CONTACT },
      {
        name: 'Path',
        value: `<sip:flow1@127.0.0.1:${epcscf.port}${epcscf.protocol === 'TCP' ? ';transport=tcp' : ''};lr;ob>`,
      },
      { name: 'Require', value: 'path' },
      { name: 'Supported', value: 'path, outbound' },
      {
        name: 'Authorization',
        value:
          init.authorization ??
          `Digest username="${ALICE.impi}", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""`,
      },
    ],
  })
  if (init.expires !== undefined) request.append('Expires', String(init.expires))
  return request.updateContentLength()
}

const AUTH_DONE = `Digest username="${ALICE.impi}", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response="", integrity-protected="auth-done"`

function answerChallenge(
  challenge: SipResponse,
  index = 0,
): { authorization: string; algorithm: DigestAlgorithm } {
  const line = challenge.getAll('WWW-Authenticate')[index]
  assert.ok(line, 'a WWW-Authenticate line')
  const params = parseAuthValue(line).params
  const algorithm = getParam(params, 'algorithm') as DigestAlgorithm
  const nonce = getParam(params, 'nonce') ?? ''
  const realm = getParam(params, 'realm') ?? ''
  const response = computeDigestResponse({
    algorithm,
    username: ALICE.impi,
    realm,
    password: ALICE.password,
    method: 'REGISTER',
    uri: 'sip:ims.harness.test',
    nonce,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'c0ffee',
  })
  return {
    algorithm,
    authorization:
      `Digest username="${ALICE.impi}", realm="${realm}", nonce="${nonce}", uri="sip:ims.harness.test", ` +
      `response="${response}", algorithm=${algorithm}, cnonce="c0ffee", qop=auth, nc=00000001`,
  }
}

function rawRequest(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`
}

void describe('MockScscf on sockets', () => {
  const trace = new TraceRecorder()
  let epcscf: FakeEpcscf
  let stranger: FakeEpcscf
  let mock: MockScscf

  before(async () => {
    epcscf = await FakeEpcscf.start(trace)
    stranger = await FakeEpcscf.start(trace)
    mock = await MockScscf.start({
      port: 0,
      trace,
      timers: TIMERS,
      trustedNodes: [`127.0.0.1:${epcscf.port}`],
    })
  })

  after(async () => {
    await mock.stop()
    await epcscf.stop()
    await stranger.stop()
  })

  beforeEach(() => mock.reset())

  void it(
    'challenges a REGISTER over UDP, then registers the digest answer with Service-Route and P-Associated-URI',
    TIMEOUT,
    async () => {
      const challenge = await epcscf.send(mock, register(epcscf))
      assert.equal(challenge.status, 401)
      assert.match(
        challenge.get('WWW-Authenticate') ?? '',
        /^Digest realm="ims\.harness\.test", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
      )
      const { authorization } = answerChallenge(challenge)
      const ok = await epcscf.send(mock, register(epcscf, { cseq: 2, authorization }))
      assert.equal(ok.status, 200, ok.get('Warning'))
      assert.equal(ok.get('Service-Route'), `<sip:orig@127.0.0.1:${mock.port};lr>`)
      assert.equal(ok.get('P-Associated-URI'), '<sip:alice@ims.harness.test>, <tel:+15550101>')
      assert.match(ok.get('Contact') ?? '', /;expires=\d+$/)
      assert.equal(ok.get('Path'), `<sip:flow1@127.0.0.1:${epcscf.port};lr;ob>`)
      const [binding] = mock.bindings(ALICE.impu)
      assert.ok(binding)
      assert.equal(binding.source.port, epcscf.port)
      assert.equal(binding.source.flow?.remote.port, epcscf.port)
      assert.deepEqual(
        mock.sentResponses.map((r) => r.status),
        [401, 200],
      )
      assert.deepEqual(
        mock.outcomes.map((o) => o.result),
        ['challenged', 'registered'],
      )
    },
  )

  void it('offers SHA-256 then MD5 when set so, and accepts the SHA-256 answer', TIMEOUT, async () => {
    mock.setAlgorithms(['SHA-256', 'MD5'])
    const challenge = await epcscf.send(mock, register(epcscf))
    assert.deepEqual(
      challenge.getAll('WWW-Authenticate').map((l) => getParam(parseAuthValue(l).params, 'algorithm')),
      ['SHA-256', 'MD5'],
    )
    const { authorization, algorithm } = answerChallenge(challenge)
    assert.equal(algorithm, 'SHA-256')
    assert.equal((await epcscf.send(mock, register(epcscf, { cseq: 2, authorization }))).status, 200)
    mock.reset()
    const afterReset = await epcscf.send(mock, register(epcscf, { cseq: 3 }))
    assert.equal(afterReset.getAll('WWW-Authenticate').length, 1, 'reset restores the configured algorithms')
  })

  void it('answers a wrong password with 403 and a Warning', TIMEOUT, async () => {
    const challenge = await epcscf.send(mock, register(epcscf))
    const { authorization } = answerChallenge(challenge)
    const wrong = authorization.replace(/response="[0-9a-f]+"/, `response="${'0'.repeat(32)}"`)
    const refused = await epcscf.send(mock, register(epcscf, { cseq: 2, authorization: wrong }))
    assert.equal(refused.status, 403)
    assert.equal(reasonOfWarning(refused.get('Warning')), 'digest-response-mismatch')
    assert.equal(mock.bindings(ALICE.impu).length, 0)
  })

  void it(
    'registers auth-done from the trusted eP-CSCF at once, and challenges it from elsewhere',
    TIMEOUT,
    async () => {
      const trusted = await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))
      assert.equal(trusted.status, 200)
      mock.reset()
      const untrusted = await stranger.send(mock, register(stranger, { authorization: AUTH_DONE }))
      assert.equal(untrusted.status, 401)
      assert.equal(reasonOfWarning(untrusted.get('Warning')), 'auth-done-from-untrusted-node')
      assert.equal(mock.bindings(ALICE.impu).length, 0)
    },
  )

  void it('de-registers with Expires: 0', TIMEOUT, async () => {
    assert.equal((await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))).status, 200)
    const bye = await epcscf.send(mock, register(epcscf, { cseq: 2, authorization: AUTH_DONE, expires: 0 }))
    assert.equal(bye.status, 200)
    assert.equal(bye.has('Contact'), false)
    assert.equal(mock.bindings(ALICE.impu).length, 0)
  })

  void it(
    'expectRequest consumes requests in arrival order and names what arrived instead on timeout',
    TIMEOUT,
    async () => {
      const options = (n: number): SipRequest =>
        new SipRequest({
          method: 'OPTIONS',
          uri: `sip:probe${n}@127.0.0.1`,
          headers: [
            { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${epcscf.port};branch=${newBranch()}` },
            { name: 'Max-Forwards', value: '70' },
            { name: 'From', value: `<sip:probe@127.0.0.1>;tag=${newTag()}` },
            { name: 'To', value: '<sip:scscf@127.0.0.1>' },
            { name: 'Call-ID', value: newCallId() },
            { name: 'CSeq', value: '1 OPTIONS' },
            { name: 'Content-Length', value: '0' },
          ],
        })
      const waiting = mock.expectRequest({ method: 'REGISTER' }, { withinMs: 3000 })
      assert.equal((await epcscf.send(mock, options(1))).status, 200, 'OPTIONS is answered 200')
      assert.equal((await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))).status, 200)
      const got = await waiting
      assert.equal(got.request.method, 'REGISTER')
      assert.equal(got.flow.remote.port, epcscf.port)
      const first = await mock.expectRequest({ method: 'OPTIONS' }, { withinMs: 100 })
      assert.equal(first.request.uri, 'sip:probe1@127.0.0.1')
      await assert.rejects(
        mock.expectRequest({ method: 'OPTIONS' }, { withinMs: 100 }),
        (error: unknown) =>
          error instanceof HarnessError &&
          error.code === 'SIP_TIMEOUT_AWAITING' &&
          /mock S-CSCF expected OPTIONS within 100 ms; received: nothing/.test(error.message),
      )
      await epcscf.send(mock, options(2))
      await assert.rejects(
        mock.expectRequest({ method: 'INVITE' }, { withinMs: 100, description: 'an originating INVITE' }),
        /expected an originating INVITE within 100 ms; received: OPTIONS sip:probe2@127\.0\.0\.1/,
      )
    },
  )

  void it(
    'answers an originating request with 404 + Warning by default, and a scripted answer once',
    TIMEOUT,
    async () => {
      const message = (): SipRequest =>
        new SipRequest({
          method: 'MESSAGE',
          uri: 'sip:carol@elsewhere.test',
          headers: [
            { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${epcscf.port};branch=${newBranch()}` },
            { name: 'Max-Forwards', value: '69' },
            { name: 'Route', value: `<sip:orig@127.0.0.1:${mock.port};lr>` },
            { name: 'From', value: `<${ALICE.impu}>;tag=${newTag()}` },
            { name: 'To', value: '<sip:carol@elsewhere.test>' },
            { name: 'Call-ID', value: newCallId() },
            { name: 'CSeq', value: '1 MESSAGE' },
            { name: 'Content-Type', value: 'text/plain' },
          ],
          body: 'hi',
        }).updateContentLength()
      mock.onNextRequest('MESSAGE', (incoming) => {
        assert.equal(incoming.request.body, 'hi')
        return 202
      })
      assert.equal((await epcscf.send(mock, message())).status, 202)
      const fallback = await epcscf.send(mock, message())
      assert.equal(fallback.status, 404)
      assert.equal(reasonOfWarning(fallback.get('Warning')), 'no-route')
      mock.setOriginatingHandler((incoming) => incoming.response(200))
      assert.equal((await epcscf.send(mock, message())).status, 200)
    },
  )

  void it(
    'records unparseable input, answers it with 400 when it can, and keeps serving',
    TIMEOUT,
    async () => {
      const flow = epcscf.flowTo(mock)
      await flow.sendRaw('\u0000\u0001 this is not SIP \r\n\r\n')
      const noCallId = rawRequest([
        'OPTIONS sip:scscf@127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${epcscf.port};branch=z9hG4bKnocallid`,
        'Max-Forwards: 70',
        'From: <sip:x@127.0.0.1>;tag=1',
        'To: <sip:scscf@127.0.0.1>',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
      ])
      // The 400 echoes what the request had: no Call-ID either, so the test side's parser refuses it in turn.
      const replies: string[] = []
      epcscf.transport.onInvalid((m) => replies.push(m.raw))
      await flow.sendRaw(noCallId)
      const deadline = Date.now() + 2000
      while (replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      assert.match(
        replies[0] ?? '',
        /^SIP\/2\.0 400 Bad Request\r\nVia: SIP\/2\.0\/UDP [^\r]*z9hG4bKnocallid\r\n/,
      )
      assert.match(replies[0] ?? '', /\r\nWarning: 399 scscf\.harness\.test "missing-header"\r\n/)
      assert.equal(mock.invalid.length, 2)
      assert.equal(mock.received.length, 0, 'unparseable input is not a received request')

      const noMaxForwards = register(epcscf, { authorization: AUTH_DONE })
      noMaxForwards.remove('Max-Forwards')
      const refused = await epcscf.send(mock, noMaxForwards)
      assert.equal(refused.status, 400)
      assert.equal(reasonOfWarning(refused.get('Warning')), 'missing-header')
      assert.equal(mock.bindings(ALICE.impu).length, 0)

      assert.equal((await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))).status, 200)
    },
  )

  void it(
    'answers a CANCEL of a held INVITE with 200, the INVITE with 487, and an unmatched one with 481',
    TIMEOUT,
    async () => {
      mock.onNextRequest('INVITE', async (incoming) => {
        await incoming.send(incoming.response(180))
      })
      const branch = newBranch()
      const callId = newCallId()
      const common = (method: string) => [
        { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${epcscf.port};branch=${branch}` },
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: `<${ALICE.impu}>;tag=c1` },
        { name: 'To', value: '<sip:bob@ims.harness.test>' },
        { name: 'Call-ID', value: callId },
        { name: 'CSeq', value: `1 ${method}` },
        { name: 'Content-Length', value: '0' },
      ]
      const invite = new SipRequest({
        method: 'INVITE',
        uri: 'sip:bob@ims.harness.test',
        headers: common('INVITE'),
      })
      invite.append('Contact', `<sip:alice@127.0.0.1:${epcscf.port}>`)
      const finals: number[] = []
      const ringing = new Promise<void>((resolve) => {
        void epcscf.transactions
          .request(invite, epcscf.flowTo(mock), { onProvisional: () => resolve() })
          .then((final) => finals.push(final.status))
      })
      await ringing
      const cancel = new SipRequest({
        method: 'CANCEL',
        uri: 'sip:bob@ims.harness.test',
        headers: common('CANCEL'),
      })
      assert.equal((await epcscf.send(mock, cancel)).status, 200)
      const deadline = Date.now() + 2000
      while (finals.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      assert.deepEqual(finals, [487])

      const orphan = new SipRequest({
        method: 'CANCEL',
        uri: 'sip:bob@ims.harness.test',
        headers: common('CANCEL'),
      })
      orphan.set('Via', `SIP/2.0/UDP 127.0.0.1:${epcscf.port};branch=${newBranch()}`)
      const unmatched = await epcscf.send(mock, orphan)
      assert.equal(unmatched.status, 481)
      assert.equal(reasonOfWarning(unmatched.get('Warning')), 'no-matching-transaction')
    },
  )

  void it(
    'sends a terminating MESSAGE and INVITE along the registered Path, and ACKs the 2xx',
    TIMEOUT,
    async () => {
      assert.throws(
        () => mock.sendTerminating({ method: 'MESSAGE', to: ALICE.impu }),
        /no registered contact/,
      )
      assert.equal((await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))).status, 200)
      epcscf.inbound.length = 0

      const message = mock.sendTerminating({ method: 'MESSAGE', to: 'tel:+15550101', body: 'hello' })
      assert.equal((await message.response).status, 200)
      const received = epcscf.inbound[0]
      assert.ok(received)
      assert.equal(received.method, 'MESSAGE')
      assert.equal(received.uri, 'sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob')
      assert.deepEqual(received.getAll('Route'), [`<sip:flow1@127.0.0.1:${epcscf.port};lr;ob>`])
      assert.equal(received.get('To'), '<tel:+15550101>')
      assert.equal(received.get('P-Called-Party-ID'), '<tel:+15550101>')
      assert.equal(received.body, 'hello')

      const invite = mock.sendTerminating({ to: ALICE.impu, body: 'v=0\r\n' })
      const ok = await invite.response
      assert.equal(ok.status, 200)
      const ack = await mock.ack(invite, ok)
      assert.equal(ack.get('CSeq'), '1 ACK')
      const deadline = Date.now() + 2000
      while (!epcscf.inbound.some((r) => r.method === 'ACK') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const gotAck = epcscf.inbound.find((r) => r.method === 'ACK')
      assert.ok(gotAck, 'the ACK reached the eP-CSCF')
      assert.equal(gotAck.uri, 'sip:k2n8s1@127.0.0.1:9;ob')
    },
  )
})

void describe('MockScscf over TCP', () => {
  void it(
    'survives a TCP stream that breaks framing and keeps serving other connections',
    TIMEOUT,
    async () => {
      const trace = new TraceRecorder()
      const mock = await MockScscf.start({ port: 0, trace, timers: TIMERS, trustedNodes: ['127.0.0.1'] })
      const epcscf = await FakeEpcscf.start(trace, 'TCP')
      try {
        const socket = net.connect({ host: '127.0.0.1', port: mock.port })
        await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
        socket.on('error', () => undefined)
        socket.write('OPTIONS sip:x SIP/2.0\r\nContent-Length: lots\r\n\r\n')
        await closed
        assert.equal(mock.invalid.length, 1)
        assert.equal((await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))).status, 200)
      } finally {
        await mock.stop()
        await epcscf.stop()
      }
    },
  )

  void it(
    'registers a REGISTER that arrives over TCP and sends terminating requests over TCP',
    TIMEOUT,
    async () => {
      const trace = new TraceRecorder()
      const epcscf = await FakeEpcscf.start(trace, 'TCP')
      const mock = await MockScscf.start({ port: 0, trace, timers: TIMERS, trustedNodes: ['127.0.0.1'] })
      try {
        const ok = await epcscf.send(mock, register(epcscf, { authorization: AUTH_DONE }))
        assert.equal(ok.status, 200)
        assert.equal(mock.bindings(ALICE.impu)[0]?.source.transport, 'TCP')
        const sent = mock.sendTerminating({ method: 'MESSAGE', to: ALICE.impu, body: 'over tcp' })
        assert.equal(sent.flow.remote.transport, 'TCP')
        assert.equal((await sent.response).status, 200)
        assert.match(sent.request.get('Via') ?? '', /^SIP\/2\.0\/TCP /)
      } finally {
        await mock.stop()
        await epcscf.stop()
      }
    },
  )
})
