/**
 * What the eP-CSCF relayed of a registration, judged on the S-CSCF's responses to the right transaction only: an
 * earlier 401 or 200 of the same registration (which the WIC did get) is no evidence that a later final was kept.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure, NoAnswer } from '../../support/errors.ts'
import {
  answersToTransaction,
  checkFinalRelayed,
  checkRegistered,
  relayedOrFail,
} from '../../support/checks/registration-outcome-checks.ts'
import { REGISTRATION } from '../../support/checks/requirements-registration.ts'
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

function ok(extra: string[]): SipResponse {
  return sipResponse(
    `SIP/2.0 200 OK\nVia: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\nFrom: <${IMPU}>;tag=1\nTo: <${IMPU}>;tag=s\nCall-ID: reg-1\nCSeq: 2 REGISTER\n${extra.join('\n')}\nContent-Length: 0\n\n`,
  )
}

void test('R20: the relayed 200 keeps the S-CSCF Service-Route and P-Associated-URI URI by URI; a rewritten one fails', () => {
  const sent = ok([
    'Service-Route: <sip:orig@scscf.ims.harness.test:5070;lr>',
    `P-Associated-URI: <${IMPU}>, <tel:+15550101>`,
  ])
  const reserialised = ok([
    'Service-Route: <sip:orig@SCSCF.ims.harness.test:5070;lr>',
    `P-Associated-URI: <${IMPU}>`,
    'P-Associated-URI: <tel:+15550101>',
  ])
  checkRegistered(reserialised, 'Alice', sent)
  const rewritten = ok(['Service-Route: <sip:evil.test;lr>', `P-Associated-URI: <${IMPU}>, <tel:+15550101>`])
  const lostTel = ok([
    'Service-Route: <sip:orig@scscf.ims.harness.test:5070;lr>',
    `P-Associated-URI: <${IMPU}>`,
  ])
  for (const relayed of [rewritten, lostTel])
    assert.throws(
      () => checkRegistered(relayed, 'Alice', sent),
      (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R20',
    )
})

void test('R43: only the S-CSCF answer to the de-registering REGISTER counts, not the 200 of the registration before', () => {
  const deregister = register(3, [WIC_VIA])
  const answers = answersToTransaction(deregister, [register(2, [OWN_VIA, WIC_VIA])], [answer(200, 2)])
  assert.throws(
    () => checkFinalRelayed(answer(200, 3), 200, answers, REGISTRATION.deregistered),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R43',
  )
  const fwd = register(3, [OWN_VIA, WIC_VIA])
  checkFinalRelayed(
    answer(200, 3),
    200,
    answersToTransaction(deregister, [fwd], [answer(200, 3)]),
    REGISTRATION.deregistered,
  )
})
