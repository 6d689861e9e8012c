/** The message parser, RFC 3261 §7 and §25: lossless representation and strict rejection. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMessage, parseMessageBytes } from '../../support/sip/parse.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'
import { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { parseNameAddr } from '../../support/sip/name-addr.ts'
import { WIC_REGISTER as REGISTER } from '../helpers/sip-text.ts'

const crlf = (lines: string[]): string => lines.join('\r\n')

/** Builds a request with the mandatory header fields, replacing or adding the given ones. */
function request(extra: string[] = [], body = '', startLine = 'OPTIONS sip:bob@example.com SIP/2.0'): string {
  return crlf([
    startLine,
    'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1',
    'Max-Forwards: 70',
    'To: <sip:bob@example.com>',
    'From: <sip:alice@example.com>;tag=1',
    'Call-ID: abc@example.com',
    'CSeq: 1 OPTIONS',
    ...extra,
    '',
    body,
  ])
}

function rejects(text: string, reason: RegExp): void {
  assert.throws(
    () => parseMessage(text),
    (e: unknown) => e instanceof SipParseError && reason.test(e.reason) && Number.isInteger(e.offset),
    reason.source,
  )
}

void test('it MUST parse a request start line, header fields in wire order and the body', () => {
  const m = parseMessage(REGISTER)
  assert.ok(m instanceof SipRequest)
  assert.equal(m.method, 'REGISTER')
  assert.equal(m.uri, 'sip:ims.example.com')
  assert.equal(m.version, 'SIP/2.0')
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Content-Length'],
  )
  assert.equal(m.body, '')
  assert.equal(m.raw, REGISTER)
})

void test('it MUST parse a status line with its reason phrase (empty allowed, UTF-8 allowed)', () => {
  const base = crlf([
    'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1',
    'To: <sip:b@example.com>;tag=2',
    'From: <sip:a@example.com>;tag=1',
    'Call-ID: x',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ])
  const m = parseMessage(`SIP/2.0 180 Ringing\r\n${base}`)
  assert.ok(m instanceof SipResponse)
  assert.equal(m.status, 180)
  assert.equal(m.reason, 'Ringing')
  assert.equal((parseMessage(`SIP/2.0 100 \r\n${base}`) as SipResponse).reason, '')
  assert.equal((parseMessage(`SIP/2.0 200 Très bien\r\n${base}`) as SipResponse).reason, 'Très bien')
  rejects(`SIP/2.0 1000 Big\r\n${base}`, /Status-Code/)
  rejects(`SIP/2.0 20 OK\r\n${base}`, /Status-Code/)
  rejects(`SIP/2.0 200\r\n${base}`, /Reason-Phrase/)
  rejects(`SIP/3.0 200 OK\r\n${base}`, /SIP-Version/)
})

void test('it MUST map compact header names to the long ones (RFC 3261 §7.3.3)', () => {
  const m = parseMessage(
    crlf([
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP h.example.com;branch=z9hG4bK1',
      'f: <sip:a@example.com>;tag=1',
      't: <sip:bob@example.com>',
      'i: abc',
      'CSeq: 1 INVITE',
      'm: <sip:a@h.example.com>',
      'c: text/plain',
      'l: 5',
      '',
      'hello',
    ]),
  )
  assert.equal(m.get('Via'), 'SIP/2.0/UDP h.example.com;branch=z9hG4bK1')
  assert.equal(m.get('call-id'), 'abc')
  assert.equal(m.get('Content-Type'), 'text/plain')
  assert.equal(m.get('CONTACT'), '<sip:a@h.example.com>')
  assert.equal(m.headers[0]?.name, 'v')
  assert.equal(m.body, 'hello')
})

void test('it MUST unfold folded header values to single SPs and keep the raw field with its folding', () => {
  const text = request([
    'Subject: first line',
    '  second line',
    '\tthird',
    'Accept: application/sdp,',
    '  text/plain',
  ])
  const m = parseMessage(text)
  const subject = m.headers.find((h) => h.name === 'Subject')
  assert.equal(subject?.value, 'first line second line third')
  assert.equal(subject?.raw, 'Subject: first line\r\n  second line\r\n\tthird')
  assert.equal(m.get('Accept'), 'application/sdp, text/plain')
})

