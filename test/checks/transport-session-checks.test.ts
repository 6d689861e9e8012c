import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkFlowFailed,
  checkRefusedUnregistered,
  checkServiceRouteEnforced,
} from '../../support/checks/routing-checks.ts'
import { checkTlsAccepted, checkTlsRefused } from '../../support/checks/transport-checks.ts'
import {
  checkKeepAlivePong,
  checkNoSipProcessed,
  checkNoSubprotocolHandshake,
  checkOriginRefused,
} from '../../support/checks/websocket-checks.ts'
import { ConformanceFailure, NoAnswer, ScenarioMisuse } from '../../support/errors.ts'
import { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { failsWith, findingsOf } from '../helpers/verdicts.ts'

/**
 * The W2 and X.2.2 checks on hand-made outcomes: each legitimate variation (catalogue Appendix B.1) passes, with a
 * WARN where a SHOULD is not followed, and each defect fails with the requirement id the fault matrix reads.
 */

const warnings = (check: () => void): string[] =>
  findingsOf(check).map((f) => `${f.kind} ${f.requirement?.id ?? ''}`)

const response = (status: number) => new SipResponse({ status, reason: 'x' })
const message = () => new SipRequest({ method: 'MESSAGE', uri: 'sip:bob@ims.harness.test' })
const ROUTE = ['<sip:orig@scscf.harness.test;lr>']

void describe('Origin refusal (RFC 6455 §4.2.2 MUST, §10.2 SHOULD 403)', () => {
  void it('403 passes without a WARN', () => {
    assert.deepEqual(
      warnings(() => checkOriginRefused({ ok: false, status: 403, protocol: undefined }, 'R12')),
      [],
    )
  })
  void it('another 4xx passes with a WARN of the same requirement', () => {
    const found = warnings(() => checkOriginRefused({ ok: false, status: 400, protocol: undefined }, 'R13'))
    assert.deepEqual(found, ['WARN R13'])
  })
  void it('an upgrade or a 5xx fails', () => {
    failsWith('R12', () => checkOriginRefused({ ok: true, status: 101, protocol: 'sip' }, 'R12'))
    failsWith('R12', () => checkOriginRefused({ ok: false, status: 500, protocol: undefined }, 'R12'))
  })
})

void describe('no sip subprotocol (R04)', () => {
  void it('a refusal, or a 101 without Sec-WebSocket-Protocol, is accepted', () => {
    assert.equal(checkNoSubprotocolHandshake({ ok: false, status: 400, protocol: 'sip' }), false)
    assert.equal(checkNoSubprotocolHandshake({ ok: true, status: 101, protocol: '' }), true)
  })
  void it('a 101 selecting a subprotocol never offered fails', () => {
    failsWith('R04', () => checkNoSubprotocolHandshake({ ok: false, status: 101, protocol: 'sip' }))
  })
  void it('SIP reaching Mw from that WebSocket fails; an error answer passes; a 2xx is a WARN', () => {
    failsWith('R04', () => checkNoSipProcessed({ answered: [], atMw: [message()], waitedMs: 10 }))
    assert.deepEqual(
      warnings(() => checkNoSipProcessed({ answered: [response(400)], atMw: [], waitedMs: 10 })),
      [],
    )
    assert.deepEqual(
      warnings(() => checkNoSipProcessed({ answered: [response(200)], atMw: [], waitedMs: 10 })),
      ['WARN R04'],
    )
    assert.deepEqual(
      warnings(() => checkNoSipProcessed({ answered: [], atMw: [], waitedMs: 10 })),
      [],
    )
  })
})

void describe('closed flow (R45)', () => {
  void it('430 passes; 480, 477 and 503 pass with a WARN', () => {
    assert.deepEqual(
      warnings(() => checkFlowFailed(response(430), 10, 500)),
      [],
    )
    for (const status of [480, 477, 503])
      assert.deepEqual(
        warnings(() => checkFlowFailed(response(status), 10, 500)),
        ['WARN R45'],
      )
  })
  void it('silence after 64·T1, a success or a redirection fails; silence before 64·T1 is inconclusive', () => {
    failsWith('R45', () => checkFlowFailed(undefined, 32_000, 500))
    failsWith('R45', () => checkFlowFailed(response(200), 10, 500))
    failsWith('R45', () => checkFlowFailed(response(302), 10, 500))
    assert.throws(() => checkFlowFailed(undefined, 4_000, 500), NoAnswer)
  })
})

void describe('Service-Route (R53) and unregistered WIC (R49)', () => {
  void it('400 with nothing forwarded is the enforcing variant', () => {
    checkServiceRouteEnforced({ response: response(400), atScscf: [] }, ROUTE)
    failsWith('R53', () =>
      checkServiceRouteEnforced({ response: response(400), atScscf: [message()] }, ROUTE),
    )
  })
  void it('a forwarded request must carry the Service-Route', () => {
    failsWith('R53', () =>
      checkServiceRouteEnforced({ response: response(200), atScscf: [message()] }, ROUTE),
    )
    const routed = message().append('Route', ROUTE[0] ?? '')
    checkServiceRouteEnforced({ response: response(200), atScscf: [routed] }, ROUTE)
  })
  void it('an unregistered WIC gets an error, 403 recommended', () => {
    assert.deepEqual(
      warnings(() => checkRefusedUnregistered(response(403))),
      [],
    )
    assert.deepEqual(
      warnings(() => checkRefusedUnregistered(response(404))),
      ['WARN R49'],
    )
    failsWith('R49', () => checkRefusedUnregistered(response(200)))
  })
})

void describe('TLS versions (R07) and WSS (R06)', () => {
  const outcome = (stage: 'connected' | 'upgrade-refused' | 'tls-refused') => ({
    offered: ['TLSv1.2' as const],
    stage,
    status: stage === 'upgrade-refused' ? 403 : undefined,
    error: undefined,
  })
  void it('a required version refused at TLS fails R07; refused at the upgrade fails R06', () => {
    checkTlsAccepted(outcome('connected'))
    failsWith('R07', () => checkTlsAccepted(outcome('tls-refused')))
    failsWith('R06', () => checkTlsAccepted(outcome('upgrade-refused')))
  })
  void it('TLS 1.3 refused is the SHOULD of RFC 9325 §3.1.1: a WARN, not a FAIL', () => {
    const only13 = { ...outcome('tls-refused'), offered: ['TLSv1.3' as const] }
    assert.deepEqual(
      warnings(() => checkTlsAccepted(only13)),
      ['WARN R07'],
    )
  })
  void it('a forbidden version must fail at TLS, not later', () => {
    checkTlsRefused(outcome('tls-refused'))
    failsWith('R07', () => checkTlsRefused(outcome('upgrade-refused')))
    failsWith('R07', () => checkTlsRefused(outcome('connected')))
  })
  void it('a check with no attempt is a misuse of the scenario, not a verdict', () => {
    assert.throws(() => checkTlsRefused(undefined), ScenarioMisuse)
    assert.throws(() => checkOriginRefused(undefined, 'R12'), ScenarioMisuse)
  })
})

void describe('CRLF keep-alive', () => {
  void it('a pong passes; none fails, naming what happened', () => {
    checkKeepAlivePong({ answered: true, description: 'a single CRLF (pong) arrived after 1 ms' })
    assert.throws(
      () => checkKeepAlivePong({ answered: false, description: 'no single CRLF (pong) within 10 ms' }),
      (error: unknown) => error instanceof ConformanceFailure && /within 10 ms/.test(error.message),
    )
  })
})
