/** name-addr / addr-spec, RFC 3261 §20.10 and §25.1. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatNameAddr, parseNameAddr, parseNameAddrList } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'

void test('it MUST parse a quoted display name, the URI in brackets and header params', () => {
  const n = parseNameAddr('"Alice \\"A\\"" <sip:alice@example.com;transport=ws>;tag=1928301774')
  assert.equal(n.displayName, 'Alice "A"')
  assert.equal(n.uri.host, 'example.com')
  assert.equal(n.uri.params[0]?.name, 'transport')
  assert.equal(getParam(n.params, 'tag'), '1928301774')
})

void test('it MUST treat ";" params of an unbracketed addr-spec as header params (RFC 3261 §20.10)', () => {
  const n = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=x')
  assert.equal(n.displayName, undefined)
  assert.deepEqual(n.uri.params, [])
  assert.equal(getParam(n.params, 'tag'), 'x')
})

void test('it MUST accept token display names and LWS before "<" (RFC 4475 lwsdisp)', () => {
  assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller')
  assert.equal(parseNameAddr('A.  Bell <sip:a.g.bell@example.com>').displayName, 'A. Bell')
  assert.equal(parseNameAddr('  <sip:x@example.com>  ;  tag = 9 ').params[0]?.value, '9')
})

void test('it MUST split Contact lists on top-level commas only', () => {
  const list = parseNameAddrList(
    '"Doe, John" <sip:a@example.com;x=1>;+sip.instance="<urn:uuid:1,2>", sip:b@example.com;expires=60, <sip:c@example.com>',
  )
  assert.deepEqual(
    list.map((n) => n.uri.user),
    ['a', 'b', 'c'],
  )
  assert.equal(list[0]?.displayName, 'Doe, John')
  assert.equal(getParam(list[0]?.params ?? [], '+sip.instance'), '<urn:uuid:1,2>')
  assert.equal(getParam(list[1]?.params ?? [], 'expires'), '60')
})

void test('it MUST reject the RFC 4475 §3.1.2 name-addr faults', () => {
  assert.throws(() => parseNameAddr('"Mr. J. User <sip:j.user@example.com>'), /unterminated quoted-string/)
  assert.throws(() => parseNameAddr('"Watson, Thomas" < sip:t.watson@example.org >'), /whitespace inside/)
  assert.throws(() => parseNameAddr('Bell, Alexander <sip:a.g.bell@example.com>;tag=43'), /display name/)
  assert.throws(
    () => parseNameAddr('sip:user@example.com?Route=%3Csip:sip.example.com%3E'),
    /enclosed in "<>"/,
  )
  for (const bad of ['', '<sip:a@b', '<sip:a@b> x', '"x" sip:a@b', '<sip:a@b>;;']) {
    assert.throws(() => parseNameAddr(bad), SipParseError, bad)
  }
})

void test('it MUST format as name-addr with the display name quoted', () => {
  const n = parseNameAddr('Alice <sip:alice@example.com>;tag=1')
  assert.equal(formatNameAddr(n), '"Alice" <sip:alice@example.com>;tag=1')
  assert.equal(formatNameAddr(parseNameAddr('sip:bob@example.com;tag=2')), '<sip:bob@example.com>;tag=2')
})
