/**
 * The registration and token checks judged on evidence, without a network: an eP-CSCF that answers 200 to every
 * REGISTER and forwards nothing (issue 6) must be red at every digest check, each for its own requirement; the
 * legitimate variations of catalogue Appendix B.1 must be green (or a WARN where the text says SHOULD).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConformanceFailure } from '../../support/errors.ts'
import { closeFindings, openFindings } from '../../support/checks/findings.ts'
import { classifyMwRequest, registersFor, scenarioRequests } from '../../support/checks/mw-traffic.ts'
import {
  checkChargingVectors,
  checkContactKeepsInstance,
  checkDigestIntegrityProtected,
  checkMaxForwardsDecremented,
  checkOwnViaOnTop,
  checkPathToEpcscf,
  checkRefresh,
  routesToEpcscf,
} from '../../support/checks/register-checks.ts'
import {
  checkAnsweredWith,
  checkBinding,
  checkChallengeRelayed,
  checkFinalRelayed,
  checkNoChargingHeaders,
  checkRegistered,
  checkWicIntegrityNotTrusted,
  relayedOrFail,
} from '../../support/checks/registration-outcome-checks.ts'
import { REGISTRATION, TOKEN } from '../../support/checks/requirements-registration.ts'
import { checkNothingOnMw, checkTokenRefused } from '../../support/checks/token-checks.ts'
import { NoAnswer } from '../../support/errors.ts'
import type { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith } from '../helpers/verdicts.ts'

const IMPU = 'sip:alice@ims.harness.test'
const MW = { address: '127.0.0.1', port: 5060, hostnames: { 'epcscf.harness.test': '127.0.0.1' } }

function request(text: string): SipRequest {
  const message = parseMessage(text.replace(/\n/g, '\r\n'))
  assert.ok(message.isRequest())
  return message
}

function response(text: string): SipResponse {
  const message = parseMessage(text.replace(/\n/g, '\r\n'))
  assert.ok(!message.isRequest())
  return message as SipResponse
}

function register(
  extra: string[],
  vias = ['SIP/2.0/WSS a1.invalid;branch=z9hG4bKwic;rport'],
  mf = 70,
): SipRequest {
  return request(
    [
      'REGISTER sip:ims.harness.test SIP/2.0',
      ...vias.map((v) => `Via: ${v}`),
      `Max-Forwards: ${mf}`,
      `From: <${IMPU}>;tag=1`,
      `To: <${IMPU}>`,
      'Call-ID: reg-1',
      'CSeq: 1 REGISTER',
      '<contact>',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ]
      .join('\n')
      .replace(
        '<contact>',
        'Contact: <sip:u@a1.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:1>";reg-id=1',
      ),
  )
}

/** The 200 OK the fake eP-CSCF made up: no S-CSCF ever saw the REGISTER. */
const FAKE_OK = response(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKwic',
    `From: <${IMPU}>;tag=1`,
    `To: <${IMPU}>;tag=f`,
    'Call-ID: reg-1',
    'CSeq: 1 REGISTER',
    'Content-Length: 0',
    '',
    '',
  ].join('\n'),
)

void test('a fake eP-CSCF that answers 200 to every REGISTER and forwards nothing is red at every digest check', () => {
  const nothing: SipRequest[] = []
  failsWith('R20', () => checkRegistered(FAKE_OK, 'Alice'))
  failsWith('R24', () => checkBinding(0, IMPU, REGISTRATION.digestForwarded))
  failsWith('R18', () => checkChargingVectors(nothing))
  failsWith('R26', () => checkDigestIntegrityProtected(nothing))
  failsWith('R25', () => checkAnsweredWith(nothing, 'SHA-256', 'Alice'))
  failsWith('R21', () => checkNoChargingHeaders(FAKE_OK, []))
  failsWith('R28', () => checkFinalRelayed(FAKE_OK, 403, [], REGISTRATION.failureRelayed))
  failsWith('R39', () => checkWicIntegrityNotTrusted(FAKE_OK, nothing, [], 'auth-done'))
})

void test('negative checks on Mw count every request of the scenario, not only the WIC Call-ID, but no OPTIONS probe or reg-event', () => {
  const probe = request(
    'OPTIONS sip:127.0.0.1:5070 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp\nMax-Forwards: 70\nFrom: <sip:epcscf@127.0.0.1>;tag=p\nTo: <sip:127.0.0.1:5070>\nCall-ID: probe\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n',
  )
  const regEvent = request(
    `SUBSCRIBE ${IMPU} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKs\nMax-Forwards: 70\nFrom: <sip:epcscf.harness.test>;tag=s\nTo: <${IMPU}>\nCall-ID: sub\nCSeq: 1 SUBSCRIBE\no: reg\nContent-Length: 0\n\n`,
  )
  const other = register([]) // any Call-ID: a REGISTER is the scenario's
  assert.equal(classifyMwRequest(probe), 'keep-alive')
  assert.equal(classifyMwRequest(regEvent), 'reg-event')
  const fromWic = request(
    'OPTIONS sip:127.0.0.1:5070 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe\nVia: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\nMax-Forwards: 69\nFrom: <sip:alice@ims.harness.test>;tag=w\nTo: <sip:127.0.0.1:5070>\nCall-ID: w\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n',
  )
  assert.equal(classifyMwRequest(fromWic), 'scenario') // forwarded from a WIC: never hidden
  const mw = scenarioRequests([probe, regEvent].map((r) => ({ request: r })))
  assert.deepEqual(mw, [])
  checkNothingOnMw(mw, 'a bad token registration')
  failsWith('R32', () => checkNothingOnMw(scenarioRequests([{ request: other }]), 'a bad token registration'))
  assert.equal(registersFor([other, probe], IMPU).length, 1)
})

