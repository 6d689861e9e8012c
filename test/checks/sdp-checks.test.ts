/**
 * The WebRTC answer check on evidence: with trickle ICE offered, an answer without candidates is a WARN (RFC 8838,
 * RFC 8840); without trickle it fails R62; an answer without ICE credentials fails either way.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure } from '../../support/errors.ts'
import { closeFindings, openFindings } from '../../support/checks/findings.ts'
import { checkWebRtcAnswer } from '../../support/checks/sdp-checks.ts'
import { webrtcAnswer, webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'
import type { SipMessage } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'

function withSdp(first: string, body: string): SipMessage {
  const text =
    `${first}\r\nVia: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@b>;tag=2\r\n` +
    `Call-ID: c\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  return parseMessage(text)
}

const CRLF_CANDIDATE = /a=candidate:[^\r\n]*\r\n/g

void test('R62: no candidate in the answer is a WARN with trickle offered, a FAIL without it', () => {
  const offerBody = webrtcOffer()
  assert.match(offerBody, /a=ice-options:trickle/)
  const offer = withSdp('INVITE sip:c@b SIP/2.0', offerBody)
  const plainOffer = withSdp('INVITE sip:c@b SIP/2.0', offerBody.replace(/a=ice-options:trickle\r\n/g, ''))
  const answerBody = webrtcAnswer(offerBody)
  const bare = withSdp('SIP/2.0 200 OK', answerBody.replace(CRLF_CANDIDATE, ''))
  openFindings()
  checkWebRtcAnswer(withSdp('SIP/2.0 200 OK', answerBody), offer)
  assert.deepEqual(closeFindings(), [])
  openFindings()
  checkWebRtcAnswer(bare, offer)
  assert.deepEqual(
    closeFindings().map((f) => `${f.kind} ${f.requirement?.id ?? ''}`),
    ['WARN R62'],
  )
  for (const [answer, against] of [
    [bare, plainOffer],
    [withSdp('SIP/2.0 200 OK', answerBody.replace(/a=ice-pwd:[^\r\n]*\r\n/g, '')), offer],
  ] as const)
    assert.throws(
      () => checkWebRtcAnswer(answer, against),
      (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R62',
    )
})
