/**
 * R34 on evidence: a challenge to a TNA REGISTER is the eP-CSCF's failure, unless the mock S-CSCF challenged only
 * because the REGISTER came from a source the profile does not list in scscf.trustedNodes (a ProfileError).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure, ProfileError } from '../../support/errors.ts'
import {
  checkRegisteredWithoutChallenge,
  checkWicFlagReplacedOrRefused,
} from '../../support/checks/token-checks.ts'
import { TOKEN, tokenValidated } from '../../support/checks/requirements-registration.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'

const IMPI = 'alice@ims.harness.test'

function answer(status: number): SipResponse {
  const message = parseMessage(
    `SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe\r\nFrom: <sip:alice@ims.harness.test>;tag=1\r\nTo: <sip:alice@ims.harness.test>;tag=2\r\nCall-ID: r\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n`,
  )
  assert.ok(!message.isRequest())
  return message as SipResponse
}

const UNTRUSTED = [{ impi: IMPI, note: 'auth-done from 127.0.0.2:5060, not in [127.0.0.1:*]' }]

void test('R34: a challenge is a FAIL; one the mock gave for an untrusted source is a ProfileError naming it', () => {
  checkRegisteredWithoutChallenge([answer(200)], 'Alice', IMPI, [])
  assert.throws(
    () => checkRegisteredWithoutChallenge([answer(401), answer(200)], 'Alice', IMPI, []),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R34',
  )
  assert.throws(
    () => checkRegisteredWithoutChallenge([answer(401)], 'Alice', IMPI, UNTRUSTED),
    (e: unknown) =>
      e instanceof ProfileError &&
      /127\.0\.0\.2:5060/.test(e.message) &&
      /scscf\.trustedNodes/.test(e.message),
  )
  // Another user's untrusted REGISTER says nothing of Alice's challenge.
  assert.throws(
    () => checkRegisteredWithoutChallenge([answer(401)], 'Alice', IMPI, [{ impi: 'bob@x', note: 'n' }]),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R34',
  )
})

function register(authorization: string): SipRequest {
  const message = parseMessage(
    `REGISTER sip:ims.harness.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe\r\nVia: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\r\nMax-Forwards: 69\r\nFrom: <sip:alice@ims.harness.test>;tag=1\r\nTo: <sip:alice@ims.harness.test>\r\nCall-ID: r\r\nCSeq: 1 REGISTER\r\nAuthorization: ${authorization}\r\nContent-Length: 0\r\n\r\n`,
  )
  assert.ok(message.isRequest())
  return message
}

void test("R34: a 4xx is the eP-CSCF's refusal only with nothing on Mw; else the forwarded REGISTER is judged", () => {
  const tna = register(
    `Digest username="${IMPI}", realm="r", uri="sip:r", nonce="", response="", integrity-protected="auth-done"`,
  )
  const forged = register(
    'Digest username="bob@x", realm="r", uri="sip:r", nonce="", response="", integrity-protected="auth-done"',
  )
  checkWicFlagReplacedOrRefused(answer(403), [], [], IMPI)
  checkWicFlagReplacedOrRefused(answer(401), [tna], [tna], IMPI) // the S-CSCF's 401, relayed
  assert.throws(
    () => checkWicFlagReplacedOrRefused(answer(403), [forged], [forged], IMPI),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R34',
  )
})

void test('R32 names the clause of each token defect', () => {
  assert.match(tokenValidated('wrong-issuer').clause, /RFC 8725 §3\.8/)
  assert.match(tokenValidated('not-yet-valid').clause, /RFC 7519 §4\.1\.5/)
  assert.match(tokenValidated('tampered-payload').clause, /RFC 7515 §5\.2/)
  assert.equal(tokenValidated('unknown-key').id, 'R32')
  assert.equal(tokenValidated(undefined), TOKEN.validated)
})