void test('it MUST accept whitespace before and after the colon and keep the name as written', () => {
  const m = parseMessage(request(['Subject   :    hi  ', 'X-Empty:']))
  assert.equal(m.headers.find((h) => h.name === 'Subject')?.value, 'hi')
  assert.equal(m.get('X-Empty'), '')
  assert.equal(m.headers.find((h) => h.name === 'Subject')?.raw, 'Subject   :    hi  ')
})

void test('it MUST serialise an untouched parsed message back to the same bytes', () => {
  const folded = request(['Subject: a', ' b', 'v : SIP/2.0/UDP  h.example.com ; branch = z9hG4bK1'], 'body')
  for (const text of [REGISTER, folded]) {
    assert.equal(parseMessage(text).toString(), text)
  }
})

void test('it MUST keep escapes in the Request-URI and in header URIs as written', () => {
  const text = request(
    ['Contact: <sip:cal%6Cer@h.example.com;n%61me=v%61lue>'],
    '',
    'OPTIONS sip:%75ser@example.com SIP/2.0',
  )
  const m = parseMessage(text)
  assert.equal(m.isRequest() && m.uri, 'sip:%75ser@example.com')
  assert.equal(parseNameAddr(m.get('Contact') ?? '').uri.user, 'cal%6Cer')
  assert.equal(m.toString(), text)
})

void test('it MUST reject a header line without a colon', () => {
  rejects(request(['This line has no colon']), /without a colon/)
})

void test('it MUST reject header names that are not tokens', () => {
  rejects(request(['Bad Name: x']), /not a token/)
  rejects(request(['Bad@Name: x']), /not a token/)
  rejects(request([': x']), /not a token/)
})

void test('it MUST reject LF-only line ends and a missing empty line', () => {
  rejects(request().replace(/\r\n/g, '\n'), /CRLF/)
  rejects(request().replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\n'), /CRLF/)
  rejects('OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n', /empty line/)
})

void test('it MUST reject a folded start line', () => {
  rejects(request().replace('Via:', ' Via:'), /continuation/)
})

void test('it MUST reject a malformed Request-Line', () => {
  rejects(request([], '', 'OPTIONS  sip:bob@example.com SIP/2.0'), /more than one SP/)
  rejects(request([], '', 'OPTIONS sip:bob@example.com SIP/2.0 '), /after the SIP-Version/)
  rejects(request([], '', 'OPTIONS sip:bob@example.com; lr SIP/2.0'), /inside the Request-URI/)
  rejects(request([], '', 'OPTIONS <sip:bob@example.com> SIP/2.0'), /"<>"/)
  rejects(request([], '', 'OPTIONS sip:bob@example.com?Subject=x SIP/2.0'), /URI headers/)
  rejects(request([], '', 'OPTIONS sip:bob@exa"mple.com SIP/2.0'), /Request-URI/)
  rejects(request([], '', 'OPTIONS sip:bob@example.com SIP/2.1'), /SIP-Version/)
  rejects(request([], '', 'OPT@IONS sip:bob@example.com SIP/2.0'), /method/)
})

void test('it MUST accept tel and other absoluteURI Request-URIs', () => {
  assert.equal(parseMessage(request([], '', 'OPTIONS tel:+1-201-555-0123 SIP/2.0')).isRequest(), true)
  assert.equal(parseMessage(request([], '', 'OPTIONS urn:service:sos SIP/2.0')).isRequest(), true)
})

void test('it MUST reject a Content-Length that is negative, not a number, or larger than the body', () => {
  rejects(request(['Content-Length: -1']), /Content-Length/)
  rejects(request(['Content-Length: 1.5']), /Content-Length/)
  rejects(request(['Content-Length: 10'], 'short'), /larger than the 5 octets/)
  rejects(request(['Content-Length: 3', 'Content-Length: 4'], 'abcd'), /conflicting Content-Length/)
})

void test('it MUST keep exactly Content-Length octets of body and ignore the rest (RFC 3261 §18.3)', () => {
  const m = parseMessage(request(['Content-Length: 3'], 'abcdef'))
  assert.equal(m.body, 'abc')
  assert.equal(parseMessage(request(['Content-Length: 2', 'l: 2'], 'éx')).body, 'é')
  assert.equal(parseMessage(request([], 'no length')).body, 'no length')
})

void test('it MUST count Content-Length in octets, not characters', () => {
  rejects(request(['Content-Length: 4'], 'é'), /larger than the 2 octets/)
  const bytes = Buffer.from(request(['Content-Length: 4'], ''), 'utf8')
  const m = parseMessageBytes(Buffer.concat([bytes, Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x42])]))
  assert.equal(Buffer.byteLength(m.body, 'utf8') >= 4, true)
  assert.ok(m.body.endsWith('\ufffd\ufffdA'))
  assert.throws(() => parseMessageBytes(Buffer.concat([bytes, Buffer.from([0x41])])), SipParseError)
})

