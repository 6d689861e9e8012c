/**
 * RFC 4475 torture messages (test/fixtures/rfc4475, byte-exact). §3.1.1 messages are valid and MUST parse; §3.1.2
 * messages are invalid and the parser MUST detect the fault with a reason naming it. §3.2, §3.3 and §3.4 messages are
 * syntactically valid (the transaction or application layer judges them) and parse, except three §3.3 messages whose
 * defect is a message-level rule this parser enforces on purpose (see REJECTED_AT_MESSAGE_LEVEL).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { SipParseError } from '../../support/sip/parse-error.ts'
import { parseMessage, parseMessageBytes } from '../../support/sip/parse.ts'
import { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { viasOf } from '../../support/sip/via.ts'
import { parseNameAddr, parseNameAddrList } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseCSeq } from '../../support/sip/cseq.ts'
import { parseAuthValue } from '../../support/sip/auth.ts'

const DIR = new URL('../fixtures/rfc4475/', import.meta.url)
const load = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR))

/** §3.1.1 Valid messages. */
const VALID = [
  'wsinv',
  'intmeth',
  'esc01',
  'escnull',
  'esc02',
  'lwsdisp',
  'longreq',
  'dblreq',
  'semiuri',
  'transports',
  'mpart01',
  'unreason',
  'noreason',
]

/** §3.1.2 Invalid messages, with the defect the reason must name. */
const INVALID: Readonly<Record<string, RegExp>> = {
  badinv01: /Via.*empty parameter/, // §3.1.2.1 extraneous header field separators
  clerr: /Content-Length 9999 is larger/, // §3.1.2.2 Content-Length larger than the message
  ncl: /Content-Length.*non-negative integer/, // §3.1.2.3 negative Content-Length
  scalar02: /CSeq.*2\*\*31/, // §3.1.2.4 request scalar fields with overlarge values
  scalarlg: /CSeq.*2\*\*31/, // §3.1.2.5 response scalar fields with overlarge values
  quotbal: /To.*unterminated quoted-string/, // §3.1.2.6 unterminated quoted string in display name
  ltgtruri: /Request-URI must not be enclosed in "<>"/, // §3.1.2.7 <> enclosing Request-URI
  lwsruri: /whitespace inside the Request-URI/, // §3.1.2.8 embedded LWS in Request-URI
  lwsstart: /more than one SP/, // §3.1.2.9 multiple SP separating Request-Line elements
  trws: /whitespace after the SIP-Version/, // §3.1.2.10 SP characters at end of Request-Line
  escruri: /Request-URI must not contain URI headers/, // §3.1.2.11 escaped headers in SIP Request-URI
  baddate: /Date.*GMT/, // §3.1.2.12 invalid time zone in Date
  regbadct: /Contact.*must be enclosed in "<>"/, // §3.1.2.13 name-addr URI not enclosed in <>
  badaspec: /To.*whitespace inside "<\.\.\.>"/, // §3.1.2.14 spaces within addr-spec
  baddn: /From.*display name.*quoted-string/, // §3.1.2.15 non-token characters in display name
  badvers: /unsupported SIP-Version "SIP\/7\.0"/, // §3.1.2.16 unknown protocol version
  mismatch01: /CSeq method "INVITE" does not match the request method "OPTIONS"/, // §3.1.2.17
  mismatch02: /CSeq method "INVITE" does not match the request method "NEWMETHOD"/, // §3.1.2.18
  bigcode: /Status-Code "4294967301" is not 3 digits/, // §3.1.2.19 overlarge response code
}

/** §3.2 transaction-layer, §3.3 application-layer and §3.4 backward-compatibility messages that parse. */
const WELL_FORMED = [
  'badbranch', // §3.2.1
  'unkscm', // §3.3.2 (416 is the application's answer)
  'novelsc', // §3.3.3
  'unksm2', // §3.3.4
  'bext01', // §3.3.5
  'invut', // §3.3.6
  'regaut01', // §3.3.7
  'bcast', // §3.3.10
  'zeromf', // §3.3.11
  'cparam01', // §3.3.12
  'cparam02', // §3.3.13
  'regescrt', // §3.3.14
  'sdp01', // §3.3.15
  'inv2543', // §3.4.1
]

