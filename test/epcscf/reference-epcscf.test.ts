import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type dgram from 'node:dgram'
import { WebSocket } from 'ws'
import { createResponse } from '../../support/sip/builders.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { viasOf } from '../../support/sip/via.ts'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { ReferenceEpcscf, type ReferenceEpcscfOptions } from '../../support/epcscf/reference-epcscf.ts'
import type { FaultName } from '../../support/epcscf/faults.ts'
import type { TestPki } from '../../support/pki/test-pki.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { localPki } from '../helpers/pki.ts'
import { localTcp } from '../helpers/transports.ts'
import { Inbox } from '../helpers/inbox.ts'
import { bindUdp } from '../helpers/udp-stub.ts'

/** Test doubles for the reference eP-CSCF's unit tests: a raw WebSocket WIC and a raw UDP "S-CSCF". */

const ALLOWED_ORIGIN = 'https://wwsf.harness.test:8443'
const TIMERS = { T1: 50, T2: 400, T4: 500 }

/** A UDP peer standing in for the I/S-CSCF: it sees what the eP-CSCF forwards and answers by hand. */
class RawScscf {
  readonly requests = new Inbox<SipRequest>()
  readonly responses = new Inbox<SipResponse>()
  private readonly seen = new Set<string>()
  private lastSource = { address: '127.0.0.1', port: 0 }

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data, rinfo) => {
      const message = parseMessage(data.toString('utf8'))
      this.lastSource = { address: rinfo.address, port: rinfo.port }
      if (message.isRequest()) {
        // Retransmissions (the eP-CSCF's client transaction over UDP) are absorbed.
        const key = `${viasOf(message)[0]?.branch}|${message.method}`
        if (this.seen.has(key)) return
        this.seen.add(key)
        this.requests.push(message)
      } else {
        this.responses.push(message)
      }
    })
  }

  static async start(): Promise<RawScscf> {
    return new RawScscf(await bindUdp())
  }

  get port(): number {
    return this.socket.address().port
  }

  /** Answers `request` (to its top Via's received/rport, i.e. the eP-CSCF's Mw socket). */
  async respond(request: SipRequest, status: number, headers: [string, string][] = []): Promise<SipResponse> {
    const response = createResponse(request, status)
    for (const [name, value] of headers) response.append(name, value)
    await this.send(response.toString())
    return response
  }

  send(text: string, to = this.lastSource): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(text, to.port, to.address, (error) => (error ? reject(error) : resolve())),
    )
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}

/** A WIC reduced to a WebSocket: sends SIP text, collects parsed messages. */
class RawWic {
  readonly inbox = new Inbox<SipRequest | SipResponse>()
  readonly raw: string[] = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString()
      this.raw.push(text)
      try {
        this.inbox.push(parseMessage(text))
      } catch {
        // kept in `raw` only: an assertion on it reads `raw`
      }
    })
  }

  static connect(url: string, ca: string, origin = ALLOWED_ORIGIN): Promise<RawWic> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, ['sip'], { ca, origin })
      socket.once('open', () => resolve(new RawWic(socket)))
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused ${res.statusCode}`)),
      )
    })
  }

  send(text: string): void {
    this.socket.send(text.replace(/\r?\n/g, '\r\n'))
  }

  async response(what: string, within = 2000): Promise<SipResponse> {
    for (;;) {
      const message = await this.inbox.next(what, within)
      if (!message.isRequest()) {
        if (message.status === 100) continue
        return message
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve()
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }
}

const INSTANCE = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'
const CONTACT = `<sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob>;${INSTANCE};reg-id=1;expires=600`

/** A REGISTER as a WIC writes it (RFC 7118 §5.2 `.invalid` Via host). */
function registerText(
  opts: { cseq?: number; authorization?: string; extra?: string[]; maxForwards?: number; user?: string } = {},
): string {
  const user = opts.user ?? 'alice'
  return [
    'REGISTER sip:ims.harness.test SIP/2.0',
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKw${Math.random().toString(36).slice(2)};rport`,
    `Max-Forwards: ${opts.maxForwards ?? 70}`,
    `From: <sip:${user}@ims.harness.test>;tag=a1`,
    `To: <sip:${user}@ims.harness.test>`,
    'Call-ID: reg-call-1',
    `CSeq: ${opts.cseq ?? 1} REGISTER`,
    `Contact: ${CONTACT}`,
    'Supported: path, outbound, gruu',
    ...(opts.authorization === undefined ? [] : [`Authorization: ${opts.authorization}`]),
    ...(opts.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
}

