/**
 * What the eP-CSCF relayed of a registration, judged on the S-CSCF's responses to the right transaction only: an
 * earlier 401 or 200 of the same registration (which the WIC did get) is no evidence that a later final was kept.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure, NoAnswer } from '../../support/errors.ts'
import { answersToTransaction, relayedOrFail } from '../../support/checks/registration-outcome-checks.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'

const IMPU = 'sip:alice@ims.harness.test'

function sipRequest(text: string): SipRequest {
  const message = parseMessage(text.replace(/\n/g, '\r\n'))
  assert.ok(message.isRequest())
  return message
}

function sipResponse(text: string): SipResponse {
  const message = parseMessage(text.replace(/\n/g, '\r\n'))
  assert.ok(!message.isRequest())
  return message as SipResponse
}

function register(cseq: number, vias: string[], callId = 'reg-1'): SipRequest {
  return sipRequest(
    `REGISTER sip:ims.harness.test SIP/2.0\n${vias.map((v) => `Via: ${v}\n`).join('')}Max-Forwards: 70\nFrom: <${IMPU}>;tag=1\nTo: <${IMPU}>\nCall-ID: ${callId}\nCSeq: ${cseq} REGISTER\nContent-Length: 0\n\n`,
  )
}

function answer(status: number, cseq: number, callId = 'reg-1'): SipResponse {
  return sipResponse(
    `SIP/2.0 ${status} X\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe${cseq}\nFrom: <${IMPU}>;tag=1\nTo: <${IMPU}>;tag=s\nCall-ID: ${callId}\nCSeq: ${cseq} REGISTER\nContent-Length: 0\n\n`,
  )
}

const WIC_VIA = 'SIP/2.0/WSS a1.invalid;branch=z9hG4bKw'
const OWN_VIA = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe'

void test('R58 counts only the S-CSCF answers to the unanswered REGISTER (same Call-ID and CSeq)', async () => {
  const sentFirst = register(1, [WIC_VIA])
  const sentSecond = register(2, [WIC_VIA])
  const fwdFirst = register(1, [OWN_VIA, WIC_VIA])
  const fwdSecond = register(2, [OWN_VIA, WIC_VIA])
  // The first REGISTER was challenged (the WIC got the 401); the answer to the second never reached the S-CSCF.
  const earlier = answersToTransaction(sentSecond, [fwdFirst], [answer(401, 1)])
  assert.deepEqual(earlier, [])
  await assert.rejects(
    relayedOrFail(Promise.reject(new NoAnswer('no final response')), () => earlier, 'Alice'),
    NoAnswer,
  )
  // The S-CSCF answered the second with 200 and the WIC got nothing: FAIL R58.
  const kept = answersToTransaction(sentSecond, [fwdFirst, fwdSecond], [answer(401, 1), answer(200, 2)])
  assert.deepEqual(
    kept.map((r) => r.status),
    [200],
  )
  await assert.rejects(
    relayedOrFail(Promise.reject(new NoAnswer('no final response')), () => kept, 'Alice'),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R58',
  )
  // A Call-ID the eP-CSCF mapped (topology hiding): no evidence, inconclusive.
  assert.deepEqual(
    answersToTransaction(sentFirst, [register(1, [OWN_VIA], 'b2b-1')], [answer(200, 1, 'b2b-1')]),
    [],
  )
  assert.deepEqual(answersToTransaction(undefined, [fwdFirst], [answer(200, 1)]), [])
})
