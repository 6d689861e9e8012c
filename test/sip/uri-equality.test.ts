/** URI equality, RFC 3261 §19.1.4 (its own examples) and RFC 3966 §4. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { uriTextsEqual } from '../../support/sip/uri-equality.ts'

void test('the equivalent URIs of RFC 3261 §19.1.4 are equal', () => {
  for (const [a, b] of [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
    ['sip:pcscf.ims.test;lr', 'sip:PCSCF.ims.test;lr'],
    ['tel:+1-555-0101', 'tel:+15550101'],
  ]) {
    assert.ok(uriTextsEqual(a ?? '', b ?? ''), `${a} = ${b}`)
  }
})

void test('the non-equivalent URIs of RFC 3261 §19.1.4 differ', () => {
  for (const [a, b] of [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:alice@atlanta.com', 'sip:alice@atlanta.com;maddr=10.0.0.1'],
    ['sip:alice@atlanta.com', 'not a uri'],
    ['tel:+15550101', 'tel:+15550102'],
  ]) {
    assert.ok(!uriTextsEqual(a ?? '', b ?? ''), `${a} ≠ ${b}`)
  }
})
