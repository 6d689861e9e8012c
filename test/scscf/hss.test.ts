import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canonicalImpu, DEFAULT_SUBSCRIBERS, Hss } from '../../support/scscf/hss.ts'

const TIMEOUT = { timeout: 5000 }

void describe('Hss', () => {
  void it('holds alice and bob of the interop contract by default, default IMPU first', TIMEOUT, () => {
    const hss = new Hss()
    assert.deepEqual(hss.byImpi('alice@ims.harness.test')?.impus, [
      'sip:alice@ims.harness.test',
      'tel:+15550101',
    ])
    assert.equal(hss.byImpi('bob@ims.harness.test')?.password, 'bob-secret')
    assert.equal(hss.all().length, DEFAULT_SUBSCRIBERS.length)
  })

  void it('finds a subscriber by any form of its IMPU', TIMEOUT, () => {
    const hss = new Hss()
    assert.equal(hss.byImpu('<sip:alice@IMS.harness.test:5060;user=phone>')?.impi, 'alice@ims.harness.test')
    assert.equal(hss.byImpu('tel:+15550101;phone-context=x')?.impi, 'alice@ims.harness.test')
    assert.equal(hss.byImpu('sip:Alice@ims.harness.test'), undefined, 'the user part is case-sensitive')
  })

  void it('tells whether an IMPU is bound to an IMPI', TIMEOUT, () => {
    const hss = new Hss()
    assert.equal(hss.isBound('tel:+15550101', 'alice@ims.harness.test'), true)
    assert.equal(hss.isBound('sip:bob@ims.harness.test', 'alice@ims.harness.test'), false)
    assert.equal(hss.isBound('sip:nobody@ims.harness.test', 'alice@ims.harness.test'), false)
  })

  void it('takes its table from the constructor and refuses an IMPU owned twice', TIMEOUT, () => {
    const hss = new Hss([{ impi: 'carol@x.test', impus: ['sip:carol@x.test'], password: 'p' }])
    assert.equal(hss.byImpi('alice@ims.harness.test'), undefined)
    assert.equal(hss.implicitSet('sip:carol@x.test')[0], 'sip:carol@x.test')
    assert.throws(
      () => hss.add({ impi: 'dave@x.test', impus: ['sip:carol@x.test'], password: 'p' }),
      /already belongs/,
    )
  })

  void it('canonicalises IMPUs', TIMEOUT, () => {
    assert.equal(canonicalImpu('SIP:alice@Ims.Harness.Test:5060;transport=tcp'), 'sip:alice@ims.harness.test')
    assert.equal(canonicalImpu('<tel:+15550101>'), 'tel:+15550101')
  })
})
