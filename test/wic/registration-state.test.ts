import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HarnessError } from '../../support/errors.ts'
import { RegistrationStateMachine, type RegistrationEvent } from '../../support/wic/registration-state.ts'

function run(...events: RegistrationEvent[]) {
  const m = new RegistrationStateMachine()
  for (const e of events) {
    if (e === 'success') m.grantBinding(600)
    m.apply(e)
  }
  return m
}

void describe('WIC registration state machine (RFC 3261 §10.2)', { timeout: 5000 }, () => {
  void it('goes unregistered → registering → challenged → registered → deregistering → unregistered', () => {
    const seen: string[] = []
    const m = new RegistrationStateMachine((t) => seen.push(`${t.from}>${t.to}`))
    assert.equal(m.state, 'unregistered')
    m.apply('begin')
    m.apply('challenge')
    assert.equal(m.busy, true)
    m.grantBinding(600)
    m.apply('success')
    assert.equal(m.state, 'registered')
    assert.equal(m.busy, false)
    m.apply('begin-deregister')
    m.apply('challenge')
    assert.equal(m.state, 'deregistering')
    m.apply('success')
    assert.equal(m.state, 'unregistered')
    assert.equal(m.bindingAlive(), false)
    assert.deepEqual(seen, [
      'unregistered>registering',
      'registering>challenged',
      'challenged>registered',
      'registered>deregistering',
      'deregistering>deregistering',
      'deregistering>unregistered',
    ])
    assert.equal(m.history.length, 6)
  })

  void it('falls back to unregistered when an initial registration fails', () => {
    assert.equal(run('begin', 'challenge', 'failure').state, 'unregistered')
  })

  void it('keeps the binding when a refresh fails before it expires (RFC 3261 §10.3)', () => {
    assert.equal(run('begin', 'success', 'begin', 'failure').state, 'registered')
    const m = run('begin', 'success', 'begin')
    m.grantBinding(0, Date.now() - 1)
    m.apply('failure')
    assert.equal(m.state, 'unregistered')
  })

  void it('counts itself unregistered when the flow closes', () => {
    assert.equal(run('begin', 'success', 'closed').state, 'unregistered')
  })

  void it('refuses events the table does not allow, with a HarnessError', () => {
    const m = new RegistrationStateMachine()
    assert.throws(
      () => m.apply('success'),
      (e: unknown) => e instanceof HarnessError && e.code === 'SCENARIO_MISUSE',
    )
    assert.equal(m.next('challenge'), undefined)
    assert.equal(m.state, 'unregistered')
  })
})
