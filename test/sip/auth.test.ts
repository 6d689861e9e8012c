/** Authorization / WWW-Authenticate values, RFC 7235 §2.1. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatAuthValue, parseAuthValue } from '../../support/sip/auth.ts'
import { getParam } from '../../support/sip/params.ts'
import { SipParseError } from '../../support/sip/parse-error.ts'

void test('it MUST parse Digest credentials with quoted and token auth-params', () => {
  const a = parseAuthValue(
    'Digest username="alice", realm="example.com", nonce="a, b", uri="sip:example.com", qop=auth, nc=00000001,' +
      ' cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", algorithm=MD5',
  )
  assert.equal(a.scheme, 'Digest')
  assert.equal(a.token68, undefined)
  assert.equal(getParam(a.params, 'nonce'), 'a, b')
  assert.equal(getParam(a.params, 'qop'), 'auth')
  assert.equal(a.params.find((p) => p.name === 'qop')?.quoted, false)
  assert.equal(getParam(a.params, 'uri'), 'sip:example.com')
})

void test('it MUST read "Bearer <jwt>" as the token68 form', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlX18-_w=='
  const a = parseAuthValue(`Bearer ${jwt}`)
  assert.equal(a.scheme, 'Bearer')
  assert.equal(a.token68, jwt)
  assert.deepEqual(a.params, [])
  assert.equal(formatAuthValue(a), `Bearer ${jwt}`)
})

void test('it MUST read "Bearer access_token=..." as the auth-param form', () => {
  const a = parseAuthValue('Bearer access_token="eyJ.a.b", realm="ims.example.com"')
  assert.equal(a.token68, undefined)
  assert.equal(getParam(a.params, 'access_token'), 'eyJ.a.b')
  assert.equal(formatAuthValue(a), 'Bearer access_token="eyJ.a.b", realm="ims.example.com"')
})

void test('it MUST accept an unknown scheme with params (RFC 4475 regaut01) and a bare scheme', () => {
  const a = parseAuthValue('NoOneKnowsThisScheme opaque-data=here')
  assert.equal(a.scheme, 'NoOneKnowsThisScheme')
  assert.equal(getParam(a.params, 'opaque-data'), 'here')
  assert.equal(parseAuthValue('Negotiate').scheme, 'Negotiate')
})

void test('it MUST reject params without "=", empty list items and bad quoting', () => {
  for (const bad of [
    'Digest realm, nonce="x"',
    'Digest a=1,,b=2',
    'Digest a="x',
    'Di@gest a=1',
    'Digest a=b c',
  ]) {
    assert.throws(() => parseAuthValue(bad), SipParseError, bad)
  }
})

void test('it MUST format params as name=value, quoting those marked quoted', () => {
  assert.equal(
    formatAuthValue({
      scheme: 'Digest',
      params: [
        { name: 'realm', value: 'a"b', quoted: true },
        { name: 'algorithm', value: 'SHA-256', quoted: false },
      ],
    }),
    'Digest realm="a\\"b", algorithm=SHA-256',
  )
})