void test('a final response the S-CSCF sent that never reached the WIC is a FAIL (R58); silence on both sides is not', async () => {
  const ok = response(
    'SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: reg-1\nCSeq: 1 REGISTER\nContent-Length: 0\n\n',
  )
  await assert.rejects(
    relayedOrFail(Promise.reject(new NoAnswer('no final response')), () => [ok], 'Alice'),
    (e: unknown) => e instanceof ConformanceFailure && e.requirement.id === 'R58',
  )
  await assert.rejects(
    relayedOrFail(Promise.reject(new NoAnswer('no final response')), () => [], 'Alice'),
    NoAnswer,
  )
})

void test('legitimate variations pass: two Vias, Path host name, new flow token per refresh, Contact alias, ip-assoc values', () => {
  const sent = register([])
  const twoStage = register(
    [],
    [
      'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKb',
      'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKa',
      'SIP/2.0/WSS a1.invalid;branch=z9hG4bKwic;rport',
    ],
    68,
  )
  checkOwnViaOnTop(sent, twoStage, { vias: 2, hiding: false })
  checkMaxForwardsDecremented(sent, twoStage, 2)
  failsWith('R19', () => checkOwnViaOnTop(sent, twoStage, { vias: 1, hiding: false }))
  failsWith('R19', () => checkOwnViaOnTop(sent, sent, { vias: 1, hiding: false }))
  const named = register(['Path: <sip:tok1@epcscf.harness.test;lr;ob>'])
  checkPathToEpcscf(named, MW)
  assert.equal(routesToEpcscf({ scheme: 'sip', host: 'evil.test', params: [], raw: '' }, MW), false)
  const refresh = register(['Path: <sip:tok2@epcscf.harness.test;lr;ob>'])
  refresh.set('CSeq', '2 REGISTER')
  checkRefresh(named, refresh)
  const alias = register([])
  alias.set(
    'Contact',
    '<sip:u@a1.invalid;transport=ws;ob;alias=127.0.0.1~4000~6>;+sip.instance="<urn:uuid:1>";reg-id=1',
  )
  checkContactKeepsInstance(sent, alias)
  const lost = register([])
  lost.set('Contact', '<sip:tok1@127.0.0.1:5060>')
  failsWith('R19', () => checkContactKeepsInstance(sent, lost))
  checkDigestIntegrityProtected([
    register([
      'Authorization: Digest username="a", realm="r", nonce="", uri="sip:r", response="", integrity-protected=ip-assoc-pending',
    ]),
  ])
  failsWith('R26', () =>
    checkDigestIntegrityProtected([
      register([
        'Authorization: Digest username="a", realm="r", nonce="", uri="sip:r", response="", integrity-protected="yes"',
      ]),
    ]),
  )
})

void test('a re-serialised challenge is the same challenge; a lost parameter is not', () => {
  const head =
    'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKwic\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: reg-1\nCSeq: 1 REGISTER\n'
  const sent = response(
    `SIP/2.0 401 Unauthorized\n${head}WWW-Authenticate: Digest realm="ims.harness.test", nonce="abc", algorithm=MD5, qop="auth"\nContent-Length: 0\n\n`,
  )
  const reordered = response(
    `SIP/2.0 401 Unauthorized\n${head}WWW-Authenticate: Digest  qop="auth",nonce="abc",  realm="ims.harness.test",algorithm=MD5\nContent-Length: 0\n\n`,
  )
  const altered = response(
    `SIP/2.0 401 Unauthorized\n${head}WWW-Authenticate: Digest realm="ims.harness.test", nonce="abc", algorithm=MD5\nContent-Length: 0\n\n`,
  )
  checkChallengeRelayed(sent, reordered)
  failsWith('R24', () => checkChallengeRelayed(sent, altered))
})

void test('a bad token refused with 400, 401 or 403 passes; without error="invalid_token" it is a WARN; a 2xx is a FAIL', () => {
  const head =
    'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKwic\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: reg-1\nCSeq: 1 REGISTER\n'
  openFindings()
  checkTokenRefused(response(`SIP/2.0 400 Bad Request\n${head}Content-Length: 0\n\n`), 'Alice')
  checkTokenRefused(
    response(`SIP/2.0 401 Unauthorized\n${head}WWW-Authenticate: Bearer realm="ims"\nContent-Length: 0\n\n`),
    'Alice',
  )
  checkTokenRefused(response(`SIP/2.0 403 Forbidden\n${head}Content-Length: 0\n\n`), 'Alice')
  const findings = closeFindings()
  assert.deepEqual(
    findings.map((f) => [f.kind, f.requirement?.id, f.requirement?.level]),
    [['WARN', 'R33', 'SHOULD']],
  )
  failsWith('R32', () => checkTokenRefused(FAKE_OK, 'Alice'))
  failsWith('R36', () => checkTokenRefused(FAKE_OK, 'Bob', TOKEN.identityBound))
})
