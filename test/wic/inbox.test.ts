import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HarnessError } from '../../support/errors.ts'
import { SipRequest, SipResponse } from '../../support/sip/message.ts'
import { Inbox } from '../../support/wic/inbox.ts'

const PEER = 'the eP-CSCF at wss://127.0.0.1:7443/'
const req = (method: string) => new SipRequest({ method, uri: 'sip:x@y.invalid' })
const res = (status: number) =>
  new SipResponse({ status, reason: status === 200 ? 'OK' : 'Nope' }).append('CSeq', '1 REGISTER')
const isMethod = (m: string) => (x: SipRequest | SipResponse) => x.isRequest() && x.method === m

void describe('WIC inbox', { timeout: 5000 }, () => {
  void it('hands over a queued match and keeps the rest in order', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    inbox.push(res(200))
    inbox.push(req('INVITE'))
    inbox.push(req('BYE'))
    const got = await inbox.take({ predicate: isMethod('BYE'), description: 'a BYE' }, 100)
    assert.ok(got.isRequest() && got.method === 'BYE')
    assert.deepEqual(
      inbox.pending.map((e) => e.message.summary()),
      ['200 OK (REGISTER)', 'INVITE sip:x@y.invalid'],
    )
  })

  void it('waits for a message that arrives later', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    const waiting = inbox.take({ predicate: isMethod('MESSAGE'), description: 'a MESSAGE' }, 1000)
    setTimeout(() => {
      inbox.push(req('OPTIONS'))
      inbox.push(req('MESSAGE'))
    }, 10)
    const got = await waiting
    assert.ok(got.isRequest() && got.method === 'MESSAGE')
    assert.equal(inbox.pending.length, 1)
  })

  void it('fails at the deadline naming what, from whom, and what arrived instead', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    inbox.push(res(200))
    inbox.pushInvalid('old garbage', 'before the wait', Date.now() - 1000)
    const waiting = inbox.take({ predicate: isMethod('INVITE'), description: 'an INVITE' }, 30)
    inbox.pushInvalid('garbage', 'no start line')
    await assert.rejects(waiting, (e: unknown) => {
      assert.ok(e instanceof HarnessError)
      assert.equal(e.code, 'SIP_TIMEOUT_AWAITING')
      assert.match(
        e.message,
        /WIC alice expected an INVITE from the eP-CSCF at wss:\/\/127\.0\.0\.1:7443\/ within 30 ms/,
      )
      assert.match(e.message, /arrived instead: 200 OK \(REGISTER\), unparseable \(no start line\)$/)
      return true
    })
  })

  void it('says nothing arrived when nothing did', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    await assert.rejects(inbox.take({ description: 'anything' }, 10), /nothing arrived/)
  })

  void it('fails pending and later expectations when the connection closes', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    const waiting = inbox.take({ description: 'a BYE', predicate: isMethod('BYE') }, 5000)
    inbox.close('WebSocket closed with code 1006')
    await assert.rejects(waiting, (e: unknown) => e instanceof HarnessError && e.code === 'TRANSPORT_CLOSED')
    await assert.rejects(
      inbox.take({ description: 'x' }, 5000),
      /connection closed \(WebSocket closed with code 1006\)/,
    )
  })

  void it('turns a throwing predicate into a rejection of that expectation', async () => {
    const inbox = new Inbox('WIC alice', PEER)
    const waiting = inbox.take(
      {
        description: 'boom',
        predicate: () => {
          throw new Error('predicate bug')
        },
      },
      1000,
    )
    inbox.push(req('INVITE'))
    await assert.rejects(waiting, /predicate bug/)
    assert.equal(inbox.pending.length, 1)
  })
})
