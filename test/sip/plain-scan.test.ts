/**
 * The allocation-free recognisers the parser validates common header values with (support/sip/plain-scan.ts) must
 * never accept what the full parsers refuse: every value they accept, among the seeds and all their one-character
 * mutations, parses with the full parser. And they must recognise the common spellings, or they serve nothing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCSeq } from '../../support/sip/cseq.ts'
import { parseNameAddrDetailed, parseNameAddrListDetailed } from '../../support/sip/name-addr.ts'
import { isPlainCSeq, isPlainNameAddr, isPlainSipUri, isPlainVia } from '../../support/sip/plain-scan.ts'
import { parseUri } from '../../support/sip/uri.ts'
import { parseViaList } from '../../support/sip/via.ts'

const ALPHABET = [' ', '\t', ';', ',', '"', '<', '>', ':', '@', '=', '%', '\\', '[', ']', '?', 'é', '-', '.']
const MORE = ['0', '9', 'A', 'z', '/', '&', '*', '+', '!', "'", '(', '\r', '\x00', '%4', '%4A', 'F']

/** The value and every value one insertion, replacement or deletion away from it. */
function* mutations(seed: string): Generator<string> {
  yield seed
  for (let i = 0; i <= seed.length; i++) {
    if (i < seed.length) yield seed.slice(0, i) + seed.slice(i + 1)
    for (const c of [...ALPHABET, ...MORE]) {
      yield seed.slice(0, i) + c + seed.slice(i)
      if (i < seed.length) yield seed.slice(0, i) + c + seed.slice(i + 1)
    }
  }
}

function accepts(parse: () => unknown): boolean {
  try {
    parse()
    return true
  } catch {
    return false
  }
}

type Recogniser = (text: string, a: number, b: number) => boolean

/** Text around a value in a message: the recognisers must not read past the range they are given. */
const SURROUNDINGS = [
  ['', ''],
  ['Via: ', '\r\n'],
  ['<', '> ;,"@:'],
  ['sip:', ' SIP/2.0'],
]

/**
 * For every mutation the recogniser accepts, the full parser accepts too, and its answer does not depend on the
 * text around the value; returns how many were accepted.
 */
function sound(seeds: string[], plain: Recogniser, full: (v: string) => unknown): number {
  let accepted = 0
  for (const seed of seeds) {
    assert.ok(plain(seed, 0, seed.length), `the recogniser reads the common spelling ${JSON.stringify(seed)}`)
    for (const value of mutations(seed)) {
      const answer = plain(value, 0, value.length)
      for (const [before = '', after = ''] of SURROUNDINGS) {
        const text = before + value + after
        assert.equal(plain(text, before.length, before.length + value.length), answer, JSON.stringify(text))
      }
      if (!answer) continue
      accepted++
      assert.ok(
        accepts(() => full(value)),
        `recognised but refused by the full parser: ${JSON.stringify(value)}`,
      )
    }
  }
  return accepted
}

const URIS = [
  'sip:alice@ims.example.com',
  'sips:bob@203.0.113.7:5061;transport=tls',
  'sip:alice@df7jal23ls0d.invalid;transport=ws;ob',
  'sip:pcscf.ims.example.com:443;transport=ws;lr',
  'sip:%61lice@example.com;maddr=192.0.2.1',
]

const NAME_ADDRS = [
  '<sip:alice@ims.example.com>',
  '"Alice" <sip:alice@ims.example.com>;tag=a73kszlfl',
  'Alice Smith <sip:alice@example.com>;tag=1',
  '<sip:alice@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1;expires=600',
  '<sip:pcscf.ims.example.com:443;transport=ws;lr>',
]

const VIAS = [
  'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7mG3kqRz1;rport',
  'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport=5060',
  'SIP/2.0/TCP host.example.com;branch=z9hG4bK1;x="quoted value"',
]

void test('the plain URI recogniser MUST only accept what parseUri accepts, without URI headers', () => {
  const n = sound(URIS, isPlainSipUri, (v) => {
    if (parseUri(v).headers !== undefined) throw new Error('headers')
  })
  assert.ok(n > URIS.length)
})

void test('the plain name-addr recogniser MUST only accept bracketed name-addrs the full parser accepts', () => {
  const n = sound(NAME_ADDRS, isPlainNameAddr, (v) => {
    if (!parseNameAddrDetailed(v).bracketed) throw new Error('not bracketed')
    for (const p of parseNameAddrListDetailed(v)) if (!p.bracketed) throw new Error('not bracketed')
  })
  assert.ok(n > NAME_ADDRS.length)
})

void test('the plain Via recogniser MUST only accept what parseViaList accepts', () => {
  const n = sound(VIAS, isPlainVia, parseViaList)
  assert.ok(n > VIAS.length)
})

void test('the plain CSeq recogniser MUST only accept a CSeq whose method is the request method', () => {
  for (const method of ['INVITE', 'REGISTER', undefined]) {
    sound(
      ['1 INVITE', '2147483647 INVITE', '2 REGISTER'].filter(
        (s) => method === undefined || s.endsWith(method),
      ),
      (t, a, b) => isPlainCSeq(t, a, b, method),
      (v) => {
        if (method !== undefined && parseCSeq(v).method !== method) throw new Error('method')
        parseCSeq(v)
      },
    )
  }
  assert.equal(isPlainCSeq('2147483648 INVITE', 0, 17, undefined), false)
  assert.equal(isPlainCSeq('1 INVITE', 0, 8, 'OPTIONS'), false)
})

void test('a Via of the plain form MUST read as it does through the general reader', () => {
  for (const seed of VIAS) {
    for (const value of mutations(seed)) {
      if (!isPlainVia(value, 0, value.length)) continue
      // Two SPs before sent-by are valid LWS but not the plain form, so this one takes the general path.
      const general = value.replace(' ', '  ')
      assert.equal(isPlainVia(general, 0, general.length), false)
      const [plain] = parseViaList(value)
      const [read] = parseViaList(general)
      assert.deepEqual({ ...plain, raw: '' }, { ...read, raw: '' }, JSON.stringify(value))
      assert.equal(plain?.raw, value)
    }
  }
})
