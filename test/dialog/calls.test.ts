import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ReferenceEpcscf } from '../../support/epcscf/reference-epcscf.ts'
import { MockScscf } from '../../support/scscf/mock-scscf.ts'
import { NETWORK_PARTY } from '../../support/scscf/network-ua.ts'
import { readSdp } from '../../support/sdp/webrtc-sdp.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { foreignInDialogRequest, WicCall } from '../../support/wic/wic-calls.ts'
import { Wic } from '../../support/wic/wic.ts'
import { localPki } from '../helpers/pki.ts'
import { sleep } from '../helpers/wait.ts'

/**
 * Calls end to end on loopback: scripted WICs over WSS, the reference eP-CSCF, the mock S-CSCF with its network UA
 * and call routing. Each test registers fresh WICs and closes them.
 */

const TIMERS = { T1: 50, T2: 400, T4: 500 }
const ORIGIN = 'https://wwsf.harness.test:8443'
const T = { timeout: 15_000 }

let trace: TraceRecorder
let scscf: MockScscf
let epcscf: ReferenceEpcscf
let ca: string
const open: Wic[] = []

async function registered(name: 'alice' | 'bob'): Promise<Wic> {
  const wic = await Wic.connect({
    name,
    impi: `${name}@ims.harness.test`,
    impu: `sip:${name}@ims.harness.test`,
    password: `${name}-secret`,
    url: epcscf.wssUrl,
    origin: ORIGIN,
    ca,
    timers: TIMERS,
    waitMs: 2000,
    trace,
  })
  open.push(wic)
  const outcome = await wic.register()
  assert.equal(outcome.final.status, 200)
  return wic
}

/** The methods the network UA received in its first call, once `count` arrived (or what came within 1 s). */
async function networkReceived(count: number): Promise<string[]> {
  for (let waited = 0; waited < 1000; waited += 10) {
    const methods = scscf.calls.network.calls[0]?.received.map((r) => r.method) ?? []
    if (methods.length >= count) return methods
    await sleep(10)
  }
  return scscf.calls.network.calls[0]?.received.map((r) => r.method) ?? []
}

async function closeAll(): Promise<void> {
  for (const wic of open.splice(0)) await wic.close()
  scscf.reset()
}

void describe('calls through the reference eP-CSCF and the mock core', T, () => {
  before(async () => {
    const pki = await localPki()
    ca = pki.ca.cert
    trace = new TraceRecorder()
    scscf = await MockScscf.start({ port: 0, timers: TIMERS, trace })
    epcscf = await ReferenceEpcscf.start({
      wss: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key } },
      mw: { address: '127.0.0.1', port: 0 },
      nextHop: { address: '127.0.0.1', port: scscf.port },
      timers: TIMERS,
      trace,
    })
  })
  after(async () => {
    await closeAll()
    await epcscf.stop()
    await scscf.stop()
  })

  void it(
    'Alice calls the network: 180, 200 with a WebRTC answer, ACK and BYE reach the core',
    T,
    async () => {
      const alice = await registered('alice')
      const call = WicCall.place(alice, NETWORK_PARTY)
      const final = await call.answered()
      assert.equal(final.status, 200)
      assert.ok(call.provisionals.some((r) => r.status === 180))
      assert.equal(readSdp(final.body).media[0]?.setup, 'active')
      const dialog = call.requireDialog()
      assert.ok(dialog.routeSet.length >= 1, 'the 200 carries the eP-CSCF Record-Route')
      assert.equal((await call.hangUp()).status, 200)
      assert.deepEqual(await networkReceived(2), ['ACK', 'BYE'])
      await closeAll()
    },
  )

  void it('the network calls Alice and hangs up along the recorded route', T, async () => {
    const alice = await registered('alice')
    const binding = scscf.bindings('sip:alice@ims.harness.test')[0]
    assert.ok(binding)
    const placing = scscf.calls.network.call(binding, 'sip:alice@ims.harness.test')
    const incoming = await WicCall.incoming(alice)
    assert.equal(readSdp(incoming.invite.body).media[0]?.setup, 'actpass')
    await incoming.answer(200)
    const networkCall = await placing
    assert.equal(networkCall.final?.status, 200)
    await incoming.acknowledged()
    const bye = scscf.calls.network.send(networkCall, 'BYE')
    await incoming.receive('BYE')
    assert.equal((await bye).status, 200)
    await closeAll()
  })

  void it('Alice calls Bob: both WICs behind the eP-CSCF, Bob hangs up', T, async () => {
    const alice = await registered('alice')
    const bob = await registered('bob')
    const call = WicCall.place(alice, 'sip:bob@ims.harness.test')
    const incoming = await WicCall.incoming(bob)
    await incoming.answer(200)
    assert.equal((await call.answered()).status, 200)
    await incoming.acknowledged()
    // Alice's route set: her eP-CSCF entry, the core's, Bob's eP-CSCF entry.
    assert.equal(call.requireDialog().routeSet.length, 3)
    const hangUp = incoming.hangUp()
    await call.receive('BYE')
    assert.equal((await hangUp).status, 200)
    await closeAll()
  })

  void it('busy and CANCEL: 486 relayed; CANCEL answered 200 and the INVITE 487', T, async () => {
    const alice = await registered('alice')
    scscf.calls.network.behaviour = 'busy'
    assert.equal((await WicCall.place(alice, NETWORK_PARTY).answered()).status, 486)
    scscf.calls.network.behaviour = 'ring-forever'
    const call = WicCall.place(alice, NETWORK_PARTY)
    await call.ringing(2000)
    assert.equal((await call.cancel()).status, 200)
    assert.equal((await call.answered()).status, 487)
    await closeAll()
  })

  void it("Bob's BYE in Alice's dialog is refused with 403 and reaches nothing", T, async () => {
    const alice = await registered('alice')
    const bob = await registered('bob')
    const call = WicCall.place(alice, NETWORK_PARTY)
    assert.equal((await call.answered()).status, 200)
    const response = await foreignInDialogRequest(bob, call.requireDialog(), 'BYE')
    assert.equal(response.status, 403)
    assert.deepEqual(await networkReceived(2), ['ACK'])
    await closeAll()
  })
})