const DIGEST_INITIAL =
  'Digest username="alice@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""'

const CHALLENGE =
  'Digest realm="ims.harness.test", nonce="9141ed3a3de48a878ba1467f9cfa0a88", algorithm=MD5, qop="auth"'

/** One eP-CSCF + S-CSCF pair on ephemeral ports. */
interface Rig {
  epcscf: ReferenceEpcscf
  scscf: RawScscf
  trace: TraceRecorder
  pki: TestPki
  wic(origin?: string): Promise<RawWic>
  stop(): Promise<void>
}

async function startRig(
  opts: { faults?: FaultName[] } & Partial<Omit<ReferenceEpcscfOptions, 'faults' | 'trace' | 'wss'>> = {},
): Promise<Rig> {
  const pki = await localPki()
  const trace = new TraceRecorder()
  const scscf = await RawScscf.start()
  let epcscf: ReferenceEpcscf
  try {
    epcscf = await ReferenceEpcscf.start({
      timers: TIMERS,
      ...opts,
      wss: { host: '127.0.0.1', port: 0, path: '/', tls: { cert: pki.server.cert, key: pki.server.key } },
      mw: { address: '127.0.0.1', port: 0 },
      nextHop: { address: '127.0.0.1', port: scscf.port, transport: 'UDP' },
      trace,
      faults: opts.faults ?? [],
    })
  } catch (error) {
    await scscf.close()
    throw error
  }
  const wics: RawWic[] = []
  return {
    epcscf,
    scscf,
    trace,
    pki,
    async wic(origin = ALLOWED_ORIGIN) {
      const wic = await RawWic.connect(epcscf.wssUrl, pki.ca.cert, origin)
      wics.push(wic)
      return wic
    },
    async stop() {
      for (const wic of wics) await wic.close()
      await epcscf.stop()
      await scscf.close()
    },
  }
}

/** The 200 OK a registrar returns (Path echoed, Service-Route, P-Associated-URI, the binding with its expiry). */
function registered(register: SipRequest): [string, string][] {
  return [
    ['Path', register.get('Path') ?? ''],
    ['Service-Route', '<sip:orig@127.0.0.1:5070;lr>'],
    ['P-Associated-URI', '<sip:alice@ims.harness.test>, <tel:+15550101>'],
    ['Contact', `<sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob>;expires=600;${INSTANCE};reg-id=1`],
    ['P-Charging-Function-Addresses', 'ccf=192.0.2.10'],
  ]
}

/** Registers alice through the eP-CSCF (401 then 200); returns the REGISTER the S-CSCF saw last. */
async function registerAlice(rig: Rig, wic: RawWic): Promise<SipRequest> {
  wic.send(registerText({ authorization: DIGEST_INITIAL }))
  const first = await rig.scscf.requests.next('REGISTER on Mw')
  await rig.scscf.respond(first, 401, [['WWW-Authenticate', CHALLENGE]])
  await wic.response('401')
  wic.send(registerText({ cseq: 2, authorization: DIGEST_INITIAL.replace('nonce=""', 'nonce="9141"') }))
  const second = await rig.scscf.requests.next('second REGISTER on Mw')
  await rig.scscf.respond(second, 200, registered(second))
  const ok = await wic.response('200 to REGISTER')
  if (ok.status !== 200) throw new Error(`REGISTER got ${ok.status}`)
  return second
}

// ---------------------------------------------------------------------------------------------------------------

