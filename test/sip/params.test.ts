/** Header parameters, RFC 3261 §25.1 generic-param. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatParams, getParam, hasParam, parseParams } from '../../support/sip/params.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'

void test('it MUST parse flags, token values and quoted values (unquoted, quoted-pairs resolved)', () => {
  const p = parseParams('branch=z9hG4bK1;rport;+sip.instance="<urn:uuid:a;b>";x="a\\"b"')
  assert.deepEqual(p, [
    { name: 'branch', value: 'z9hG4bK1', quoted: false },
    { name: 'rport', value: undefined, quoted: false },
    { name: '+sip.instance', value: '<urn:uuid:a;b>', quoted: true },
    { name: 'x', value: 'a"b', quoted: true },
  ])
})

void test('it MUST accept LWS around ";" and "=" (RFC 3261 §25.1 SEMI / EQUAL)', () => {
  assert.deepEqual(parseParams('  tag  =  abc ; q = 0.33 ;lr'), [
    { name: 'tag', value: 'abc', quoted: false },
    { name: 'q', value: '0.33', quoted: false },
    { name: 'lr', value: undefined, quoted: false },
  ])
})

void test('it MUST match parameter names case-insensitively', () => {
  const p = parseParams('Branch=z9hG4bKx;RPort')
  assert.equal(getParam(p, 'branch'), 'z9hG4bKx')
  assert.equal(hasParam(p, 'rport'), true)
  assert.equal(getParam(p, 'rport'), undefined)
  assert.equal(hasParam(p, 'received'), false)
})

void test('it MUST accept IPv6 values as host (bracketed) or as via-received address', () => {
  assert.equal(getParam(parseParams('maddr=[2001:db8::1]'), 'maddr'), '[2001:db8::1]')
  assert.equal(getParam(parseParams('received=2001:db8::9'), 'received'), '2001:db8::9')
})

void test('it MUST reject empty parameters, "=" without a value and non-token values', () => {
  for (const bad of [';', 'a;;b', 'a=', '=b', 'a=b c', 'a="unterminated', 'a="x"y', 'a@b=1']) {
    assert.throws(() => parseParams(bad), SipParseError, bad)
  }
})

void test('it MUST format parameters with quoting re-applied', () => {
  assert.equal(
    formatParams(parseParams('branch=z9hG4bK1;rport;x="a\\"b"')),
    ';branch=z9hG4bK1;rport;x="a\\"b"',
  )
  assert.equal(formatParams([]), '')
})