void test('it MUST ignore CRLFs before the start line (RFC 3261 §7.5)', () => {
  const m = parseMessage(`\r\n\r\n${REGISTER}`)
  assert.equal(m.isRequest() && m.method, 'REGISTER')
  assert.equal(parseMessageBytes(Buffer.from(`\r\n\r\n${REGISTER}`)).toString(), REGISTER)
})

void test('it MUST reject conflicting single-valued header fields and accept identical repeats', () => {
  rejects(request(['To: <sip:other@example.com>']), /conflicting To/)
  rejects(request(['From: <sip:x@example.com>;tag=2']), /conflicting From/)
  rejects(request(['i: other@example.com']), /conflicting i/)
  rejects(request(['CSeq: 2 OPTIONS']), /conflicting CSeq/)
  rejects(request(['Max-Forwards: 69']), /conflicting Max-Forwards/)
  assert.equal(parseMessage(request(['Call-ID: abc@example.com'])).getAll('Call-ID').length, 2)
})

void test('it MUST reject a request whose CSeq method differs from the request method', () => {
  rejects(request([], '', 'INVITE sip:bob@example.com SIP/2.0'), /does not match the request method/)
})

void test('it MUST reject messages missing Via, From, To, Call-ID or CSeq', () => {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    const text = request().replace(new RegExp(`^${name}: .*\\r\\n`, 'm'), '')
    rejects(text, new RegExp(`missing mandatory header field\\(s\\): ${name}`))
  }
  // Max-Forwards may be absent: RFC 4475 §3.4 (an RFC 2543 request) must be accepted.
  assert.equal(parseMessage(request().replace('Max-Forwards: 70\r\n', '')).has('Max-Forwards'), false)
})

void test('it MUST validate Max-Forwards as 1*DIGIT in 0-255', () => {
  assert.equal(
    parseMessage(request().replace('Max-Forwards: 70', 'Max-Forwards: 0068')).get('Max-Forwards'),
    '0068',
  )
  rejects(request().replace('Max-Forwards: 70', 'Max-Forwards: 256'), /Max-Forwards/)
  rejects(request().replace('Max-Forwards: 70', 'Max-Forwards: 99999999999999999999'), /Max-Forwards/)
  rejects(request().replace('Max-Forwards: 70', 'Max-Forwards: -1'), /Max-Forwards/)
})

void test('it MUST validate Via, From, To, Contact, Route, Record-Route, Call-ID and Date on parse', () => {
  rejects(request(['Via: SIP/2.0/UDP h.example.com;;']), /invalid Via header field/)
  rejects(
    request().replace('From: <sip:alice@example.com>;tag=1', 'From: <sip:alice@example.com'),
    /invalid From/,
  )
  rejects(request(['Contact: <sip:a@h.example.com>;;']), /invalid Contact/)
  rejects(request(['Route: sip:p.example.com;lr']), /invalid Route header field: URI must be enclosed/)
  rejects(request(['Record-Route: <sip:p.example.com;lr>, bad']), /invalid Record-Route/)
  rejects(request().replace('Call-ID: abc@example.com', 'Call-ID: a b'), /invalid Call-ID/)
  rejects(request(['Date: Sat, 13 Nov 2010 23:29:00 PST']), /invalid Date/)
  assert.ok(parseMessage(request(['Date: Sat, 13 Nov 2010 23:29:00 GMT', 'Contact: *'])).has('Date'))
})

void test('it MUST leave unknown header fields unvalidated', () => {
  const m = parseMessage(request(['UnknownHeaderWithUnusualValue: ;;,,;;,;', 'X-Weird: "unbalanced']))
  assert.equal(m.get('X-Weird'), '"unbalanced')
})
