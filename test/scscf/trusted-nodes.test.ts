import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TrustedNodes } from '../../support/scscf/trusted-nodes.ts'
import { badRequestFromRaw } from '../../support/scscf/malformed-request.ts'

const TIMEOUT = { timeout: 5000 }

void describe('TrustedNodes (TS 33.203 Annex U.2)', () => {
  void it('matches host:port exactly, host:* and bare hosts on any port', TIMEOUT, () => {
    const nodes = new TrustedNodes(['127.0.0.1:5060', '10.0.0.2:*', '10.0.0.3', '[::1]:5060'])
    assert.equal(nodes.includes('127.0.0.1', 5060), true)
    assert.equal(nodes.includes('::ffff:127.0.0.1', 5060), true)
    assert.equal(nodes.includes('127.0.0.1', 5061), false)
    assert.equal(nodes.includes('10.0.0.2', 40000), true)
    assert.equal(nodes.includes('10.0.0.3', 1), true)
    assert.equal(nodes.includes('::1', 5060), true)
    assert.equal(nodes.includes('10.0.0.4', 5060), false)
  })

  void it('refuses a bad port', TIMEOUT, () => {
    assert.throws(() => new TrustedNodes(['127.0.0.1:70000']), /bad trusted node/)
  })
})

void describe('badRequestFromRaw (RFC 3261 §8.2)', () => {
  const raw = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`

  void it('answers with the echoed fields and a Warning', TIMEOUT, () => {
    const reply = badRequestFromRaw(
      raw([
        'INVITE sip:b@x SIP/2.0',
        'v: SIP/2.0/UDP h;branch=z9hG4bK1',
        ' ;rport',
        'Subject: x',
        'CSeq: 1 INVITE',
      ]),
      'unparseable',
    )
    assert.equal(
      reply,
      raw([
        'SIP/2.0 400 Bad Request',
        'v: SIP/2.0/UDP h;branch=z9hG4bK1 ;rport',
        'CSeq: 1 INVITE',
        'Warning: 399 scscf.harness.test "unparseable"',
        'Content-Length: 0',
      ]),
    )
  })

  void it('does not answer an ACK, a response, garbage, or a request without Via', TIMEOUT, () => {
    assert.equal(
      badRequestFromRaw(raw(['ACK sip:b@x SIP/2.0', 'Via: SIP/2.0/UDP h']), 'unparseable'),
      undefined,
    )
    assert.equal(badRequestFromRaw(raw(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h']), 'unparseable'), undefined)
    assert.equal(badRequestFromRaw('\u0000\u0001garbage', 'unparseable'), undefined)
    assert.equal(
      badRequestFromRaw(raw(['OPTIONS sip:b@x SIP/2.0', 'To: <sip:b@x>']), 'unparseable'),
      undefined,
    )
  })
})
