/** createResponse (RFC 3261 §8.2.6), reason phrases, CSeq and identifiers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createResponse, reasonPhrase } from '../../support/sip/builders.ts'
import { parseCSeq } from '../../support/sip/cseq.ts'
import { newBranch, newCallId, newCnonce, newTag } from '../../support/sip/ids.ts'
import { parseNameAddr } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { isToken } from '../../support/sip/lex.ts'

const invite = parseMessage(
  'INVITE sip:bob@example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1\r\n' +
    'v: SIP/2.0/TCP p.example.com;branch=z9hG4bK2, SIP/2.0/UDP q.example.com;branch=z9hG4bK3\r\n' +
    'Record-Route: <sip:p.example.com;lr>\r\n' +
    'Max-Forwards: 69\r\nf: "A" <sip:alice@example.com>;tag=abc\r\nt: <sip:bob@example.com>\r\n' +
    'i: call-1@example.com\r\nCSeq: 7 INVITE\r\nTimestamp: 54\r\nContent-Length: 0\r\n\r\n',
) as SipRequest

void test('it MUST copy Via (in order), From, Call-ID, CSeq and set Content-Length: 0', () => {
  const r = createResponse(invite, 486)
  assert.equal(r.status, 486)
  assert.equal(r.reason, 'Busy Here')
  assert.deepEqual(r.getAll('Via'), [
    'SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
    'SIP/2.0/TCP p.example.com;branch=z9hG4bK2, SIP/2.0/UDP q.example.com;branch=z9hG4bK3',
  ])
  assert.equal(r.get('From'), '"A" <sip:alice@example.com>;tag=abc')
  assert.equal(r.get('Call-ID'), 'call-1@example.com')
  assert.equal(r.get('CSeq'), '7 INVITE')
  assert.equal(r.get('Content-Length'), '0')
  assert.equal(r.has('Record-Route'), false)
  // a built response must itself parse
  assert.equal(parseMessage(r.toString()).toString(), r.toString())
})

void test('it MUST add a To tag to responses above 100 and not to 100 Trying', () => {
  const ok = createResponse(invite, 200)
  const tag = getParam(parseNameAddr(ok.get('To') ?? '').params, 'tag')
  assert.ok(tag !== undefined && tag.length >= 8)
  const trying = createResponse(invite, 100)
  assert.equal(trying.get('To'), '<sip:bob@example.com>')
  assert.equal(trying.get('Timestamp'), '54')
})

void test('it MUST keep an existing To tag and copy Record-Route into dialog-creating responses', () => {
  const inDialog = invite.clone()
  inDialog.set('To', '<sip:bob@example.com>;tag=xyz')
  assert.equal(createResponse(inDialog, 200).get('To'), '<sip:bob@example.com>;tag=xyz')
  assert.equal(createResponse(invite, 180).get('Record-Route'), '<sip:p.example.com;lr>')
})

void test('it MUST give reason phrases from RFC 3261 §21 and a class phrase for unknown codes', () => {
  assert.equal(reasonPhrase(200), 'OK')
  assert.equal(reasonPhrase(401), 'Unauthorized')
  assert.equal(reasonPhrase(430), 'Flow Failed')
  assert.equal(reasonPhrase(499), 'Client Error')
})

void test('it MUST parse CSeq and reject numbers of 2**31 and above', () => {
  assert.deepEqual(parseCSeq('0009\t INVITE'), { seq: 9, method: 'INVITE' })
  assert.deepEqual(parseCSeq('2147483647 REGISTER'), { seq: 2147483647, method: 'REGISTER' })
  assert.throws(() => parseCSeq('2147483648 REGISTER'), /2\*\*31/)
  assert.throws(() => parseCSeq('1'), /CSeq/)
  assert.throws(() => parseCSeq('x INVITE'), /CSeq/)
})

void test('it MUST generate branch ids with the z9hG4bK magic cookie and unique token ids', () => {
  const branches = new Set(Array.from({ length: 100 }, newBranch))
  assert.equal(branches.size, 100)
  for (const b of branches) assert.ok(b.startsWith('z9hG4bK') && isToken(b) && b.length > 7 + 8)
  for (const id of [newTag(), newCnonce(), newCallId()]) assert.ok(isToken(id) && id.length >= 16, id)
  assert.match(newCallId('host.example.com'), /^[A-Za-z0-9_-]+@host\.example\.com$/)
  assert.notEqual(newTag(), newTag())
})

void test('ids drawn from the random pool stay unique across its refills (RFC 3261 §19.3: globally unique tags)', () => {
  // 3,000 tags of 8 bytes take the 4 KiB pool through several refills.
  const tags = Array.from({ length: 3000 }, newTag)
  assert.equal(new Set(tags).size, tags.length)
  for (const tag of tags) assert.match(tag, /^[0-9a-f]{16}$/)
})
