/**
 * Under profile epcscf.topology.hiding the eP-CSCF may map Call-ID and CSeq and lower Max-Forwards by more than one:
 * the checks accept that and stay red on what hiding does not excuse (Max-Forwards not lowered, a request that
 * never arrived).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkInDialogCrossed } from '../../support/checks/dialog-checks.ts'
import { checkMaxForwardsDecremented, checkRefresh } from '../../support/checks/register-checks.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith } from '../helpers/verdicts.ts'

function request(method: string, callId: string, cseq: number, extra: string[] = [], mf = 70): SipRequest {
  const message = parseMessage(
    [
      `${method} sip:ims.harness.test SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe',
      `Max-Forwards: ${mf}`,
      'From: <sip:alice@ims.harness.test>;tag=1',
      'To: <sip:alice@ims.harness.test>',
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )
  assert.ok(message.isRequest())
  return message
}

const OK = parseMessage(
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS a;branch=z9hG4bKw\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n',
) as SipResponse

void test('R19 Max-Forwards: exactly one less, or any 0 < after < before when hiding', () => {
  const sent = request('REGISTER', 'c', 1, [], 70)
  checkMaxForwardsDecremented(sent, request('REGISTER', 'c', 1, [], 69))
  failsWith('R19', () => checkMaxForwardsDecremented(sent, request('REGISTER', 'x', 1, [], 50)))
  checkMaxForwardsDecremented(sent, request('REGISTER', 'x', 1, [], 50), 1, true)
  failsWith('R19', () => checkMaxForwardsDecremented(sent, request('REGISTER', 'x', 1, [], 70), 1, true))
  failsWith('R19', () => checkMaxForwardsDecremented(sent, request('REGISTER', 'x', 1, [], 0), 1, true))
})

void test('R46 refresh: a new Call-ID under hiding has its own CSeq; the same Call-ID still needs a higher one', () => {
  const path = ['Path: <sip:t1@epcscf.harness.test;lr>']
  const first = request('REGISTER', 'b2b-1', 5, path)
  checkRefresh(first, request('REGISTER', 'b2b-2', 1, path), { vias: 1, hiding: true })
  failsWith('R46', () =>
    checkRefresh(first, request('REGISTER', 'b2b-1', 5, path), { vias: 1, hiding: true }),
  )
  failsWith('R46', () =>
    checkRefresh(first, request('REGISTER', 'b2b-2', 6, path), { vias: 1, hiding: false }),
  )
})

void test('R55 in dialog: matched by Call-ID and CSeq, or by method under hiding; a request that never arrived fails', () => {
  const bye = request('BYE', 'c', 2)
  const mapped = request('BYE', 'mapped', 7)
  checkInDialogCrossed(bye, [bye], OK, 'the S-CSCF')
  failsWith('R55', () => checkInDialogCrossed(bye, [mapped], OK, 'the S-CSCF'))
  checkInDialogCrossed(bye, [mapped], OK, 'the S-CSCF', true)
  failsWith('R55', () => checkInDialogCrossed(bye, [], OK, 'the S-CSCF', true))
  failsWith('R55', () => checkInDialogCrossed(bye, [request('INFO', 'c', 2)], OK, 'the S-CSCF', true))
})
