/**
 * The checks of the token's life beyond one registration (support/checks/token-lifecycle-checks.ts): each fails (or
 * warns) on the evidence of the defect it exists for, and holds on the evidence of a conformant eP-CSCF.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkDigestRefusedWithoutOrigin,
  checkKeyUrlNeverFetched,
  checkOversizedRefused,
  checkRefreshRefused,
  checkRotatedKeyHonoured,
  checkTokenStrippedFromRequest,
} from '../../support/checks/token-lifecycle-checks.ts'
import { tokenValidated } from '../../support/checks/requirements-registration.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith, warnings } from '../helpers/verdicts.ts'

const HEAD = `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe\r\nFrom: <sip:alice@ims.harness.test>;tag=1\r\nTo: <sip:bob@ims.harness.test>\r\nCall-ID: c\r\n`

function answer(status: number): SipResponse {
  const message = parseMessage(`SIP/2.0 ${status} X\r\n${HEAD}CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n`)
  assert.ok(!message.isRequest())
  return message as SipResponse
}

function request(method: string, authorization?: string): SipRequest {
  const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`
  const message = parseMessage(
    `${method} sip:bob@ims.harness.test SIP/2.0\r\n${HEAD}CSeq: 1 ${method}\r\n${auth}Content-Length: 0\r\n\r\n`,
  )
  assert.ok(message.isRequest())
  return message as SipRequest
}

void test('RFC 8725 §3.10: a fetch of the key URL a token names is a WARN naming the URL; none is silent', () => {
  assert.deepEqual(
    warnings(() => checkKeyUrlNeverFetched([])),
    [],
  )
  const fetched = [{ url: 'https://127.0.0.1:40000/jwks.json', from: '127.0.0.1:50000' }]
  assert.deepEqual(
    warnings(() => checkKeyUrlNeverFetched(fetched)),
    ['WARN SHOULD R32'],
  )
})

void test('R32: an oversized token is refused with a 4xx or its WebSocket closed; a 200 or no outcome is a FAIL', () => {
  const req = tokenValidated('oversized')
  checkOversizedRefused({ final: answer(401) }, req)
  checkOversizedRefused({ closed: 'closed with 1009' }, req)
  failsWith('R32', () => checkOversizedRefused({ final: answer(200) }, req))
  failsWith('R32', () => checkOversizedRefused(undefined, req))
})

void test('R41/R35: the request with the token reached Mw, without it', () => {
  checkTokenStrippedFromRequest(answer(200), [request('MESSAGE')], 'MESSAGE', 'tok.en.sig')
  failsWith('R41', () => checkTokenStrippedFromRequest(answer(403), [], 'MESSAGE', 'tok.en.sig'))
  failsWith('R35', () =>
    checkTokenStrippedFromRequest(
      answer(200),
      [request('MESSAGE', 'Bearer tok.en.sig')],
      'MESSAGE',
      'tok.en.sig',
    ),
  )
})

void test('R31: the token of a rotated key registers; a refusal is a FAIL', () => {
  checkRotatedKeyHonoured(answer(200), 'kid-2')
  failsWith('R31', () => checkRotatedKeyHonoured(answer(401), 'kid-2'))
})

void test('R13: a digest REGISTER without Origin is refused and nothing reaches Mw', () => {
  checkDigestRefusedWithoutOrigin(answer(403), [])
  failsWith('R13', () =>
    checkDigestRefusedWithoutOrigin(answer(401), [request('REGISTER', 'Digest username="a"')]),
  )
  failsWith('R13', () => checkDigestRefusedWithoutOrigin(answer(200), []))
})

void test('R42: a refresh that must not register is refused with nothing on Mw', () => {
  checkRefreshRefused(answer(401), [], 'a refresh')
  failsWith('R42', () => checkRefreshRefused(answer(200), [request('REGISTER')], 'a refresh'))
  failsWith('R42', () => checkRefreshRefused(answer(500), [], 'a refresh'))
})
