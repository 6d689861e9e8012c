/**
 * The registrar's nonce store: a nonce is valid during its lifetime, stale after it, forgotten (unknown) once long
 * past it; the sweep that forgets old nonces keeps every nonce that is still valid or stale, whatever their number.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NonceStore } from '../../support/scscf/nonce-store.ts'

void describe('NonceStore', () => {
  void it('reports a nonce valid, then stale, then forgets it once ten lifetimes have passed', () => {
    let now = 1000
    const store = new NonceStore(100, () => now)
    const nonce = store.issue('alice@ims.test', ['MD5'])
    assert.equal(store.check(nonce.value).state, 'valid')
    now += 100
    assert.equal(store.check(nonce.value).state, 'stale')
    now += 10 * 100 + 1
    store.issue('bob@ims.test', ['MD5'])
    assert.equal(store.check(nonce.value).state, 'unknown')
    assert.equal(store.size, 1)
  })

  void it('forgets the old nonces and keeps every newer one when many were issued over time', () => {
    let now = 0
    const store = new NonceStore(10, () => now)
    const issued = []
    for (let i = 0; i < 500; i += 1) {
      issued.push({ value: store.issue(`u${i}@ims.test`, ['MD5']).value, at: now })
      now += 1
    }
    store.issue('last@ims.test', ['MD5'])
    const cutoff = now - 10 * 10
    for (const { value, at } of issued)
      assert.equal(store.check(value).state === 'unknown', at + 10 < cutoff, `nonce issued at ${at}`)
    assert.equal(store.size, issued.filter(({ at }) => at + 10 >= cutoff).length + 1)
  })

  void it('accepts only increasing nonce counts', () => {
    const store = new NonceStore(100, () => 0)
    const nonce = store.issue('alice@ims.test', ['MD5'])
    assert.equal(store.acceptNc(nonce, '00000001'), true)
    assert.equal(store.acceptNc(nonce, '00000001'), false)
    assert.equal(store.acceptNc(nonce, '0000000a'), true)
    assert.equal(store.acceptNc(nonce, 'zz'), false)
  })
})
