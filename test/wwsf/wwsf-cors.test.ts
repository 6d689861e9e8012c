import assert from 'node:assert/strict'
import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'node:https'
import { describe, it } from 'node:test'
import { ALICE_SUBSCRIBER, startTestWwsf } from '../helpers/wwsf.ts'

const ORIGIN = 'https://wwsf.harness.test:8443'
const OTHER = 'https://wwsf2.harness.test'
const ALICE = ALICE_SUBSCRIBER

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
}

function send(
  url: string,
  ca: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, timeout: 4000 }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from the mock WWSF to ${method} ${url} within 4 s`)),
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function withWwsf(check: (url: string, ca: string) => Promise<void>): Promise<void> {
  // The allowed origin written with a trailing slash, as a profile may: CORS compares serialized origins.
  const { wwsf, ca } = await startTestWwsf({ origin: ORIGIN, allowedOrigins: [`${ORIGIN}/`, OTHER] })
  try {
    await check(wwsf.url, ca)
  } finally {
    await wwsf.stop()
  }
}

const LOGIN = JSON.stringify({ user: ALICE.impi, password: ALICE.password })
const JSON_TYPE = { 'Content-Type': 'application/json' }

void describe(
  'mock WWSF CORS: a page at the allowed origin logs in from a browser',
  { timeout: 30_000 },
  () => {
    void it('a preflight from an allowed origin is answered 204 for POST with Content-Type', () =>
      withWwsf(async (url, ca) => {
        const answer = await send(`${url}/login`, ca, 'OPTIONS', {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        })
        assert.equal(answer.status, 204)
        assert.equal(answer.headers['access-control-allow-origin'], ORIGIN)
        assert.equal(answer.headers.vary, 'Origin')
        assert.match(String(answer.headers['access-control-allow-methods']), /\bPOST\b/)
        assert.match(String(answer.headers['access-control-allow-headers']), /content-type/i)
      }))

    void it('the login and the JWKS name exactly the requesting allowed origin, never *', () =>
      withWwsf(async (url, ca) => {
        const login = await send(`${url}/login`, ca, 'POST', { ...JSON_TYPE, Origin: OTHER }, LOGIN)
        assert.equal(login.status, 200)
        assert.equal(login.headers['access-control-allow-origin'], OTHER)
        assert.equal(login.headers.vary, 'Origin')
        const jwks = await send(`${url}/.well-known/jwks.json`, ca, 'GET', { Origin: ORIGIN })
        assert.equal(jwks.headers['access-control-allow-origin'], ORIGIN)
      }))

    void it('another origin gets no CORS grant: preflight 403, login without Access-Control-Allow-Origin', () =>
      withWwsf(async (url, ca) => {
        const evil = 'https://evil.example'
        const preflight = await send(`${url}/login`, ca, 'OPTIONS', {
          Origin: evil,
          'Access-Control-Request-Method': 'POST',
        })
        assert.equal(preflight.status, 403)
        assert.equal(preflight.headers['access-control-allow-origin'], undefined)
        // The same host on another port is another origin (RFC 6454 §5).
        const login = await send(
          `${url}/login`,
          ca,
          'POST',
          { ...JSON_TYPE, Origin: 'https://wwsf.harness.test:9443' },
          LOGIN,
        )
        assert.equal(login.headers['access-control-allow-origin'], undefined)
        assert.equal(login.headers.vary, 'Origin')
        const noOrigin = await send(`${url}/login`, ca, 'POST', JSON_TYPE, LOGIN)
        assert.equal(noOrigin.status, 200, 'a client without Origin (the harness) still logs in')
        assert.equal(noOrigin.headers['access-control-allow-origin'], undefined)
      }))
  },
)
