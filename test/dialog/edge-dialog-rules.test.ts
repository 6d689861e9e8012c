import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FaultName, Faults } from '../../support/epcscf/faults.ts'
import { inDialogRefusal } from '../../support/epcscf/in-dialog-guard.ts'
import { applyMediaPolicy, applyMediaPolicyTowardWic } from '../../support/epcscf/media-policy.ts'
import type { SelfAddress } from '../../support/epcscf/proxy-rules.ts'
import { insertRecordRoute } from '../../support/epcscf/record-route.ts'
import type { VariantName, Variants } from '../../support/epcscf/variants.ts'
import type { WicConnection } from '../../support/epcscf/wic-connections.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseNameAddrList } from '../../support/sip/name-addr.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'

/** The reference eP-CSCF's dialog rules on their own: Record-Route, the in-dialog guard, the media policy. */

const faults = (...names: FaultName[]): Faults => ({ has: (n) => names.includes(n) })
const variants = (...names: VariantName[]): Variants => ({ has: (n) => names.includes(n) })
const SELF: SelfAddress = {
  mwTransport: 'UDP',
  mwHost: '127.0.0.1',
  mwPort: 5060,
  pathHost: '127.0.0.1',
  wssHost: '127.0.0.1',
  wssPort: 7443,
  aliases: [],
}
const ALICE = { id: 1, token: 'tokA' } as WicConnection

function request(extra: string[] = [], body = ''): SipRequest {
  const lines = [
    'BYE sip:net@127.0.0.1:5070 SIP/2.0',
    'Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
    'From: <sip:alice@ims.harness.test>;tag=a',
    'To: <sip:network@remote.harness.test>;tag=n',
    'Call-ID: c1',
    'CSeq: 2 BYE',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ]
  return parseMessage(lines.join('\r\n')) as SipRequest
}

const own = (token: string) => parseNameAddrList(`<sip:${token}@127.0.0.1:5060;lr>`)

void describe('in-dialog guard (TS 24.229 §5.2.6.3.5)', () => {
  void it('accepts a request along a route recorded for this connection', () => {
    assert.equal(inDialogRefusal(request(), ALICE, own('tokA'), faults()), undefined)
  })
  void it('refuses one without a route of this proxy, and one recorded for another connection', () => {
    assert.equal(inDialogRefusal(request(), ALICE, [], faults())?.status, 403)
    assert.equal(inDialogRefusal(request(), ALICE, own('tokB'), faults())?.status, 403)
  })
  void it('never answers an ACK, and lets everything through under in-dialog-bypass', () => {
    const ack = request()
    ack.method = 'ACK'
    assert.equal(inDialogRefusal(ack, ALICE, [], faults()), undefined)
    assert.equal(inDialogRefusal(request(), ALICE, own('tokB'), faults('in-dialog-bypass')), undefined)
  })
})

void describe('Record-Route (RFC 3261 §16.6 step 4)', () => {
  const rr = (r: SipRequest) => r.getAll('Record-Route')
  const mw = '<sip:tokA@127.0.0.1:5060;lr>'
  const ctx = (f: Faults, v: Variants) => ({ connection: ALICE, self: SELF, faults: f, variants: v })
  void it('inserts one value on top of the existing ones', () => {
    const r = request(['Record-Route: <sip:other@192.0.2.1;lr>'])
    insertRecordRoute(r, mw, 'mw', ctx(faults(), variants()))
    assert.deepEqual(rr(r), [mw, '<sip:other@192.0.2.1;lr>'])
  })
  void it('double-record-route: the next hop side on top, both with the flow token', () => {
    const towardMw = request()
    insertRecordRoute(towardMw, mw, 'mw', ctx(faults(), variants('double-record-route')))
    assert.deepEqual(rr(towardMw), [mw, '<sip:tokA@127.0.0.1:7443;transport=ws;lr>'])
    const towardWic = request()
    insertRecordRoute(towardWic, mw, 'wic', ctx(faults(), variants('double-record-route')))
    assert.deepEqual(rr(towardWic), ['<sip:tokA@127.0.0.1:7443;transport=ws;lr>', mw])
  })
  void it('no-record-route records nothing', () => {
    const r = request()
    insertRecordRoute(r, mw, 'mw', ctx(faults('no-record-route'), variants()))
    assert.deepEqual(rr(r), [])
  })
})

void describe('media policy', () => {
  const sdp = () => request(['Content-Type: application/sdp'], webrtcOffer())
  void it('passes the SDP untouched by default', () => {
    const r = sdp()
    const before = r.body
    applyMediaPolicy(r, faults())
    applyMediaPolicyTowardWic(r, faults())
    assert.equal(r.body, before)
  })
  void it('each fault removes what it names, and only that', () => {
    const stripped = sdp()
    applyMediaPolicy(stripped, faults('sdp-stripped'))
    assert.equal(stripped.body, '')
    assert.equal(stripped.get('Content-Length'), '0')
    const noIce = sdp()
    applyMediaPolicyTowardWic(noIce, faults('wic-sdp-without-ice'))
    assert.doesNotMatch(noIce.body, /a=(ice-ufrag|ice-pwd|candidate)/)
    assert.match(noIce.body, /a=rtcp-mux/)
    const noMux = sdp()
    applyMediaPolicyTowardWic(noMux, faults('wic-sdp-without-rtcp-mux'))
    assert.doesNotMatch(noMux.body, /a=rtcp-mux/)
    assert.match(noMux.body, /a=fingerprint/)
    const noDtls = sdp()
    applyMediaPolicyTowardWic(noDtls, faults('wic-sdp-without-dtls'))
    assert.doesNotMatch(noDtls.body, /a=(fingerprint|setup)/)
    assert.equal(noDtls.get('Content-Length'), String(Buffer.byteLength(noDtls.body)))
  })
})
