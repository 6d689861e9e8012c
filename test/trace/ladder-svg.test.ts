/** The SVG ladder of a scenario's trace (support/trace/ladder-svg.ts). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { escapeXml, ladderSvg } from '../../support/trace/ladder-svg.ts'
import { traceMessages } from '../../support/trace/trace-messages.ts'
import { externalTrace, referenceTrace } from './trace-fixture.ts'

/** The column headings, left to right. */
function columns(svg: string): string[] {
  return [...svg.matchAll(/<text class="head" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)]
    .map((m) => ({ x: Number(m[1]), name: m[2] ?? '' }))
    .sort((a, b) => a.x - b.x)
    .map((c) => c.name)
}

function columnX(svg: string, name: string): number {
  const m = new RegExp(`<text class="head" x="([\\d.]+)"[^>]*>${name}</text>`).exec(svg)
  assert.ok(m, `no column ${name}`)
  return Number(m[1])
}

/** [x1, x2] of each arrow, in order. */
function arrowsOf(svg: string): Array<[number, number]> {
  return [...svg.matchAll(/<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"[^>]*marker-end/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ])
}

void test('it draws each message once, between the right lifelines, in the fixed column order', () => {
  const svg = ladderSvg(referenceTrace(), { title: 'register' })
  writeFileSync(join(tmpdir(), 'ladder-svg-test.svg'), svg)
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  assert.match(svg, /<\/svg>\n$/)
  assert.deepEqual(columns(svg), ['WIC alice', 'reference eP-CSCF', 'mock S-CSCF'])
  const wic = columnX(svg, 'WIC alice')
  const ep = columnX(svg, 'reference eP-CSCF')
  const s = columnX(svg, 'mock S-CSCF')
  // upgrade, REGISTER, REGISTER, 200, 200: five arrows although twelve events; the arrow stops 2 px short.
  const arrows = arrowsOf(svg)
  assert.equal(arrows.length, 5)
  const near = (a: number, b: number) => Math.abs(a - b) <= 2
  const expected: Array<[number, number]> = [
    [wic, ep],
    [wic, ep],
    [ep, s],
    [s, ep],
    [ep, wic],
  ]
  arrows.forEach(([x1, x2], i) => {
    assert.ok(
      near(x1, expected[i]?.[0] ?? NaN) && near(x2, expected[i]?.[1] ?? NaN),
      `arrow ${i}: ${x1}→${x2}`,
    )
  })
  assert.equal((svg.match(/class="message leg-W2"/g) ?? []).length, 3)
  assert.equal((svg.match(/class="message leg-Mw"/g) ?? []).length, 2)
  assert.match(svg, /stroke="#1565c0"/)
  assert.match(svg, /stroke="#c2410c"/)
  // The time is the sender's; the receiver's copy (+11.5 ms) is not drawn.
  assert.match(svg, />\+10\.0 ms</)
  assert.doesNotMatch(svg, />\+11\.5 ms</)
  assert.match(svg, /<text class="note"[^>]*>REGISTER sip:alice: registered<\/text>/)
})

void test('it escapes XML in titles, summaries and notes', () => {
  const svg = ladderSvg(referenceTrace(), { title: 'a <b> & "c"\u0001' })
  assert.match(svg, /<title>a &lt;b&gt; &amp; &quot;c&quot;<\/title>/)
  assert.match(svg, /scenario: register &lt;alice&gt; &amp; &quot;bob&quot;/)
  assert.doesNotMatch(svg, /<alice>/)
  assert.ok(!svg.includes('\u0001'), 'control characters are dropped')
})

void test('with an external eP-CSCF it derives the eP-CSCF lifeline from the endpoints', () => {
  const svg = ladderSvg(externalTrace(), { title: 'external' })
  assert.deepEqual(columns(svg), ['WIC alice', 'eP-CSCF', 'mock S-CSCF'])
  const ep = columnX(svg, 'eP-CSCF')
  const s = columnX(svg, 'mock S-CSCF')
  const wic = columnX(svg, 'WIC alice')
  const arrows = arrowsOf(svg)
  // The WIC's upgrade and REGISTER, the eP-CSCF's REGISTER as the S-CSCF received it, the 200 both ways.
  assert.equal(arrows.length, 5)
  assert.ok(Math.abs((arrows[2]?.[0] ?? NaN) - ep) <= 2 && Math.abs((arrows[2]?.[1] ?? NaN) - s) <= 2)
  assert.ok(Math.abs((arrows[4]?.[0] ?? NaN) - ep) <= 2 && Math.abs((arrows[4]?.[1] ?? NaN) - wic) <= 2)
})

void test('it pairs received events with sent ones by raw text, keeping unmatched ones', () => {
  const messages = traceMessages(referenceTrace())
  assert.deepEqual(
    messages.map((m) => [m.event.direction, m.sender, m.receiver]),
    [
      ['sent', 'WIC alice', 'reference eP-CSCF'],
      ['sent', 'WIC alice', 'reference eP-CSCF'],
      ['sent', 'reference eP-CSCF', 'mock S-CSCF'],
      ['sent', 'mock S-CSCF', 'reference eP-CSCF'],
      ['sent', 'reference eP-CSCF', 'WIC alice'],
    ],
  )
  const external = traceMessages(externalTrace())
  assert.deepEqual(
    external.map((m) => [m.event.direction, m.event.observer]),
    [
      ['sent', 'WIC alice'],
      ['sent', 'WIC alice'],
      ['received', 'mock S-CSCF'],
      ['sent', 'mock S-CSCF'],
      ['received', 'WIC alice'],
    ],
  )
})

void test('an empty trace is still a valid drawing', () => {
  const svg = ladderSvg([], {})
  assert.match(svg, /no traffic recorded/)
  assert.match(svg, /<\/svg>\n$/)
  assert.equal(escapeXml(`'`), '&apos;')
})
