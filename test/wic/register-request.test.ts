import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseMessage } from '../../support/sip/parse.ts'
import { parseNameAddr } from '../../support/sip/name-addr.ts'
import { getParam, hasParam } from '../../support/sip/params.ts'
import { viasOf } from '../../support/sip/via.ts'
import { parseCSeq } from '../../support/sip/cseq.ts'
import { buildRegister, type WicIdentity } from '../../support/wic/register-request.ts'

const identity: WicIdentity = {
  impi: 'alice@ims.harness.test',
  impu: 'sip:alice@ims.harness.test',
  domain: 'ims.harness.test',
  viaHost: 'df7jal23ls0d.invalid',
  contactUser: 'k3j4h5g6',
  instanceId: 'urn:uuid:00000000-0000-1000-8000-aabbccddeeff',
  regId: 1,
  callId: 'abcdef@df7jal23ls0d.invalid',
  fromTag: 'f1',
  userAgent: 'test-wic',
}

/** Serialises and re-parses, so that the assertions are on what goes on the wire. */
function wire(cseq: number, expires: number) {
  const request = buildRegister(identity, {
    cseq,
    expires,
    credentials: [
      [
        'Authorization',
        'Digest username="alice@ims.harness.test", realm="ims.harness.test", uri="sip:ims.harness.test", nonce="", response=""',
      ],
    ],
  })
  const parsed = parseMessage(request.toString())
  assert.ok(parsed.isRequest())
  return parsed
}

void describe('WIC REGISTER (RFC 3261 §10.2, RFC 7118, RFC 5626)', { timeout: 5000 }, () => {
  void it('has Request-URI sip:<domain> and From/To the IMPU, From tagged, To not', () => {
    const r = wire(1, 600)
    assert.equal(r.method, 'REGISTER')
    assert.equal(r.uri, 'sip:ims.harness.test')
    const from = parseNameAddr(r.get('From')!)
    const to = parseNameAddr(r.get('To')!)
    assert.equal(from.uri.raw, 'sip:alice@ims.harness.test')
    assert.equal(to.uri.raw, 'sip:alice@ims.harness.test')
    assert.equal(getParam(from.params, 'tag'), 'f1')
    assert.equal(hasParam(to.params, 'tag'), false)
    assert.equal(r.get('Max-Forwards'), '70')
    assert.equal(r.get('Call-ID'), identity.callId)
    assert.deepEqual(parseCSeq(r.get('CSeq')!), { seq: 1, method: 'REGISTER' })
    assert.equal(r.get('Content-Length'), '0')
    assert.equal(r.get('User-Agent'), 'test-wic')
  })

  void it('has a Via with transport WSS, a .invalid sent-by, a magic-cookie branch and rport (RFC 7118 §5.2)', () => {
    const [via, ...rest] = viasOf(wire(1, 600))
    assert.equal(rest.length, 0)
    assert.ok(via)
    assert.equal(via.transport.toUpperCase(), 'WSS')
    assert.match(via.host, /\.invalid$/)
    assert.match(via.branch ?? '', /^z9hG4bK/)
    assert.ok(hasParam(via.params, 'rport'))
  })

  void it('has a Contact with transport=ws and ob, +sip.instance, reg-id and expires (RFC 5626 §4.2)', () => {
    const contact = parseNameAddr(wire(1, 600).get('Contact')!)
    assert.equal(contact.uri.scheme, 'sip')
    assert.match(contact.uri.host, /\.invalid$/)
    assert.equal(getParam(contact.uri.params, 'transport'), 'ws')
    assert.ok(hasParam(contact.uri.params, 'ob'))
    assert.equal(getParam(contact.params, '+sip.instance'), '<urn:uuid:00000000-0000-1000-8000-aabbccddeeff>')
    assert.equal(getParam(contact.params, 'reg-id'), '1')
    assert.equal(getParam(contact.params, 'expires'), '600')
  })

  void it('says it supports path, outbound and gruu', () => {
    const supported = wire(1, 600)
      .get('Supported')!
      .split(',')
      .map((s) => s.trim())
    assert.deepEqual(supported.sort(), ['gruu', 'outbound', 'path'])
  })

  void it('carries the initial Digest credentials given', () => {
    assert.match(
      wire(1, 600).get('Authorization')!,
      /^Digest username="alice@ims.harness.test".*nonce="", response=""$/,
    )
  })

  void it('de-registers with Contact expires=0 and Expires: 0 (RFC 3261 §10.2.2)', () => {
    const r = wire(7, 0)
    assert.equal(getParam(parseNameAddr(r.get('Contact')!).params, 'expires'), '0')
    assert.equal(r.get('Expires'), '0')
    assert.equal(parseCSeq(r.get('CSeq')!).seq, 7)
  })

  void it('uses a fresh branch for each request', () => {
    assert.notEqual(viasOf(wire(1, 600))[0]?.branch, viasOf(wire(2, 600))[0]?.branch)
  })
})