const MESSAGE_FROM_WIC = (extra: string[] = []): string =>
  [
    'MESSAGE sip:bob@ims.harness.test SIP/2.0',
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKm${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    'From: <sip:alice@ims.harness.test>;tag=m1',
    'To: <sip:bob@ims.harness.test>',
    `Call-ID: msg-${Math.random().toString(36).slice(2)}`,
    'CSeq: 1 MESSAGE',
    ...extra,
    'Content-Type: text/plain',
    'Content-Length: 2',
    '',
    'hi',
  ].join('\r\n')

void describe('reference eP-CSCF, REGISTER (TR 23.701 X.2.1.2)', { timeout: 30_000 }, () => {
  let rig: Rig
  before(async () => {
    rig = await startRig()
  })
  after(() => rig.stop())

  void it('forwards the REGISTER with own Via, received/rport, Max-Forwards-1, Path, Require/Supported path, PVNI, fresh PCV', async () => {
    const wic = await rig.wic()
    wic.send(
      registerText({
        authorization: `${DIGEST_INITIAL}, integrity-protected="auth-done"`,
        extra: ['P-Charging-Vector: icid-value=wic-made', 'P-Visited-Network-ID: wic-says'],
      }),
    )
    const register = await rig.scscf.requests.next('REGISTER on Mw')
    const vias = viasOf(register)
    assert.equal(vias.length, 2)
    assert.equal(vias[0]?.transport, 'UDP')
    assert.equal(vias[0]?.host, '127.0.0.1')
    assert.equal(vias[0]?.port, rig.epcscf.mwPort)
    assert.match(vias[0]?.branch ?? '', /^z9hG4bK/)
    assert.equal(vias[1]?.host, 'df7jal23ls0d.invalid')
    assert.equal(vias[1]?.params.find((p) => p.name === 'received')?.value, '127.0.0.1')
    assert.match(vias[1]?.params.find((p) => p.name === 'rport')?.value ?? '', /^\d+$/)
    assert.equal(register.get('Max-Forwards'), '69')
    assert.match(
      register.get('Path') ?? '',
      new RegExp(`^<sip:[A-Za-z0-9_-]+@127\\.0\\.0\\.1:${rig.epcscf.mwPort};lr;ob>$`),
    )
    assert.match(register.get('Require') ?? '', /\bpath\b/)
    assert.match(register.get('Supported') ?? '', /\bpath\b/)
    assert.equal(register.getAll('P-Visited-Network-ID').join('|'), 'ims.harness.test')
    const pcv = register.getAll('P-Charging-Vector')
    assert.equal(pcv.length, 1)
    assert.match(pcv[0] ?? '', /^icid-value=[0-9a-f]+-[0-9a-f]+/)
    assert.doesNotMatch(pcv[0] ?? '', /wic-made/)
    assert.equal(register.get('Contact'), CONTACT, 'Contact, +sip.instance and reg-id untouched')
    const auth = register.get('Authorization') ?? ''
    assert.doesNotMatch(auth, /integrity-protected/, 'the WIC-chosen integrity-protected is stripped')
    assert.match(auth, /username="alice@ims.harness.test"/)

    // The challenge is relayed unchanged, own Via gone, charging headers gone.
    await rig.scscf.respond(register, 401, [
      ['WWW-Authenticate', CHALLENGE],
      ['P-Charging-Vector', 'icid-value=core'],
      ['P-Charging-Function-Addresses', 'ccf=192.0.2.10'],
    ])
    const challenge = await wic.response('401')
    assert.equal(challenge.status, 401)
    assert.equal(challenge.get('WWW-Authenticate'), CHALLENGE)
    assert.equal(viasOf(challenge).length, 1)
    assert.equal(viasOf(challenge)[0]?.host, 'df7jal23ls0d.invalid')
    assert.equal(challenge.get('P-Charging-Vector'), undefined)
    assert.equal(challenge.get('P-Charging-Function-Addresses'), undefined)

    // A second REGISTER gets a different icid and the same Path (same connection, same flow token).
    wic.send(registerText({ cseq: 2, authorization: DIGEST_INITIAL }))
    const second = await rig.scscf.requests.next('second REGISTER')
    assert.notEqual(second.get('P-Charging-Vector'), register.get('P-Charging-Vector'))
    assert.equal(second.get('Path'), register.get('Path'))
    await rig.scscf.respond(second, 200, registered(second))
    const ok = await wic.response('200')
    assert.equal(ok.status, 200)
    assert.equal(ok.get('Service-Route'), '<sip:orig@127.0.0.1:5070;lr>')
    assert.equal(ok.get('P-Charging-Function-Addresses'), undefined)
    assert.deepEqual(
      rig.epcscf.currentRegistrations().map((r) => [r.aor, r.associatedUris[0], r.serviceRoute[0]]),
      [['sip:alice@ims.harness.test', 'sip:alice@ims.harness.test', '<sip:orig@127.0.0.1:5070;lr>']],
    )
  })

  void it('a new connection gets a different flow token in Path', async () => {
    const a = await rig.wic()
    const b = await rig.wic()
    a.send(registerText())
    const viaA = await rig.scscf.requests.next('REGISTER from a')
    b.send(registerText())
    const viaB = await rig.scscf.requests.next('REGISTER from b')
    assert.notEqual(viaA.get('Path'), viaB.get('Path'))
    await rig.scscf.respond(viaA, 401, [['WWW-Authenticate', CHALLENGE]])
    await rig.scscf.respond(viaB, 401, [['WWW-Authenticate', CHALLENGE]])
    assert.equal((await a.response('401 a')).status, 401)
    assert.equal((await b.response('401 b')).status, 401)
  })

  void it('Max-Forwards: 0 gets 483 and nothing reaches Mw (RFC 3261 §16.3)', async () => {
    const wic = await rig.wic()
    wic.send(registerText({ maxForwards: 0 }))
    assert.equal((await wic.response('483')).status, 483)
    assert.ok(await rig.scscf.requests.quiet(200))
  })

  void it('unparseable SIP gets 400 and the connection stays usable', async () => {
    const wic = await rig.wic()
    wic.send(registerText({ extra: ['Max-Forwards: 69'] }))
    const bad = await wic.response('400')
    assert.equal(bad.status, 400)
    assert.match(bad.reason, /^Bad Request - conflicting Max-Forwards/)
    wic.send(registerText().replace('Max-Forwards: 70', 'Max-Forwards: seventy'))
    assert.equal((await wic.response('400 for a bad Max-Forwards')).status, 400)
    wic.send('this is not SIP at all\r\n\r\n')
    assert.ok(await wic.inbox.quiet(200), 'nothing to answer without a Via')
    wic.send(registerText())
    const register = await rig.scscf.requests.next('REGISTER after garbage')
    await rig.scscf.respond(register, 401, [['WWW-Authenticate', CHALLENGE]])
    assert.equal((await wic.response('401')).status, 401)
  })

  void it('a request from an unregistered connection gets 403 and nothing reaches Mw', async () => {
    const wic = await rig.wic()
    wic.send(MESSAGE_FROM_WIC())
    const refused = await wic.response('403')
    assert.equal(refused.status, 403)
    assert.ok(await rig.scscf.requests.quiet(200))
  })
})

void describe('reference eP-CSCF, origination and termination (TR 23.701 X.2.2)', { timeout: 30_000 }, () => {
  let rig: Rig
  before(async () => {
    rig = await startRig()
  })
  after(() => rig.stop())

  void it('routes an originating MESSAGE by the Service-Route with an asserted identity and a PCV', async () => {
    const wic = await rig.wic()
    await registerAlice(rig, wic)
    wic.send(
      MESSAGE_FROM_WIC([
        'P-Asserted-Identity: <sip:ceo@ims.harness.test>',
        'P-Preferred-Identity: <tel:+15550101>',
        'Route: <sip:127.0.0.1;lr>',
      ]),
    )
    const message = await rig.scscf.requests.next('MESSAGE on Mw')
    assert.deepEqual(message.getAll('Route'), ['<sip:orig@127.0.0.1:5070;lr>'])
    assert.deepEqual(message.getAll('P-Asserted-Identity'), ['<tel:+15550101>'])
    assert.equal(message.get('P-Preferred-Identity'), undefined)
    assert.match(message.get('P-Charging-Vector') ?? '', /^icid-value=/)
    assert.equal(message.get('Max-Forwards'), '69')
    await rig.scscf.respond(message, 202)
    assert.equal((await wic.response('202')).status, 202)

    wic.send(MESSAGE_FROM_WIC(['P-Preferred-Identity: <sip:someone-else@ims.harness.test>']))
    const second = await rig.scscf.requests.next('second MESSAGE')
    assert.deepEqual(second.getAll('P-Asserted-Identity'), ['<sip:alice@ims.harness.test>'])
    await rig.scscf.respond(second, 200)
    await wic.response('200')
  })

  void it('delivers a terminating request along the Path over the same WebSocket, and 430 once it is closed', async () => {
    const wic = await rig.wic()
    const register = await registerAlice(rig, wic)
    const path = register.get('Path') ?? ''
    const terminating = (branch: string): string =>
      [
        'MESSAGE sip:k2n8s1@df7jal23ls0d.invalid;transport=ws SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${rig.scscf.port};branch=z9hG4bK${branch}`,
        'Max-Forwards: 68',
        `Route: ${path}`,
        'From: <sip:bob@ims.harness.test>;tag=b1',
        'To: <sip:alice@ims.harness.test>',
        `Call-ID: term-${branch}`,
        'CSeq: 7 MESSAGE',
        'P-Charging-Vector: icid-value=core-icid',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
    await rig.scscf.send(terminating('t1'), { address: '127.0.0.1', port: rig.epcscf.mwPort })
    const delivered = await wic.inbox.next('terminating MESSAGE on W2')
    assert.ok(delivered.isRequest())
    assert.equal(delivered.method, 'MESSAGE')
    assert.equal(delivered.get('Route'), undefined, 'own Route removed')
    assert.equal(delivered.get('P-Charging-Vector'), undefined)
    assert.equal(viasOf(delivered)[0]?.transport, 'WSS')
    assert.equal(delivered.get('Max-Forwards'), '67')
    wic.send(createResponse(delivered as SipRequest, 200).toString())
    const ok = await rig.scscf.responses.next('200 on Mw')
    assert.equal(ok.status, 200)
    assert.equal(viasOf(ok).length, 1)

    await wic.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await rig.scscf.send(terminating('t2'), { address: '127.0.0.1', port: rig.epcscf.mwPort })
    const failed = await rig.scscf.responses.next('430')
    assert.equal(failed.status, 430)

    await rig.scscf.send(
      terminating('t3').replace(/Route: <sip:[^@]+@/, 'Route: <sip:AAAAAAAAAAAAAAAAAAAAAAAA@'),
      {
        address: '127.0.0.1',
        port: rig.epcscf.mwPort,
      },
    )
    assert.equal((await rig.scscf.responses.next('403 for a forged token')).status, 403)
  })
})

void describe('reference eP-CSCF, next hop silent', { timeout: 30_000 }, () => {
  void it('answers 408 to the WIC when the S-CSCF never answers', async () => {
    const rig = await startRig({ responseTimeoutMs: 300 })
    try {
      const wic = await rig.wic()
      wic.send(registerText())
      await rig.scscf.requests.next('REGISTER')
      const timeout = await wic.response('408', 3000)
      assert.equal(timeout.status, 408)
    } finally {
      await rig.stop()
    }
  })
})

void describe('reference eP-CSCF, integrity-protected policy', { timeout: 30_000 }, () => {
  void it('tls-pending replaces whatever the WIC wrote', async () => {
    const rig = await startRig({ integrityProtected: 'tls-pending' })
    try {
      const wic = await rig.wic()
      wic.send(registerText({ authorization: `${DIGEST_INITIAL}, integrity-protected="auth-done"` }))
      const register = await rig.scscf.requests.next('REGISTER')
      const auth = register.get('Authorization') ?? ''
      assert.match(auth, /integrity-protected="tls-pending"/)
      assert.doesNotMatch(auth, /auth-done/)
    } finally {
      await rig.stop()
    }
  })
})

void describe('reference eP-CSCF, web authentication (TR 23.701 X.2.1.3)', { timeout: 30_000 }, () => {
  let rig: Rig
  let sign: (claims: Record<string, unknown>, exp?: string) => Promise<string>
  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
    sign = (claims, exp = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .setIssuer(ALLOWED_ORIGIN)
        .setAudience('sip:epcscf.harness.test')
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey)
    rig = await startRig({ token: { jwks: { keys: [jwk] }, issuer: ALLOWED_ORIGIN } })
  })
  after(() => rig.stop())

  void it('a valid token becomes a TNA REGISTER with integrity-protected="auth-done" and no Bearer', async () => {
    const wic = await rig.wic()
    const jwt = await sign({
      impi: 'alice@ims.harness.test',
      impu: ['sip:alice@ims.harness.test'],
      sub: 'alice',
    })
    wic.send(registerText({ authorization: `Bearer ${jwt}` }))
    const register = await rig.scscf.requests.next('TNA REGISTER')
    const auth = register.getAll('Authorization')
    assert.equal(auth.length, 1)
    assert.match(auth[0] ?? '', /^Digest username="alice@ims.harness.test", realm="ims.harness.test"/)
    assert.match(auth[0] ?? '', /integrity-protected="auth-done"/)
    assert.doesNotMatch(register.toString(), /Bearer/)
    await rig.scscf.respond(register, 200, registered(register))
    assert.equal((await wic.response('200')).status, 200)
  })

  void it('an expired token gets 401 Bearer invalid_token and nothing reaches Mw', async () => {
    const wic = await rig.wic()
    const jwt = await sign({ impi: 'alice@ims.harness.test', impu: ['sip:alice@ims.harness.test'] }, '-1m')
    wic.send(registerText({ authorization: `Bearer access_token="${jwt}"` }))
    const refused = await wic.response('401')
    assert.equal(refused.status, 401)
    assert.match(
      refused.get('WWW-Authenticate') ?? '',
      /^Bearer realm="ims.harness.test", error="invalid_token"/,
    )
    assert.ok(await rig.scscf.requests.quiet(200))
  })

  void it("alice's token cannot register bob (403)", async () => {
    const wic = await rig.wic()
    const jwt = await sign({ impi: 'alice@ims.harness.test', impu: ['sip:alice@ims.harness.test'] })
    wic.send(registerText({ authorization: `Bearer ${jwt}`, user: 'bob' }))
    assert.equal((await wic.response('403')).status, 403)
    assert.ok(await rig.scscf.requests.quiet(200))
  })
})