/**
 * §3.3 messages that RFC 4475 answers with 400 Bad Request (or discards) because of message-level faults this parser
 * checks itself: missing mandatory header fields (§3.3.1 insuf), several values in single-valued header fields
 * (§3.3.8 multi01) and several differing Content-Length values, which make the framing unknowable (§3.3.9 mcl01).
 */
const REJECTED_AT_MESSAGE_LEVEL: Readonly<Record<string, RegExp>> = {
  insuf: /missing mandatory header field\(s\): From, To, Call-ID/,
  multi01: /conflicting CSeq/,
  mcl01: /conflicting Content-Length/,
}

void test('it MUST hold exactly the 49 RFC 4475 messages, each classified once', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.dat'))
    .map((f) => f.slice(0, -4))
    .sort()
  const classified = [
    ...VALID,
    ...Object.keys(INVALID),
    ...WELL_FORMED,
    ...Object.keys(REJECTED_AT_MESSAGE_LEVEL),
  ]
  assert.equal(files.length, 49)
  assert.deepEqual([...classified].sort(), files)
})

for (const name of VALID) {
  void test(`it MUST parse the RFC 4475 §3.1.1 valid message ${name}`, () => {
    const bytes = load(name)
    const m = parseMessageBytes(bytes)
    assert.ok(viasOf(m).length > 0)
    if (name !== 'mpart01') {
      const text = bytes.toString('utf8')
      const s = parseMessage(text)
      assert.equal(s.body, m.body)
      // Lossless: the untouched message serialises to its own bytes (dblreq's second request lies past Content-Length).
      if (name !== 'dblreq') assert.equal(s.toString(), text)
    }
  })
}

for (const [name, reason] of Object.entries(INVALID)) {
  void test(`it MUST reject the RFC 4475 §3.1.2 invalid message ${name} naming the defect`, () => {
    const bytes = load(name)
    for (const parse of [() => parseMessageBytes(bytes), () => parseMessage(bytes.toString('utf8'))]) {
      assert.throws(parse, (e: unknown) => e instanceof SipParseError && reason.test(e.reason), reason.source)
    }
  })
}

for (const name of WELL_FORMED) {
  void test(`it MUST parse the RFC 4475 §3.2-§3.4 well-formed message ${name}`, () => {
    const text = load(name).toString('utf8')
    assert.equal(parseMessage(text).toString(), text)
  })
}

for (const [name, reason] of Object.entries(REJECTED_AT_MESSAGE_LEVEL)) {
  void test(`it MUST reject the RFC 4475 §3.3 message ${name}, which RFC 4475 answers with 400`, () => {
    assert.throws(
      () => parseMessageBytes(load(name)),
      (e: unknown) => e instanceof SipParseError && reason.test(e.reason),
    )
  })
}

