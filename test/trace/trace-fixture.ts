import type { TraceEndpoint, TraceEvent } from '../../support/trace/trace-event.ts'

export const T0 = 1_700_000_000_123.456

const wic: TraceEndpoint = { transport: 'WSS', address: '127.0.0.1', port: 50766 }
const wss: TraceEndpoint = { transport: 'WSS', address: '127.0.0.1', port: 7443 }
const mw: TraceEndpoint = { transport: 'UDP', address: '127.0.0.1', port: 5060 }
const scscf: TraceEndpoint = { transport: 'UDP', address: '127.0.0.1', port: 5070 }
const https = (e: TraceEndpoint): TraceEndpoint => ({ ...e, transport: 'HTTPS' })

export const REGISTER_W2 =
  'REGISTER sip:ims.harness.test SIP/2.0\r\nVia: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\nCall-ID: a1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n'
export const REGISTER_MW =
  'REGISTER sip:ims.harness.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nVia: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\nCall-ID: a1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n'
export const OK_MW =
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nVia: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\nCall-ID: a1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n'
export const OK_W2 =
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\nCall-ID: a1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n'
export const UPGRADE =
  'GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: sip\r\nOrigin: https://wwsf.harness.test:8443\r\n\r\n'

function ev(
  ms: number,
  observer: string,
  direction: TraceEvent['direction'],
  leg: TraceEvent['leg'],
  from: TraceEndpoint | undefined,
  to: TraceEndpoint | undefined,
  raw: string,
  summary: string,
): TraceEvent {
  return { at: T0 + ms, observer, direction, leg, from, to, raw, summary }
}

/** One REGISTER → 200 with the reference eP-CSCF: every message recorded twice (sent and received). */
export function referenceTrace(): TraceEvent[] {
  return [
    ev(0, 'harness', 'note', 'harness', undefined, undefined, '', 'scenario: register <alice> & "bob"'),
    ev(1, 'WIC alice', 'sent', 'W2', https(wic), https(wss), UPGRADE, 'WS upgrade request GET /'),
    ev(2, 'reference eP-CSCF', 'received', 'W2', https(wic), https(wss), UPGRADE, 'WS upgrade GET /'),
    ev(3, 'WIC alice', 'sent', 'W2', wic, wss, REGISTER_W2, 'REGISTER sip:ims.harness.test'),
    ev(4, 'reference eP-CSCF', 'received', 'W2', wic, wss, REGISTER_W2, 'REGISTER sip:ims.harness.test'),
    ev(5, 'reference eP-CSCF', 'sent', 'Mw', mw, scscf, REGISTER_MW, 'REGISTER sip:ims.harness.test'),
    ev(6, 'mock S-CSCF', 'received', 'Mw', mw, scscf, REGISTER_MW, 'REGISTER sip:ims.harness.test'),
    ev(7, 'mock S-CSCF', 'note', 'harness', undefined, undefined, '', 'REGISTER sip:alice: registered'),
    ev(8, 'mock S-CSCF', 'sent', 'Mw', scscf, mw, OK_MW, '200 OK (REGISTER)'),
    ev(9, 'reference eP-CSCF', 'received', 'Mw', scscf, mw, OK_MW, '200 OK (REGISTER)'),
    ev(10, 'reference eP-CSCF', 'sent', 'W2', wss, wic, OK_W2, '200 OK (REGISTER)'),
    ev(11.5, 'WIC alice', 'received', 'W2', wss, wic, OK_W2, '200 OK (REGISTER)'),
  ]
}

/** The same exchange with an external eP-CSCF: nothing records the eP-CSCF's side. */
export function externalTrace(): TraceEvent[] {
  return referenceTrace().filter((e) => e.observer !== 'reference eP-CSCF')
}
