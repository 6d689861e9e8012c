/** SIP URIs, RFC 3261 §19.1 and §25.1. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatUri, parseUri } from '../../support/sip/uri.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'

void test('it MUST split a sip URI into user, password, host, port, params and headers', () => {
  const u = parseUri('sip:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent')
  assert.equal(u.scheme, 'sip')
  assert.equal(u.user, 'alice')
  assert.equal(u.password, 'secret')
  assert.equal(u.host, '[2001:db8::1]')
  assert.equal(u.port, 5061)
  assert.deepEqual(u.params, [
    { name: 'transport', value: 'tcp', quoted: false },
    { name: 'lr', value: undefined, quoted: false },
  ])
  assert.equal(u.headers, 'subject=hi&priority=urgent')
})

void test('it MUST keep escapes exactly as written (never unescape)', () => {
  const u = parseUri('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31')
  assert.equal(u.user, 'cal%6Cer')
  assert.deepEqual(u.params, [
    { name: '%6C%72', value: undefined, quoted: false },
    { name: 'n%61me', value: 'v%61lue%25%34%31', quoted: false },
  ])
  assert.equal(formatUri(u), u.raw)
  assert.equal(parseUri('sip:sips%3Auser%40example.com@example.net').user, 'sips%3Auser%40example.com')
})

void test('it MUST accept the user-unreserved characters ";", "?", "/" and "," in the user part', () => {
  const u = parseUri('sip:+1-972-555-2222;phone-context=example.net@gw.example.net;user=phone')
  assert.equal(u.user, '+1-972-555-2222;phone-context=example.net')
  assert.equal(u.host, 'gw.example.net')
  assert.equal(parseUri('sip:user;par=u%40example.net@example.com').user, 'user;par=u%40example.net')
})

void test('it MUST keep other schemes opaque with an empty host', () => {
  const t = parseUri('tel:+1-201-555-0123;phone-context=example.com')
  assert.equal(t.scheme, 'tel')
  assert.equal(t.host, '')
  assert.equal(t.opaque, '+1-201-555-0123;phone-context=example.com')
  assert.equal(formatUri(t), 'tel:+1-201-555-0123;phone-context=example.com')
  assert.equal(
    parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6').opaque,
    'uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  )
})

void test('it MUST lower-case the scheme and rebuild the URI from changed parts', () => {
  const u = parseUri('SIPS:bob@example.com')
  assert.equal(u.scheme, 'sips')
  u.port = 5061
  assert.equal(formatUri(u), 'sips:bob@example.com:5061')
})

void test('it MUST reject malformed URIs', () => {
  for (const bad of [
    'sip:',
    'sip:user@',
    'sip:user@host:99999',
    'sip:user@host;;lr',
    'sip:us er@host',
    'sip:user@host name',
    'sip:user@-bad-.com',
    'sip:user@256.1.1.1',
    'sip:user@[2001:db8::1',
    'sip:user@host?bad',
    '<sip:user@host>',
    'no-scheme',
    'mailto:a b',
    'sip:a%zz@host',
  ]) {
    assert.throws(() => parseUri(bad), SipParseError, bad)
  }
})
