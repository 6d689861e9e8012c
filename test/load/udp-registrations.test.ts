/**
 * The UDP generator of the SIPp side-by-side (`npm run bench`): its precomputed digest answer is the one of
 * support/sip/digest.ts, its registrations pass the mock S-CSCF's digest check, and an unanswered REGISTER is
 * retransmitted (Timer E) and given up at Timer F.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { describe, it } from 'node:test'
import { RegisterTemplate } from '../../support/load/register-template.ts'
import { runUdpRegistrations, startUdpRegistrar } from '../../support/load/udp-registrations.ts'
import { parseAuthValue } from '../../support/sip/auth.ts'
import { computeDigestResponse } from '../../support/sip/digest.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import { getParam } from '../../support/sip/params.ts'

const DOMAIN = 'ims.harness.test'
const user = {
  impi: `load-0@${DOMAIN}`,
  impu: `sip:load-0@${DOMAIN}`,
  password: 'load-0-secret',
  contactUser: 'load-0',
}

void describe('UDP registrations generator', () => {
  void it('writes a parsable REGISTER whose digest response is the one RFC 7616 §3.4.1 gives', () => {
    const template = new RegisterTemplate(
      { address: '127.0.0.1', port: 5090 },
      { address: '127.0.0.1', port: 40000 },
      [user],
    )
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      const challenge = {
        header: 'WWW-Authenticate' as const,
        realm: DOMAIN,
        nonce: 'abc123',
        opaque: 'op',
        algorithm,
        qop: 'auth' as const,
        stale: false,
        index: 0,
        raw: '',
      }
      const value = template.answer(0, challenge, 'cn1')!
      const text = template.request(0, {
        branch: 'z9hG4bKx1',
        callId: 'c1@h',
        fromTag: 't1',
        cseq: 2,
        authorization: value,
      })
      const request = parseMessage(text)
      assert.equal(request.get('CSeq'), '2 REGISTER')
      const params = parseAuthValue(request.get('Authorization')!).params
      const expected = computeDigestResponse({
        algorithm,
        username: user.impi,
        realm: DOMAIN,
        password: user.password,
        method: 'REGISTER',
        uri: 'sip:127.0.0.1:5090',
        nonce: 'abc123',
        qop: 'auth',
        nc: '00000001',
        cnonce: 'cn1',
      })
      assert.equal(getParam(params, 'response'), expected)
      assert.equal(getParam(params, 'opaque'), 'op')
    }
  })

  void it('registers against the mock S-CSCF, which verifies every digest', async () => {
    const core = await startUdpRegistrar(DOMAIN)
    try {
      const result = await runUdpRegistrations({
        registrar: { address: '127.0.0.1', port: core.port },
        domain: DOMAIN,
        users: 1,
        total: 30,
        concurrency: 5,
        timers: { T1: 500, T2: 4000, T4: 5000 },
        deadlineMs: 20_000,
      })
      assert.deepEqual(result.failures, {})
      assert.equal(result.registrations, 30)
    } finally {
      await core.stop()
    }
  })

  void it('retransmits an unanswered REGISTER and gives it up at Timer F', async () => {
    const silent = createSocket('udp4')
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    let received = 0
    silent.on('message', () => (received += 1))
    try {
      const result = await runUdpRegistrations({
        registrar: { address: '127.0.0.1', port: silent.address().port },
        domain: DOMAIN,
        users: 1,
        total: 1,
        concurrency: 1,
        timers: { T1: 10, T2: 40, T4: 50 },
        deadlineMs: 5_000,
      })
      assert.equal(result.registrations, 0)
      assert.deepEqual(Object.values(result.failures), [1])
      assert.match(Object.keys(result.failures)[0]!, /Timer F/)
      assert.ok(result.retransmissions >= 3, `${result.retransmissions} retransmissions`)
      assert.ok(received >= 2, `the silent registrar received ${received} datagrams`)
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})
