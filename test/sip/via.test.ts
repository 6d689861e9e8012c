/** Via, RFC 3261 §20.42. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatVia, parseViaList, viasOf } from '../../support/sip/via.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'

void test('it MUST split comma-joined Vias on one line, keeping order', () => {
  const vias = parseViaList(
    'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKa;rport, SIP/2.0/TCP [2001:db8::2]:5060;branch=z9hG4bKb;received=2001:db8::9',
  )
  assert.equal(vias.length, 2)
  assert.deepEqual(
    vias.map((v) => [v.protocol, v.transport, v.host, v.port, v.branch]),
    [
      ['SIP/2.0', 'WSS', 'df7jal23ls0d.invalid', undefined, 'z9hG4bKa'],
      ['SIP/2.0', 'TCP', '[2001:db8::2]', 5060, 'z9hG4bKb'],
    ],
  )
  assert.equal(vias[0]?.raw, 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKa;rport')
})

void test('it MUST accept LWS around "/" ":" ";" and "=" (RFC 4475 wsinv)', () => {
  const [a, b] = parseViaList(
    'SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  ,  SIP  /    2.0   / UDP  192.168.255.111 : 5062  ; branch= z9hG4bK30239',
  )
  assert.equal(a?.host, 'spindle.example.com')
  assert.equal(a?.branch, 'z9hG4bK9ikj8')
  assert.equal(b?.transport, 'UDP')
  assert.equal(b?.port, 5062)
  assert.equal(b?.branch, 'z9hG4bK30239')
})

void test('it MUST return all Vias of a message, across lines and commas, top first', () => {
  const m = parseMessage(
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n' +
      'v: SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\n' +
      'Call-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  )
  assert.deepEqual(
    viasOf(m).map((v) => v.host),
    ['a.example.com', 'b.example.com', 'c.example.com'],
  )
})

void test('it MUST reject malformed Vias', () => {
  for (const bad of [
    'SIP/2.0/UDP 192.0.2.15;;,;,,',
    'SIP/2.0/UDP',
    'SIP/2.0 host.example.com',
    'SIP/2.0/UDP host.example.com:70000',
    'SIP/2.0/UDP host.example.com;branch',
    'SIP/2.0/UDP host.example.com;received=not-an-ip',
    'SIP/2.0/UDP host.example.com;rport=x',
    'SIP/2.0/UDP host.example.com, ',
    'SIP/2.0/UDP host.example.com junk',
  ]) {
    assert.throws(() => parseViaList(bad), SipParseError, bad)
  }
})

void test('it MUST format a Via and let `branch` override the parameter', () => {
  const [v] = parseViaList('SIP/2.0/wss h.invalid:443;rport;branch=z9hG4bKold')
  assert.ok(v)
  assert.equal(formatVia(v), 'SIP/2.0/WSS h.invalid:443;rport;branch=z9hG4bKold')
  v.branch = 'z9hG4bKnew'
  assert.equal(formatVia(v), 'SIP/2.0/WSS h.invalid:443;branch=z9hG4bKnew;rport')
})
