import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HarnessError } from '../../support/errors.ts'
import { SipRequest } from '../../support/sip/message.ts'
import { RequestLog } from '../../support/scscf/request-log.ts'
import type { Flow } from '../../support/transport/peer.ts'

const TIMEOUT = { timeout: 5000 }
const FLOW = { id: 'fake-1' } as unknown as Flow

function entry(method: string, uri = 'sip:x@ims.harness.test') {
  return { request: new SipRequest({ method, uri }), flow: FLOW, at: Date.now() }
}

void describe('RequestLog', () => {
  void it('hands over requests in arrival order, each once', TIMEOUT, async () => {
    const log = new RequestLog('mock S-CSCF')
    log.add(entry('REGISTER', 'sip:one'))
    log.add(entry('OPTIONS'))
    log.add(entry('REGISTER', 'sip:two'))
    assert.equal((await log.expect({ method: 'REGISTER' }, { withinMs: 10 })).request.uri, 'sip:one')
    assert.equal((await log.expect({ method: 'REGISTER' }, { withinMs: 10 })).request.uri, 'sip:two')
    assert.equal((await log.expect({ method: 'options' }, { withinMs: 10 })).request.method, 'OPTIONS')
    assert.equal(log.unconsumed().length, 0)
    assert.equal(log.entries.length, 3)
  })

  void it('waits for a request that arrives later', TIMEOUT, async () => {
    const log = new RequestLog('mock S-CSCF')
    const waiting = log.expect({ predicate: (r) => r.uri === 'sip:late' }, { withinMs: 1000 })
    log.add(entry('INVITE', 'sip:early'))
    setTimeout(() => log.add(entry('INVITE', 'sip:late')), 20)
    assert.equal((await waiting).request.uri, 'sip:late')
    assert.deepEqual(
      log.unconsumed().map((e) => e.request.uri),
      ['sip:early'],
    )
  })

  void it('fails at the deadline naming what was awaited and what arrived instead', TIMEOUT, async () => {
    const log = new RequestLog('mock S-CSCF')
    log.add(entry('OPTIONS', 'sip:x'))
    await assert.rejects(log.expect({ method: 'REGISTER' }, { withinMs: 30 }), (error: unknown) => {
      assert.ok(error instanceof HarnessError)
      assert.equal(error.code, 'SIP_TIMEOUT_AWAITING')
      assert.match(error.message, /mock S-CSCF expected REGISTER within 30 ms; received: OPTIONS sip:x$/)
      return true
    })
    await assert.rejects(
      log.expect({ method: 'BYE' }, { withinMs: 1, description: 'a BYE' }),
      /received: OPTIONS sip:x/,
    )
  })

  void it('a throwing predicate matches nothing, and clear() ends pending waits', TIMEOUT, async () => {
    const log = new RequestLog('mock S-CSCF')
    const waiting = log.expect(
      {
        predicate: () => {
          throw new Error('boom')
        },
      },
      { withinMs: 1000 },
    )
    log.add(entry('INVITE'))
    log.clear('reset')
    await assert.rejects(waiting, /wait abandoned: reset/)
    assert.equal(log.entries.length, 0)
  })
})
