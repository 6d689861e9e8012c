import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isDeregistration } from '../../support/sip/contact-expiry.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { requestText } from '../helpers/sip-text.ts'

function register(headers: string[]): SipRequest {
  const message = parseMessage(
    requestText({
      start: 'REGISTER sip:ims.harness.test',
      via: 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKexp1',
      from: '<sip:alice@ims.harness.test>;tag=f1',
      to: '<sip:alice@ims.harness.test>',
      callId: 'exp-1',
      cseq: '2 REGISTER',
      headers,
    }),
  )
  assert.ok(message.isRequest())
  return message
}

void test('a REGISTER removes its bindings when every Contact expires at 0 (RFC 3261 §10.2.2, §10.3 step 7)', () => {
  assert.equal(isDeregistration(register(['Contact: <sip:a@x.invalid;transport=ws>', 'Expires: 0'])), true)
  assert.equal(isDeregistration(register(['Contact: <sip:a@x.invalid>;expires=0', 'Expires: 600'])), true)
  assert.equal(isDeregistration(register(['Contact: <sip:a@x.invalid>;expires=600', 'Expires: 0'])), false)
  // An expires URI parameter inside the angle brackets is the URI's, not the contact's.
  assert.equal(isDeregistration(register(['Contact: <sip:a@x.invalid;expires=0>', 'Expires: 600'])), false)
  assert.equal(isDeregistration(register(['Contact: *', 'Expires: 0'])), true)
  assert.equal(
    isDeregistration(register(['Expires: 0'])),
    false,
    'no Contact: a query, not a removal (§10.2.3)',
  )
  assert.equal(isDeregistration(register(['Contact: <sip:a@x.invalid>'])), false)
})
