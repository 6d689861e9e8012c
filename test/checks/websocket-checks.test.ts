/**
 * The WebSocket checks on evidence without a network: on a WebSocket without the sip subprotocol only what reaches
 * Mw is a FAIL, an error answer passes and a 2xx is a WARN.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkNoSipProcessed } from '../../support/checks/websocket-checks.ts'
import type { SipMessage, SipRequest } from '../../support/sip/message.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { failsWith, warnings } from '../helpers/verdicts.ts'

function sip(text: string): SipMessage {
  return parseMessage(text.replace(/\n/g, '\r\n'))
}

const HEAD =
  'Via: SIP/2.0/WSS a1.invalid;branch=z9hG4bKw\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: r\nCSeq: 1 REGISTER\nContent-Length: 0\n\n'

void test('R04: nothing at Mw is the MUST; an error answer on the WebSocket passes, a 2xx is a WARN', () => {
  const refused = sip(`SIP/2.0 400 Bad Request\n${HEAD}`)
  const served = sip(`SIP/2.0 200 OK\n${HEAD}`)
  assert.deepEqual(
    warnings(() => checkNoSipProcessed({ answered: [refused], atMw: [], waitedMs: 1 })),
    [],
  )
  assert.deepEqual(
    warnings(() => checkNoSipProcessed({ answered: [served], atMw: [], waitedMs: 1 })),
    ['WARN SHOULD R04'],
  )
  const atMw = sip(
    'REGISTER sip:b SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKe\nMax-Forwards: 69\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: r\nCSeq: 1 REGISTER\nContent-Length: 0\n\n',
  ) as SipRequest
  failsWith('R04', () => checkNoSipProcessed({ answered: [refused], atMw: [atMw], waitedMs: 1 }))
})
