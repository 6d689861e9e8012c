/**
 * R26/R39 on evidence: `integrity-protected` is read from Authorization and Proxy-Authorization, an unparseable value
 * naming it fails, and `absent` on a REGISTER that answers no challenge passes whatever the profile lists.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkDigestIntegrityProtected } from '../../support/checks/register-checks.ts'
import { checkWicIntegrityNotTrusted } from '../../support/checks/registration-outcome-checks.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith } from '../helpers/verdicts.ts'

function register(extra: string[]): SipRequest {
  const message = parseMessage(
    [
      'REGISTER sip:ims.harness.test SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe',
      'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw',
      'Max-Forwards: 69',
      'From: <sip:alice@ims.harness.test>;tag=1',
      'To: <sip:alice@ims.harness.test>',
      'Call-ID: r',
      'CSeq: 1 REGISTER',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )
  assert.ok(message.isRequest())
  return message
}

const ANSWER =
  'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0123456789abcdef0123456789abcdef"'

void test('R26: absent passes on an initial REGISTER whatever the profile lists; on an answer the list governs', () => {
  checkDigestIntegrityProtected([register([])], ['tls-yes'])
  checkDigestIntegrityProtected(
    [register(['Authorization: Digest username="a", realm="r", nonce="", uri="sip:r", response=""'])],
    ['tls-yes'],
  )
  failsWith('R26', () => checkDigestIntegrityProtected([register([`Authorization: ${ANSWER}`])], ['tls-yes']))
  checkDigestIntegrityProtected(
    [register([`Authorization: ${ANSWER}, integrity-protected="tls-yes"`])],
    ['tls-yes'],
  )
})

void test('R26/R39: a value in Proxy-Authorization, or an unparseable one naming integrity-protected, is red', () => {
  const proxy = register([
    `Authorization: ${ANSWER}`,
    `Proxy-Authorization: ${ANSWER}, integrity-protected="auth-done"`,
  ])
  const garbled = register([`Authorization: Digest integrity-protected="auth-done" username=a,,`])
  failsWith('R26', () => checkDigestIntegrityProtected([proxy]))
  failsWith('R26', () => checkDigestIntegrityProtected([garbled]))
  const ok = parseMessage(
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: r\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n',
  ) as SipResponse
  failsWith('R39', () => checkWicIntegrityNotTrusted(ok, [proxy], [], 'auth-done'))
  failsWith('R39', () => checkWicIntegrityNotTrusted(ok, [garbled], [], 'auth-done'))
})
