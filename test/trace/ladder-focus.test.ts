/** The verdict and the blamed message in a scenario's ladders (support/trace/ladder-focus.ts, ladder-svg.ts). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { accusedMessage, ladderFocus, ladderText } from '../../support/trace/ladder-focus.ts'
import { ladderSvg } from '../../support/trace/ladder-svg.ts'
import { externalTrace, referenceTrace } from './trace-fixture.ts'

const PATH_FAILURE =
  'FAIL [MUST RFC 3327 §5 (R15)]: expected a Path header in the REGISTER at the S-CSCF, got (no Path header)'

void test('the message the failure names is blamed: the REGISTER on Mw, not the later 200 OK to the WIC', () => {
  const events = referenceTrace()
  const accused = accusedMessage(events, events.at(-1), PATH_FAILURE)
  assert.equal(accused?.event, events[5])
  assert.match(accused?.label ?? '', /fits the failure \(REGISTER, Mw\)/)
  // A status the failure says arrived, and the leg it names.
  const ok = accusedMessage(events, undefined, 'expected 403 at the WIC, got 200 OK (REGISTER)')
  assert.equal(ok?.event, events[10])
  // Wording that names nothing: the last message the SUT sent before the failure, labelled so.
  const last = accusedMessage(events, events[6], 'something else')
  assert.equal(last?.event, events[5])
  assert.match(
    last?.label ?? '',
    /^blamed: the last message from the system under test before the check failed$/,
  )
})

void test('the message the failing check judged is blamed, whatever the wording, also when the recorder cut it', () => {
  const events = referenceTrace()
  const mwRegister = events[6]!.raw
  // The wording names the 200 OK to the WIC, but the check judged the REGISTER on Mw: the REGISTER is blamed.
  const judged = ladderFocus(
    events,
    {
      verdict: 'FAIL',
      failure: 'expected 403 at the WIC, got 200 OK (REGISTER)',
      sutAtFault: true,
      judgedRaw: mwRegister,
    },
    undefined,
  )
  assert.equal(judged.accused, events[5], "the eP-CSCF's sent event stands for the message on the ladder")
  assert.equal(judged.accusedLabel, 'blamed: the message the failing check judged')
  // An external SUT: the copy the mock S-CSCF received; and a message the recorder cut matches by what it kept.
  const external = externalTrace().map((e) =>
    e.raw === mwRegister
      ? { ...e, raw: `${mwRegister.slice(0, 40)}\n[… cut: 9 more characters not kept (limit 40 per event)]` }
      : e,
  )
  const cut = ladderFocus(external, { verdict: 'FAIL', sutAtFault: true, judgedRaw: mwRegister }, undefined)
  assert.equal(cut.accused?.observer, 'mock S-CSCF')
  assert.equal(cut.accusedLabel, 'blamed: the message the failing check judged')
  // A judged message the trace does not hold (the harness's own): the wording chooses, as before.
  const fallback = ladderFocus(
    events,
    { verdict: 'FAIL', failure: PATH_FAILURE, sutAtFault: true, judgedRaw: 'X' },
    undefined,
  )
  assert.match(fallback.accusedLabel ?? '', /fits the failure/)
})

void test('an external SUT records nothing: its messages are those harness components received on W2 and Mw', () => {
  const events = externalTrace()
  const accused = accusedMessage(events, undefined, PATH_FAILURE)
  assert.equal(accused?.event.observer, 'mock S-CSCF')
  assert.equal(accused?.event.summary, 'REGISTER sip:ims.harness.test')
  assert.equal(
    accusedMessage(events.slice(0, 2), undefined, PATH_FAILURE),
    undefined,
    'nothing from the SUT yet',
  )
})

void test('ladder.txt marks the blamed message and puts the failure where it happened, before the teardown', () => {
  const events = referenceTrace()
  const focus = ladderFocus(events, { verdict: 'FAIL', failure: PATH_FAILURE, sutAtFault: true }, events[9])
  const lines = ladderText(events, focus).split('\n')
  assert.equal(lines.length, events.length + 1)
  assert.match(
    lines[5] ?? '',
    /\[Mw\] reference eP-CSCF sent .*REGISTER sip:ims\.harness\.test {3}◀ blamed: /,
  )
  assert.equal(lines[10], `✗ ${PATH_FAILURE}`)
  assert.equal(lines.filter((l) => l.includes('◀')).length, 1)
  // Not the SUT's fault (inconclusive): the failure is shown, nothing is blamed; a pass shows neither.
  const inconclusive = ladderFocus(
    events,
    { verdict: 'INCONCLUSIVE', failure: 'INCONCLUSIVE: no answer', sutAtFault: false },
    undefined,
  )
  assert.equal(inconclusive.accused, undefined)
  assert.equal(ladderText(events, inconclusive).split('\n').at(-1), '✗ INCONCLUSIVE: no answer')
  assert.doesNotMatch(ladderText(events, { verdict: 'PASS' }), /[◀✗]/)
})

void test('ladder.svg has the verdict in its title and highlights the blamed message and the failure', () => {
  const events = referenceTrace()
  const focus = ladderFocus(events, { verdict: 'FAIL', failure: PATH_FAILURE, sutAtFault: true }, events[9])
  const svg = ladderSvg(events, { title: 'the eP-CSCF adds a Path', focus })
  assert.match(svg, /<title>FAIL: the eP-CSCF adds a Path<\/title>/)
  assert.match(svg, /<text class="title" x="8" y="22" fill="#cf222e">FAIL: the eP-CSCF adds a Path<\/text>/)
  const accused = [...svg.matchAll(/<g class="message leg-(\w+) accused">([\s\S]*?)<\/g>/g)]
  assert.equal(accused.length, 1)
  assert.equal(accused[0]?.[1], 'Mw')
  assert.match(accused[0]?.[2] ?? '', /<title>blamed: .*REGISTER sip:ims\.harness\.test/)
  assert.match(accused[0]?.[2] ?? '', /<rect class="accused"/)
  assert.match(svg, /<g class="failure">.*✗ FAIL \[MUST RFC 3327 §5 \(R15\)\]: expected a Path header/)
  // The failure is drawn after the 200 OK on Mw (event 9) and before the 200 OK to the WIC (event 10).
  const failureAt = svg.indexOf('<g class="failure">')
  assert.ok(svg.indexOf('200 OK (REGISTER)') < failureAt)
  assert.ok(svg.lastIndexOf('leg-W2') > failureAt)
  const pass = ladderSvg(events, { title: 'x', focus: { verdict: 'PASS' } })
  assert.match(pass, /fill="#1a7f37">PASS: x</)
  assert.doesNotMatch(pass, /<g class="failure"|<rect class="accused"/)
})