void describe('reference eP-CSCF fault switches', { timeout: 60_000 }, () => {
  async function forwardedRegister(faults: FaultName[], authorization = DIGEST_INITIAL): Promise<SipRequest> {
    const rig = await startRig({ faults })
    try {
      const wic = await rig.wic()
      wic.send(registerText({ authorization }))
      return await rig.scscf.requests.next('REGISTER')
    } finally {
      await rig.stop()
    }
  }

  void it('no-path: no Path', async () => {
    assert.equal((await forwardedRegister(['no-path'])).get('Path'), undefined)
  })
  void it('no-require-path: Path without Require: path', async () => {
    const r = await forwardedRegister(['no-require-path'])
    assert.ok(r.get('Path'))
    assert.equal(r.get('Require'), undefined)
  })
  void it('max-forwards-untouched: 70 stays 70', async () => {
    assert.equal((await forwardedRegister(['max-forwards-untouched'])).get('Max-Forwards'), '70')
  })
  void it('no-p-charging-vector: no PCV', async () => {
    assert.equal((await forwardedRegister(['no-p-charging-vector'])).get('P-Charging-Vector'), undefined)
  })
  void it('no-own-via: the WIC Via is on top', async () => {
    assert.equal(viasOf(await forwardedRegister(['no-own-via']))[0]?.host, 'df7jal23ls0d.invalid')
  })
  void it('contact-rewritten: +sip.instance lost', async () => {
    assert.doesNotMatch(
      (await forwardedRegister(['contact-rewritten'])).get('Contact') ?? '',
      /sip\.instance/,
    )
  })
  void it('integrity-protected-yes: integrity-protected="yes"', async () => {
    assert.match(
      (await forwardedRegister(['integrity-protected-yes'])).get('Authorization') ?? '',
      /integrity-protected="yes"/,
    )
  })
  void it('forward-wic-integrity-protected: auth-done from the WIC reaches Mw', async () => {
    const r = await forwardedRegister(
      ['forward-wic-integrity-protected'],
      `${DIGEST_INITIAL}, integrity-protected="auth-done"`,
    )
    assert.match(r.get('Authorization') ?? '', /integrity-protected="auth-done"/)
  })

  void it('challenge-altered: qop dropped; leak-charging-vector-to-wic: PCFA reaches the WIC', async () => {
    const rig = await startRig({ faults: ['challenge-altered', 'leak-charging-vector-to-wic'] })
    try {
      const wic = await rig.wic()
      wic.send(registerText())
      const register = await rig.scscf.requests.next('REGISTER')
      await rig.scscf.respond(register, 401, [
        ['WWW-Authenticate', CHALLENGE],
        ['P-Charging-Function-Addresses', 'ccf=192.0.2.10'],
      ])
      const challenge = await wic.response('401')
      assert.doesNotMatch(challenge.get('WWW-Authenticate') ?? '', /qop/)
      assert.equal(challenge.get('P-Charging-Function-Addresses'), 'ccf=192.0.2.10')
    } finally {
      await rig.stop()
    }
  })

  void it('drop-responses: the WIC never hears the answer', async () => {
    const rig = await startRig({ faults: ['drop-responses'] })
    try {
      const wic = await rig.wic()
      wic.send(registerText())
      const register = await rig.scscf.requests.next('REGISTER')
      await rig.scscf.respond(register, 401, [['WWW-Authenticate', CHALLENGE]])
      assert.ok(await wic.inbox.quiet(300))
    } finally {
      await rig.stop()
    }
  })

  void it('response-to-wrong-flow: the answer arrives on the other WebSocket', async () => {
    const rig = await startRig({ faults: ['response-to-wrong-flow'] })
    try {
      const wic = await rig.wic()
      const other = await rig.wic()
      wic.send(registerText())
      const register = await rig.scscf.requests.next('REGISTER')
      await rig.scscf.respond(register, 401, [['WWW-Authenticate', CHALLENGE]])
      assert.equal((await other.response('401 on the wrong flow')).status, 401)
      assert.ok(await wic.inbox.quiet(200))
    } finally {
      await rig.stop()
    }
  })

  void it('accept-unregistered, no-service-route, trust-wic-asserted-identity: origination without the checks', async () => {
    const rig = await startRig({ faults: ['accept-unregistered', 'trust-wic-asserted-identity'] })
    try {
      const wic = await rig.wic()
      wic.send(MESSAGE_FROM_WIC(['P-Asserted-Identity: <sip:ceo@ims.harness.test>']))
      const message = await rig.scscf.requests.next('MESSAGE')
      assert.equal(message.get('P-Asserted-Identity'), '<sip:ceo@ims.harness.test>')
    } finally {
      await rig.stop()
    }
  })

  void it('no-flow-failed: a request for a closed flow is left unanswered', async () => {
    const rig = await startRig({ faults: ['no-flow-failed'] })
    try {
      const wic = await rig.wic()
      const register = await registerAlice(rig, wic)
      await wic.close()
      await new Promise((resolve) => setTimeout(resolve, 50))
      await rig.scscf.send(
        [
          'MESSAGE sip:k2n8s1@df7jal23ls0d.invalid;transport=ws SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${rig.scscf.port};branch=z9hG4bKnf1`,
          'Max-Forwards: 68',
          `Route: ${register.get('Path')}`,
          'From: <sip:bob@ims.harness.test>;tag=b1',
          'To: <sip:alice@ims.harness.test>',
          'Call-ID: nf1',
          'CSeq: 1 MESSAGE',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
        { address: '127.0.0.1', port: rig.epcscf.mwPort },
      )
      assert.ok(await rig.scscf.responses.quiet(300))
    } finally {
      await rig.stop()
    }
  })

  void it('an unknown fault name is a profile error', async () => {
    await assert.rejects(startRig({ faults: ['no-such-fault' as FaultName] }), /PROFILE_INVALID/)
  })
})

void describe('reference eP-CSCF, INVITE dialogs (RFC 3261 §16)', { timeout: 30_000 }, () => {
  let rig: Rig
  before(async () => {
    rig = await startRig()
  })
  after(() => rig.stop())

  const invite = (branch: string, callId: string): string =>
    [
      'INVITE sip:bob@ims.harness.test SIP/2.0',
      `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: <sip:alice@ims.harness.test>;tag=inv1',
      'To: <sip:bob@ims.harness.test>',
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:k2n8s1@df7jal23ls0d.invalid;transport=ws;ob>',
      'Content-Type: application/sdp',
      'Content-Length: 3',
      '',
      'v=0',
    ].join('\r\n')

  void it('100 Trying, Record-Route with the flow token, 180/200 relayed, ACK and BYE traverse the eP-CSCF', async () => {
    const wic = await rig.wic()
    await registerAlice(rig, wic)
    wic.send(invite('z9hG4bKinv1', 'inv-call-1'))
    const trying = await wic.inbox.next('100 Trying')
    assert.ok(!trying.isRequest() && trying.status === 100)
    const onMw = await rig.scscf.requests.next('INVITE on Mw')
    const recordRoute = onMw.get('Record-Route') ?? ''
    assert.match(recordRoute, new RegExp(`^<sip:[A-Za-z0-9_-]+@127\\.0\\.0\\.1:${rig.epcscf.mwPort};lr>$`))
    assert.deepEqual(onMw.getAll('Route'), ['<sip:orig@127.0.0.1:5070;lr>'])
    assert.equal(onMw.body, 'v=0')

    await rig.scscf.respond(onMw, 180)
    assert.equal((await wic.response('180')).status, 180)
    const ok = createResponse(onMw, 200)
    ok.append('Contact', `<sip:bob@127.0.0.1:${rig.scscf.port}>`)
    await rig.scscf.send(ok.toString())
    const relayed = await wic.response('200 to INVITE')
    assert.equal(relayed.status, 200)
    assert.equal(relayed.get('Record-Route'), recordRoute)
    assert.equal(viasOf(relayed).length, 1)

    wic.send(
      [
        `ACK sip:bob@127.0.0.1:${rig.scscf.port} SIP/2.0`,
        'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKack1',
        'Max-Forwards: 70',
        `Route: ${recordRoute}`,
        'From: <sip:alice@ims.harness.test>;tag=inv1',
        `To: ${relayed.get('To')}`,
        'Call-ID: inv-call-1',
        'CSeq: 1 ACK',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    )
    const ack = await rig.scscf.requests.next('ACK on Mw')
    assert.equal(ack.method, 'ACK')
    assert.equal(ack.get('Route'), undefined)
    assert.equal(viasOf(ack)[0]?.port, rig.epcscf.mwPort)

    await rig.scscf.send(
      [
        'BYE sip:k2n8s1@df7jal23ls0d.invalid;transport=ws SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${rig.scscf.port};branch=z9hG4bKbye1`,
        'Max-Forwards: 70',
        `Route: ${recordRoute}`,
        `From: ${relayed.get('To')}`,
        'To: <sip:alice@ims.harness.test>;tag=inv1',
        'Call-ID: inv-call-1',
        'CSeq: 1 BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      { address: '127.0.0.1', port: rig.epcscf.mwPort },
    )
    const bye = await wic.inbox.next('BYE on W2')
    assert.ok(bye.isRequest() && bye.method === 'BYE')
    wic.send(createResponse(bye, 200).toString())
    const byeOk = await rig.scscf.responses.next('200 to BYE on Mw')
    assert.equal(byeOk.status, 200)
    assert.equal(byeOk.get('CSeq'), '1 BYE')
  })

  void it('CANCEL gets 200, goes on to Mw, and the 487 comes back', async () => {
    const wic = await rig.wic()
    await registerAlice(rig, wic)
    wic.send(invite('z9hG4bKinv2', 'inv-call-2'))
    await wic.inbox.next('100 Trying')
    const onMw = await rig.scscf.requests.next('INVITE on Mw')
    await rig.scscf.respond(onMw, 180)
    assert.equal((await wic.response('180')).status, 180)
    wic.send(
      [
        'CANCEL sip:bob@ims.harness.test SIP/2.0',
        'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKinv2;rport',
        'Max-Forwards: 70',
        'From: <sip:alice@ims.harness.test>;tag=inv1',
        'To: <sip:bob@ims.harness.test>',
        'Call-ID: inv-call-2',
        'CSeq: 1 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    )
    const cancelOk = await wic.response('200 to CANCEL')
    assert.equal(cancelOk.status, 200)
    assert.equal(cancelOk.get('CSeq'), '1 CANCEL')
    const cancel = await rig.scscf.requests.next('CANCEL on Mw')
    assert.equal(cancel.method, 'CANCEL')
    assert.equal(viasOf(cancel)[0]?.branch, viasOf(onMw)[0]?.branch)
    await rig.scscf.respond(cancel, 200)
    await rig.scscf.respond(onMw, 487)
    assert.equal((await wic.response('487')).status, 487)
    const ack = await rig.scscf.requests.next('ACK for the 487')
    assert.equal(ack.method, 'ACK')
  })
})

void describe('reference eP-CSCF, TCP toward the next hop', { timeout: 30_000 }, () => {
  void it('forwards over TCP with a TCP Via and relays the answer', async () => {
    const trace = new TraceRecorder()
    const core = await localTcp(trace, 'core')
    const pki = await localPki()
    const epcscf = await ReferenceEpcscf.start({
      wss: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key } },
      mw: { address: '127.0.0.1', port: 0 },
      nextHop: { address: '127.0.0.1', port: core.local.port, transport: 'TCP' },
      timers: TIMERS,
      trace,
    })
    const wic = await RawWic.connect(epcscf.wssUrl, pki.ca.cert)
    try {
      const received = new Promise<SipRequest>((resolve) =>
        core.onMessage((inbound) => {
          if (!inbound.message.isRequest()) return
          const challenge = createResponse(inbound.message, 401)
          challenge.append('WWW-Authenticate', CHALLENGE)
          void inbound.flow.send(challenge)
          resolve(inbound.message)
        }),
      )
      wic.send(registerText())
      const register = await received
      assert.equal(viasOf(register)[0]?.transport, 'TCP')
      assert.equal(viasOf(register)[0]?.port, epcscf.mwPort)
      assert.equal((await wic.response('401 over TCP')).status, 401)
    } finally {
      await wic.close()
      await epcscf.stop()
      await core.close()
    }
  })
})
