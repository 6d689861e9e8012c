/** Digest computation against the vectors published in RFC 2617 §3.5 and RFC 7616 §3.9.1. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { computeDigestResponse, verifyDigestResponse, type DigestInput } from '../../support/sip/digest.ts'

const md5 = (s: string): string => createHash('md5').update(s).digest('hex')
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

const rfc2617: DigestInput = {
  algorithm: 'MD5',
  username: 'Mufasa',
  realm: 'testrealm@host.com',
  password: 'Circle Of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  qop: 'auth',
  nc: '00000001',
  cnonce: '0a4f113b',
}

const rfc7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  qop: 'auth' as const,
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
}

void test('it MUST reproduce the RFC 2617 §3.5 MD5 qop=auth example (Mufasa)', () => {
  assert.equal(computeDigestResponse(rfc2617), '6629fae49393a05397450978507c4ef1')
})

void test('it MUST reproduce the RFC 7616 §3.9.1 MD5 example', () => {
  assert.equal(computeDigestResponse({ ...rfc7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec')
})

void test('it MUST reproduce the RFC 7616 §3.9.1 SHA-256 example', () => {
  assert.equal(
    computeDigestResponse({ ...rfc7616, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  )
})

void test('it MUST compute the RFC 2069 compatible form (no qop) as KD(H(A1), nonce ":" H(A2))', () => {
  const input: DigestInput = { ...rfc2617, qop: undefined, nc: undefined, cnonce: undefined }
  delete input.qop
  const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life')
  const ha2 = md5('GET:/dir/index.html')
  assert.equal(computeDigestResponse(input), md5(`${ha1}:${rfc2617.nonce}:${ha2}`))
  assert.equal(computeDigestResponse(input), '670fd8c2df070c60b045671b8b24ff02')
})

void test('it MUST derive the -sess A1 from H(user:realm:pass) ":" nonce ":" cnonce (RFC 7616 §3.4.2)', () => {
  const ha1 = sha256(
    `${sha256('Mufasa:http-auth@example.org:Circle of Life')}:${rfc7616.nonce}:${rfc7616.cnonce}`,
  )
  const ha2 = sha256('GET:/dir/index.html')
  const expected = sha256(`${ha1}:${rfc7616.nonce}:00000001:${rfc7616.cnonce}:auth:${ha2}`)
  assert.equal(computeDigestResponse({ ...rfc7616, algorithm: 'SHA-256-sess' }), expected)
  const md5Sess = computeDigestResponse({ ...rfc7616, algorithm: 'MD5-sess' })
  assert.match(md5Sess, /^[0-9a-f]{32}$/)
  assert.notEqual(md5Sess, computeDigestResponse({ ...rfc7616, algorithm: 'MD5' }))
})

void test('it MUST verify a correct response and reject a wrong or truncated one', () => {
  assert.equal(verifyDigestResponse(rfc2617, '6629fae49393a05397450978507c4ef1'), true)
  assert.equal(verifyDigestResponse(rfc2617, '6629FAE49393A05397450978507C4EF1'), true)
  assert.equal(verifyDigestResponse(rfc2617, '6629fae49393a05397450978507c4ef2'), false)
  assert.equal(verifyDigestResponse(rfc2617, '6629fae4'), false)
  assert.equal(
    verifyDigestResponse({ ...rfc2617, password: 'wrong' }, '6629fae49393a05397450978507c4ef1'),
    false,
  )
})

void test('it MUST refuse qop=auth without nc and cnonce', () => {
  assert.throws(() => computeDigestResponse({ ...rfc2617, cnonce: undefined }), TypeError)
})
