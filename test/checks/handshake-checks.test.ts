import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkCorsHeaders,
  checkSameOriginAccepted,
  checkTwoOriginsRefused,
  checkVersionRefused,
  type HandshakeHead,
} from '../../support/checks/handshake-checks.ts'
import { failsWith, warnings } from '../helpers/verdicts.ts'

const ORIGIN = 'https://wwsf.harness.test:8443'
const head = (status: number, headers: [string, string][] = []): HandshakeHead => ({
  status,
  statusLine: `HTTP/1.1 ${status} X`,
  headers,
})

void describe('the hand-written handshakes of the Origin matrix', () => {
  void it('the authorized origin in capitals must get 101 with sip (R11)', () => {
    checkSameOriginAccepted(head(101, [['sec-websocket-protocol', 'sip']]), 'x')
    failsWith('R11', () => checkSameOriginAccepted(head(403), 'x'))
    failsWith('R11', () => checkSameOriginAccepted(head(101), 'x'))
  })

  void it('two Origin header fields: any 4xx passes, a 101 fails (R12)', () => {
    checkTwoOriginsRefused(head(400), [])
    checkTwoOriginsRefused(head(403), [])
    failsWith('R12', () => checkTwoOriginsRefused(head(101), []))
  })

  void it('an unknown version: a 4xx naming 13, in one field or several (R05)', () => {
    checkVersionRefused(head(426, [['sec-websocket-version', '13']]), '25')
    checkVersionRefused(head(400, [['sec-websocket-version', '7, 13']]), '25')
    failsWith('R05', () => checkVersionRefused(head(426), '25'))
    failsWith('R05', () => checkVersionRefused(head(101), '25'))
  })

  void it('Access-Control-Allow-Origin: the asking authorized origin passes; * or a refused origin is a WARN (R14)', () => {
    const ok = [
      { origin: ORIGIN, authorized: true, head: head(101, [['access-control-allow-origin', ORIGIN]]) },
    ]
    assert.deepEqual(
      warnings(() => checkCorsHeaders(ok)),
      [],
    )
    const star = [
      { origin: ORIGIN, authorized: true, head: head(101, [['access-control-allow-origin', '*']]) },
    ]
    assert.deepEqual(
      warnings(() => checkCorsHeaders(star)),
      ['WARN SHOULD R14'],
    )
    const evil = 'https://evil.harness.test:8443'
    const echoed = [
      { origin: evil, authorized: false, head: head(403, [['access-control-allow-origin', evil]]) },
    ]
    assert.deepEqual(
      warnings(() => checkCorsHeaders(echoed)),
      ['WARN SHOULD R14'],
    )
  })
})