void test('it MUST read wsinv with all its LWS, folding and odd case exactly as RFC 4475 §3.1.1.1 describes', () => {
  const m = parseMessage(load('wsinv').toString('utf8'))
  assert.equal(getParam(parseNameAddr(m.get('To') ?? '').params, 'tag'), '1918181833n')
  const from = parseNameAddr(m.get('From') ?? '')
  assert.equal(from.displayName, 'J Rosenberg \\"')
  assert.equal(getParam(from.params, 'tag'), '98asjd8')
  assert.equal(m.get('Max-Forwards'), '0068')
  assert.deepEqual(parseCSeq(m.get('CSeq') ?? ''), { seq: 9, method: 'INVITE' })
  assert.deepEqual(
    viasOf(m).map((v) => [v.transport, v.host, v.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  )
  assert.equal(m.get('Subject'), '')
  assert.equal(m.get('NewFangledHeader'), 'newfangled value continued newfangled value')
  const [contact] = parseNameAddrList(m.get('Contact') ?? '')
  assert.equal(contact?.displayName, 'Quoted string ""')
  assert.equal(getParam(contact?.params ?? [], 'newparam'), 'newvalue')
  assert.equal(getParam(contact?.params ?? [], 'q'), '0.33')
  assert.equal(m.body.length, 150)
})

void test('it MUST keep the unusual tokens, escapes and UTF-8 of intmeth, esc01, esc02 and unreason as written', () => {
  const intmeth = parseMessage(load('intmeth').toString('utf8')) as SipRequest
  assert.equal(intmeth.method, "!interesting-Method0123456789_*+`.%indeed'~")
  assert.equal(parseNameAddr(intmeth.get('To') ?? '').displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f')
  const esc01 = parseMessage(load('esc01').toString('utf8')) as SipRequest
  assert.equal(esc01.uri, 'sip:sips%3Auser%40example.com@example.net')
  assert.equal(parseNameAddr(esc01.get('To') ?? '').uri.user, '%75se%72')
  const esc02 = parseMessage(load('esc02').toString('utf8')) as SipRequest
  assert.equal(esc02.method, 'RE%47IST%45R')
  assert.equal(esc02.getAll('Contact').length, 2) // C%6Fntact is another header field name
  const unreason = parseMessage(load('unreason').toString('utf8')) as SipResponse
  assert.match(unreason.reason, /^= 2\*\*3 \* 5\*\*2 но сто девяносто девять - простое$/)
  assert.equal((parseMessage(load('noreason').toString('utf8')) as SipResponse).reason, '')
})

void test('it MUST take only the first request of dblreq (Content-Length: 0) and measure mpart01 in octets', () => {
  const dblreq = parseMessage(load('dblreq').toString('utf8')) as SipRequest
  assert.equal(dblreq.method, 'REGISTER')
  assert.equal(dblreq.body, '')
  const bytes = load('mpart01')
  const mpart = parseMessageBytes(bytes)
  assert.equal(mpart.get('Content-Length'), '553')
  assert.equal(bytes.length - bytes.indexOf('\r\n\r\n') - 4, 553)
  assert.ok(
    mpart.body.startsWith('--7a9cbec02ceef655\r\n') && mpart.body.endsWith('--7a9cbec02ceef655--\r\n'),
  )
})

void test('it MUST read longreq\'s 34 Vias written with every case of "Via" and "v"', () => {
  const m = parseMessage(load('longreq').toString('utf8'))
  const vias = viasOf(m)
  assert.equal(vias.length, 34)
  assert.equal(vias[0]?.host, 'sip33.example.com')
  assert.equal(vias[33]?.host, 'host.example.com')
})

void test('it MUST keep unknown schemes opaque and parse an unknown auth scheme (unkscm, unksm2, regaut01)', () => {
  assert.equal(
    (parseMessage(load('unkscm').toString('utf8')) as SipRequest).uri,
    'nobodyKnowsThisScheme:totallyopaquecontent',
  )
  const unksm2 = parseMessage(load('unksm2').toString('utf8'))
  assert.equal(parseNameAddr(unksm2.get('To') ?? '').uri.opaque, '2983792873')
  assert.equal(parseNameAddr(unksm2.get('From') ?? '').uri.scheme, 'http')
  const regaut01 = parseMessage(load('regaut01').toString('utf8'))
  assert.equal(parseAuthValue(regaut01.get('Authorization') ?? '').scheme, 'NoOneKnowsThisScheme')
  const regescrt = parseMessage(load('regescrt').toString('utf8'))
  assert.equal(parseNameAddr(regescrt.get('Contact') ?? '').uri.headers, 'Route=%3Csip:sip.example.com%3E')
})
