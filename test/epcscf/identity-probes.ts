/**
 * Probes of the fault switches of identity, edge routing and the media profiles (issue 8, H9): each reports the
 * defect it observes on the reference, or undefined when the eP-CSCF behaved (faults.test.ts runs each with and
 * without its fault). They mirror the checks of features/session/identity.feature and media.feature.
 */
import assert from 'node:assert/strict'
import { UntrustedNode, withTamperedToken } from '../../support/scscf/spoofed-requests.ts'
import type { Binding } from '../../support/scscf/binding-store.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'
import type { Wic } from '../../support/wic/wic.ts'
import type { Bench } from './bench.ts'

type Probe = (bench: Bench) => Promise<string | undefined>

/** The AGW's core-side address of the reference's anchored profile (support/epcscf/media-anchoring.ts). */
const AGW_CORE_SIDE = '198.51.100.50'

async function registered(bench: Bench, over: Parameters<Bench['wic']>[1] = {}): Promise<Wic> {
  const wic = await bench.wic('alice', over)
  assert.equal((await wic.register()).final.status, 200, 'alice registers')
  return wic
}

/** A request of Alice's WIC; what the WIC got and what the S-CSCF received of it. */
async function sent(
  bench: Bench,
  wic: Wic,
  method: string,
  options: Parameters<Wic['createRequest']>[2] = {},
  edit: (request: SipRequest) => void = () => undefined,
): Promise<{ status: number; atMw: SipRequest | undefined }> {
  bench.scscf.setOriginatingHandler(() => 486)
  const request = wic.createRequest(method, 'sip:bob@ims.harness.test', { body: 'x', ...options })
  edit(request)
  const status = (await wic.request(request)).status
  const atMw = bench.atScscf(method).find((r) => r.get('Call-ID') === request.get('Call-ID'))
  return { status, atMw }
}

const asserted = (r: SipRequest | undefined): string => r?.getAll('P-Asserted-Identity').join(', ') ?? ''

/** Alice's INVITE with a WebRTC offer (audio and video, BUNDLE): its SDP at the S-CSCF. */
async function offerAtMw(bench: Bench): Promise<string> {
  const wic = await registered(bench)
  const { atMw } = await sent(bench, wic, 'INVITE', {
    body: webrtcOffer({ video: true }),
    contentType: 'application/sdp',
  })
  return atMw?.body ?? ''
}

/** Whether `wic` receives a request within 1 s (the WIC answers it 200). */
async function receives(wic: Wic): Promise<boolean> {
  try {
    const request = await wic.expectMessage(
      { description: 'a request', predicate: (m) => m.isRequest() },
      1000,
    )
    await wic.respond(request as SipRequest, 200)
    return true
  } catch {
    return false
  }
}

function latest(bench: Bench): Binding {
  const binding = bench.scscf
    .bindings('sip:alice@ims.harness.test')
    .sort((a, b) => b.registeredAt - a.registeredAt)[0]
  assert.ok(binding !== undefined, 'alice has a binding')
  return binding
}

export const IDENTITY_DEFECT_PROBES: Readonly<Record<string, Probe>> = {
  'ppi-unchecked': async (bench) => {
    const wic = await registered(bench)
    const { atMw } = await sent(bench, wic, 'MESSAGE', {
      headers: [['P-Preferred-Identity', '<sip:bob@ims.harness.test>']],
    })
    return /bob@/.test(asserted(atMw)) ? `Bob's identity asserted for Alice: ${asserted(atMw)}` : undefined
  },
  'ppi-ignored': async (bench) => {
    const wic = await registered(bench)
    const { atMw } = await sent(bench, wic, 'MESSAGE', {
      headers: [['P-Preferred-Identity', '<tel:+15550101>']],
    })
    return /tel:\+15550101/.test(asserted(atMw))
      ? undefined
      : `the preferred tel URI not asserted: ${asserted(atMw)}`
  },
  'assert-from-header': async (bench) => {
    const wic = await registered(bench)
    const { atMw } = await sent(bench, wic, 'MESSAGE', { from: '<sip:bob@ims.harness.test>' })
    return /bob@/.test(asserted(atMw)) ? `the From URI asserted: ${asserted(atMw)}` : undefined
  },
  'identity-bound-before-200': async (bench) => {
    const wic = await bench.wic()
    assert.ok((await wic.register({ password: 'wrong' })).final.status >= 300, 'the registration fails')
    const { atMw } = await sent(bench, wic, 'MESSAGE')
    return atMw === undefined ? undefined : 'a MESSAGE after a failed registration reached Mw'
  },
  'preloaded-route-kept': async (bench) => {
    const wic = await registered(bench)
    const internal = `<sip:internal-as@127.0.0.1:${bench.scscf.port};lr>`
    const { atMw } = await sent(bench, wic, 'MESSAGE', { route: [internal] })
    const routes = atMw?.getAll('Route').join(', ') ?? ''
    return routes.includes('internal-as@') ? `the internal Route reached Mw: ${routes}` : undefined
  },
  'max-forwards-zero-forwarded': async (bench) => {
    const wic = await registered(bench)
    const { status } = await sent(bench, wic, 'MESSAGE', {}, (r) => void r.set('Max-Forwards', '0'))
    return status === 483 ? undefined : `Max-Forwards 0 answered ${status}, not 483`
  },
  'terminating-to-first-flow': async (bench) => {
    const first = await registered(bench)
    const second = await registered(bench)
    const tx = bench.scscf.sendTerminating({ method: 'MESSAGE', to: 'sip:alice@ims.harness.test', body: 'x' })
    tx.response.catch(() => undefined)
    const [atFirst] = await Promise.all([receives(first), receives(second)])
    return atFirst ? "the second instance's request reached the first WebSocket" : undefined
  },
  'flow-token-unchecked': async (bench) => {
    const wic = await registered(bench)
    const binding = withTamperedToken(latest(bench))
    assert.ok(binding !== undefined, 'the Path has a flow token')
    const tx = bench.scscf.sendTerminating({
      method: 'MESSAGE',
      to: 'sip:alice@ims.harness.test',
      body: 'x',
      binding,
    })
    tx.response.catch(() => undefined)
    return (await receives(wic)) ? 'a tampered flow token was delivered' : undefined
  },
  'untrusted-mw-source': async (bench) => {
    const wic = await registered(bench)
    const node = await UntrustedNode.open({ address: '127.0.0.2', trace: bench.trace })
    try {
      node.send(latest(bench), { method: 'MESSAGE', to: 'sip:alice@ims.harness.test', body: 'x' })
      return (await receives(wic)) ? 'a request from 127.0.0.2 was delivered' : undefined
    } finally {
      await node.close()
    }
  },
  'mw-sdp-altered': async (bench) =>
    /a=candidate/.test(await offerAtMw(bench)) ? undefined : 'the offer lost its candidates toward Mw',
  'anchored-ice-kept': async (bench) => {
    const sdp = await offerAtMw(bench)
    return sdp.includes(AGW_CORE_SIDE) && /a=ice-ufrag|a=fingerprint/.test(sdp)
      ? 'the anchored offer kept ICE or DTLS toward Mw'
      : undefined
  },
  'anchored-bundle-kept': async (bench) => {
    const sdp = await offerAtMw(bench)
    return sdp.includes(AGW_CORE_SIDE) && /a=group:BUNDLE/.test(sdp)
      ? 'the anchored offer kept BUNDLE toward Mw'
      : undefined
  },
}
