import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cancelFor } from '../../support/dialog/cancel.ts'
import { Dialog } from '../../support/dialog/dialog.ts'
import { createResponse } from '../../support/sip/builders.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'

function invite(extra: string[] = []): SipRequest {
  const text = [
    'INVITE sip:bob@ims.harness.test SIP/2.0',
    'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKinv1',
    'Max-Forwards: 70',
    'Route: <sip:orig@127.0.0.1:5070;lr>',
    'From: <sip:alice@ims.harness.test>;tag=alice1',
    'To: <sip:bob@ims.harness.test>',
    'Call-ID: call-1@a1.invalid',
    'CSeq: 5 INVITE',
    'Contact: <sip:a@a1.invalid;transport=ws;ob>',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
  return parseMessage(text) as SipRequest
}

/** The 200 OK as the UAC sees it: the proxies' Record-Route (top = nearest the UAS) and the UAS Contact. */
function ok(request: SipRequest): SipResponse {
  const response = createResponse(request, 200)
  response.set('Contact', '<sip:b@b1.invalid;transport=ws>')
  return response
}

const RR = [
  'Record-Route: <sip:tokB@127.0.0.1:5060;lr>',
  'Record-Route: <sip:rr@127.0.0.1:5070;lr>',
  'Record-Route: <sip:tokA@127.0.0.1:5060;lr>',
]

void describe('Dialog (RFC 3261 §12)', () => {
  void it('UAC: route set is the Record-Route reversed, remote target the 2xx Contact', () => {
    const inv = invite(RR)
    const dialog = Dialog.asUac(inv, ok(inv))
    assert.equal(dialog.state, 'confirmed')
    assert.deepEqual(dialog.routeSet, [
      '<sip:tokA@127.0.0.1:5060;lr>',
      '<sip:rr@127.0.0.1:5070;lr>',
      '<sip:tokB@127.0.0.1:5060;lr>',
    ])
    assert.equal(dialog.remoteTarget, 'sip:b@b1.invalid;transport=ws')
    assert.equal(dialog.localSeq, 5)
  })

  void it('UAC: BYE with loose routing, CSeq + 1, tags in place', () => {
    const inv = invite(RR)
    const dialog = Dialog.asUac(inv, ok(inv))
    const bye = dialog.createRequest('BYE', { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKbye' })
    assert.equal(bye.uri, 'sip:b@b1.invalid;transport=ws')
    assert.deepEqual(bye.getAll('Route'), [...dialog.routeSet])
    assert.equal(bye.get('CSeq'), '6 BYE')
    assert.match(bye.get('From') ?? '', /;tag=alice1$/)
    assert.match(bye.get('To') ?? '', new RegExp(`;tag=${dialog.remoteTag}$`))
    assert.equal(bye.get('Call-ID'), 'call-1@a1.invalid')
  })

  void it('UAC: ACK for 2xx keeps the INVITE CSeq number and follows the route set', () => {
    const inv = invite(RR)
    const dialog = Dialog.asUac(inv, ok(inv))
    const ack = dialog.ackFor2xx(inv, { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKack' })
    assert.equal(ack.get('CSeq'), '5 ACK')
    assert.equal(ack.uri, 'sip:b@b1.invalid;transport=ws')
    assert.equal(ack.getAll('Route')[0], '<sip:tokA@127.0.0.1:5060;lr>')
    assert.equal(dialog.localSeq, 5, 'the ACK does not advance the local sequence number')
  })

  void it('UAC: without Record-Route the request goes straight to the remote target', () => {
    const inv = invite()
    const dialog = Dialog.asUac(inv, ok(inv))
    const bye = dialog.createRequest('BYE', { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKb2' })
    assert.equal(bye.get('Route'), undefined)
    assert.equal(bye.uri, 'sip:b@b1.invalid;transport=ws')
  })

  void it('strict routing: first route in the Request-URI, remote target last in Route', () => {
    const inv = invite(['Record-Route: <sip:strict@192.0.2.1>'])
    const dialog = Dialog.asUac(inv, ok(inv))
    const bye = dialog.createRequest('BYE', { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKb3' })
    assert.equal(bye.uri, 'sip:strict@192.0.2.1')
    assert.deepEqual(bye.getAll('Route'), ['<sip:b@b1.invalid;transport=ws>'])
  })

  void it('UAS: route set in order, remote target the INVITE Contact, tags swapped', () => {
    const inv = invite(RR)
    const response = createResponse(inv, 200)
    const dialog = Dialog.asUas(inv, response)
    assert.equal(dialog.routeSet[0], '<sip:tokB@127.0.0.1:5060;lr>')
    assert.equal(dialog.remoteTarget, 'sip:a@a1.invalid;transport=ws;ob')
    assert.equal(dialog.remoteTag, 'alice1')
    assert.equal(dialog.remoteSeq, 5)
    const bye = dialog.createRequest('BYE', { via: 'SIP/2.0/WSS b1.invalid;branch=z9hG4bKb4' })
    assert.match(bye.get('To') ?? '', /<sip:alice@ims.harness.test>;tag=alice1/)
    assert.equal(bye.get('CSeq'), '1 BYE')
  })

  void it('matches requests of the dialog and refuses out-of-order CSeq with 500 (§12.2.2)', () => {
    const inv = invite(RR)
    const uas = Dialog.asUas(inv, createResponse(inv, 200))
    const uac = Dialog.asUac(
      inv,
      (() => {
        const r = createResponse(inv, 200)
        r.set('To', `<sip:bob@ims.harness.test>;tag=${uas.localTag}`)
        return r
      })(),
    )
    const bye = uac.createRequest('BYE', { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKb5' })
    assert.equal(uas.matches(bye), true)
    assert.deepEqual(uas.receiveRequest(bye), { ok: true })
    assert.equal(uas.state, 'terminated')
    const stale = uac.createRequest('INFO', { via: 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKb6', cseq: 2 })
    const verdict = uas.receiveRequest(stale)
    assert.equal(verdict.ok, false)
    assert.equal(!verdict.ok && verdict.status, 500)
    const foreign = invite()
    assert.equal(uas.receiveRequest(foreign).ok, false)
  })

  void it('a target refresh replaces the remote target', () => {
    const inv = invite()
    const dialog = Dialog.asUac(inv, ok(inv))
    const refresh = ok(inv)
    refresh.set('Contact', '<sip:b@elsewhere.invalid;transport=ws>')
    dialog.refreshTarget(refresh)
    assert.equal(dialog.remoteTarget, 'sip:b@elsewhere.invalid;transport=ws')
  })

  void it('CANCEL copies Request-URI, tags, Call-ID, Route and the top Via (§9.1)', () => {
    const inv = invite(['Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlower'])
    const cancel = cancelFor(inv)
    assert.equal(cancel.method, 'CANCEL')
    assert.equal(cancel.uri, inv.uri)
    assert.deepEqual(cancel.getAll('Via'), ['SIP/2.0/WSS a1.invalid;branch=z9hG4bKinv1'])
    assert.equal(cancel.get('CSeq'), '5 CANCEL')
    assert.deepEqual(cancel.getAll('Route'), inv.getAll('Route'))
    assert.equal(cancel.get('From'), inv.get('From'))
    assert.equal(cancel.get('To'), inv.get('To'))
  })

  void it('refuses to build ACK or CANCEL as ordinary in-dialog requests', () => {
    const inv = invite()
    const dialog = Dialog.asUac(inv, ok(inv))
    assert.throws(() => dialog.createRequest('ACK', { via: 'x' }))
  })
})
