/**
 * Routing checks of originating and terminating requests, judged on evidence without a network: each is red on the
 * defect it names and green on the legitimate alternatives the texts leave open.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure } from '../../support/errors.ts'
import { checkAssertedIdentity, checkRoutedAlongServiceRoute } from '../../support/checks/routing-checks.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith } from '../helpers/verdicts.ts'

const IMPU = 'sip:alice@ims.harness.test'
const ASSOCIATED = [IMPU, 'tel:+15550101']

function message(extra: string[]): SipRequest {
  const parsed = parseMessage(
    [
      'MESSAGE sip:bob@ims.harness.test SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe',
      'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw',
      'Max-Forwards: 69',
      `From: <${IMPU}>;tag=1`,
      'To: <sip:bob@ims.harness.test>',
      'Call-ID: m-1',
      'CSeq: 1 MESSAGE',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )
  assert.ok(parsed.isRequest())
  return parsed
}

void test('R48: the default IMPU alone, or with one tel URI of the P-Associated-URI, as equal URIs, passes', () => {
  const claimed = 'sip:bob@ims.harness.test'
  checkAssertedIdentity(message([`P-Asserted-Identity: <${IMPU}>`]), IMPU, claimed, ASSOCIATED)
  checkAssertedIdentity(
    message(['P-Asserted-Identity: <sip:alice@IMS.harness.test>']),
    IMPU,
    claimed,
    ASSOCIATED,
  )
  checkAssertedIdentity(
    message([`P-Asserted-Identity: "Alice" <${IMPU}>, <tel:+1-555-0101>`]),
    IMPU,
    claimed,
    ASSOCIATED,
  )
  checkAssertedIdentity(
    message(['P-Asserted-Identity: <tel:+15550101>', `P-Asserted-Identity: <${IMPU}>`]),
    IMPU,
    claimed,
    ASSOCIATED,
  )
})

void test('R47/R48: the WIC claim, another tel URI, two sip URIs, a tel URI alone or none are red', () => {
  const claimed = 'sip:bob@ims.harness.test'
  failsWith('R47', () =>
    checkAssertedIdentity(
      message([`P-Asserted-Identity: <${IMPU}>, <${claimed}>`]),
      IMPU,
      claimed,
      ASSOCIATED,
    ),
  )
  failsWith('R48', () =>
    checkAssertedIdentity(
      message([`P-Asserted-Identity: <${IMPU}>, <tel:+15550199>`]),
      IMPU,
      claimed,
      ASSOCIATED,
    ),
  )
  failsWith('R48', () =>
    checkAssertedIdentity(
      message([`P-Asserted-Identity: <${IMPU}>, <sip:alice2@ims.harness.test>`]),
      IMPU,
      claimed,
      ASSOCIATED,
    ),
  )
  failsWith('R48', () =>
    checkAssertedIdentity(message(['P-Asserted-Identity: <tel:+15550101>']), IMPU, claimed, ASSOCIATED),
  )
  failsWith('R48', () => checkAssertedIdentity(message([]), IMPU, claimed, ASSOCIATED))
  failsWith('R48', () =>
    checkAssertedIdentity(
      message([`P-Asserted-Identity: <${IMPU}>`, `P-Preferred-Identity: <${IMPU}>`]),
      IMPU,
      claimed,
      ASSOCIATED,
    ),
  )
})

void test('R53: a Route equal as URIs to the Service-Route passes; another URI fails; no Service-Route at the WIC is R20', () => {
  const routed = message(['Route: <sip:SCSCF.ims.harness.test:5070;lr;orig>'])
  checkRoutedAlongServiceRoute(routed, ['<sip:scscf.ims.harness.test:5070;orig;lr>'])
  failsWith('R53', () => checkRoutedAlongServiceRoute(routed, ['<sip:scscf.ims.harness.test;lr;orig>']))
  failsWith('R53', () => checkRoutedAlongServiceRoute(message([]), ['<sip:scscf.ims.harness.test:5070;lr>']))
  failsWith('R20', () =>
    checkRoutedAlongServiceRoute(routed, [], undefined, ['<sip:scscf.ims.harness.test:5070;lr>']),
  )
  assert.throws(
    () => checkRoutedAlongServiceRoute(routed, [], undefined, []),
    (e: unknown) => e instanceof Error && !(e instanceof ConformanceFailure),
  )
})
