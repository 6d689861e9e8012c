import type { LadderFocus } from './ladder-focus.ts'
import type { TraceEndpoint, TraceEvent } from './trace-event.ts'
import { formatEndpoint } from './trace-text.ts'
import { traceMessages, type TraceMessage } from './trace-messages.ts'
import { VERDICT_COLOURS } from './verdict-colours.ts'

/*
 * The scenario's ladder as an SVG sequence diagram, for the reports. Hand-written SVG on purpose: a few lines,
 * lifelines and arrows need no library, and the output is a self-contained file (no fonts, scripts or links).
 * Text widths are estimated (sans-serif ~6.2 px a character at 11 px), so long labels are cut with `…`; the full
 * summary and both endpoints are in each arrow's <title> (shown on hover).
 */

export interface LadderSvgOptions {
  readonly title?: string | undefined
  /** The verdict (in the title), the failure (drawn where it happened) and the blamed message (highlighted). */
  readonly focus?: LadderFocus | undefined
}

/** Title colour per verdict: a pass green, a FAIL red, anything else grey. */
const FAILURE_COLOUR = VERDICT_COLOURS.FAIL

const LEG_COLOUR: Record<TraceEvent['leg'], string> = {
  W1: '#2e7d32',
  W2: '#1565c0',
  Mw: '#c2410c',
  harness: '#757575',
}

const CHAR_WIDTH = 6.2
const TIME_WIDTH = 84
const HEADER_TOP = 44
const HEADER_HEIGHT = 26
const FIRST_ROW = HEADER_TOP + HEADER_HEIGHT + 10
const MESSAGE_ROW = 30
const NOTE_ROW = 18
const NOTE_MAX_CHARS = 110

/** Text for XML content and attribute values; drops the control characters XML 1.0 does not allow. */
export function escapeXml(text: string): string {
  const allowed = [...text].filter((c) => {
    const code = c.codePointAt(0) ?? 0
    return (
      code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
    )
  })
  return allowed
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

function cut(text: string, maxChars: number): string {
  const limit = Math.max(4, Math.floor(maxChars))
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
}

function endpointKey(endpoint: TraceEndpoint | undefined): string | undefined {
  return endpoint === undefined ? undefined : `${endpoint.address}:${endpoint.port}`
}

function rank(entity: string, epcscf: string): number {
  if (entity.startsWith('WIC ')) return 0
  if (entity === epcscf || /\beP-CSCF\b/.test(entity)) return 1
  if (/S-CSCF/.test(entity)) return 2
  if (entity === 'WWSF') return 3
  return 4
}

interface Arrow {
  readonly message: TraceMessage
  readonly from: string
  readonly to: string
}

/** Who sent and who received each message: the observers where known, else the owner of the endpoint. */
function arrows(events: readonly TraceEvent[], messages: readonly TraceMessage[]) {
  const owners = new Map<string, string>()
  for (const e of events) {
    const key = endpointKey(e.direction === 'sent' ? e.from : e.direction === 'received' ? e.to : undefined)
    if (key !== undefined && !owners.has(key)) owners.set(key, e.observer)
  }
  // An external eP-CSCF records nothing: its column stands for the WSS and Mw addresses nobody else owns.
  const epcscf =
    events.find((e) => /\beP-CSCF\b/.test(e.observer) && e.direction !== 'note')?.observer ?? 'eP-CSCF'
  const resolve = (endpoint: TraceEndpoint | undefined, leg: TraceEvent['leg'], other: string): string => {
    const owner = owners.get(endpointKey(endpoint) ?? '')
    if (owner !== undefined) return owner
    if ((leg === 'W2' || leg === 'Mw') && other !== epcscf) return epcscf
    // The login on W1 is made by step code on a WIC's behalf, not by a recording component.
    if (leg === 'W1' && other === 'WWSF') return 'W1 client'
    return endpoint === undefined ? '?' : `${endpoint.address}:${endpoint.port}`
  }
  const result = new Map<TraceEvent, Arrow>()
  for (const message of messages) {
    const e = message.event
    if (message.sender !== undefined) {
      const to = message.receiver ?? resolve(e.to, e.leg, message.sender)
      result.set(e, { message, from: message.sender, to })
    } else {
      const to = message.receiver ?? e.observer
      result.set(e, { message, from: resolve(e.from, e.leg, to), to })
    }
  }
  return { arrows: result, epcscf }
}

/** A self-contained SVG sequence diagram of the trace: one lifeline per entity, one arrow per message. */
export function ladderSvg(events: readonly TraceEvent[], options: LadderSvgOptions = {}): string {
  const messages = traceMessages(events)
  const { arrows: arrowOf, epcscf } = arrows(events, messages)

  const seen: string[] = []
  const add = (entity: string) => {
    if (!seen.includes(entity)) seen.push(entity)
  }
  for (const e of events) {
    const arrow = arrowOf.get(e)
    if (arrow !== undefined) {
      add(arrow.from)
      add(arrow.to)
    } else if (e.direction === 'note' && e.observer !== 'harness') add(e.observer)
  }
  const columns = seen
    .map((entity, order) => ({ entity, order }))
    .sort((a, b) => rank(a.entity, epcscf) - rank(b.entity, epcscf) || a.order - b.order)
    .map((c) => c.entity)
  const indexOf = new Map(columns.map((c, i) => [c, i]))

  let widest = 0
  for (const { from, to, message } of arrowOf.values()) {
    const span = Math.abs((indexOf.get(from) ?? 0) - (indexOf.get(to) ?? 0))
    if (span <= 1) widest = Math.max(widest, message.event.summary.length)
  }
  for (const c of columns) widest = Math.max(widest, c.length + 2)
  const gap = Math.min(380, Math.max(180, Math.round(widest * CHAR_WIDTH + 40)))
  const columnX = (i: number) => TIME_WIDTH + gap / 2 + i * gap
  const width = Math.max(TIME_WIDTH + gap * Math.max(columns.length, 1) + 20, 520)

  const start = events[0]?.at ?? 0
  const offset = (at: number) => `+${(at - start).toFixed(1)} ms`
  const body: string[] = []
  let y = FIRST_ROW
  const failure = options.focus?.failure
  /** The failure, across the diagram at the point in time it happened; returns the next row's y. */
  const drawFailure = (top: number): number => {
    const line = top + 10
    body.push(
      `<g class="failure"><line x1="${TIME_WIDTH - 4}" y1="${line}" x2="${width - 12}" y2="${line}" stroke="${FAILURE_COLOUR}" stroke-width="2"/>` +
        `<text class="failure" x="${TIME_WIDTH}" y="${line + 14}">${escapeXml(cut(`✗ ${failure ?? ''}`, (width - TIME_WIDTH - 20) / CHAR_WIDTH))}</text></g>`,
    )
    return top + 30
  }

  for (const e of events) {
    const arrow = arrowOf.get(e)
    if (arrow !== undefined) {
      // A message row: its label on top, the arrow below it.
      const top = y
      y = top + 20
      const colour = LEG_COLOUR[e.leg] ?? LEG_COLOUR.harness
      const x1 = columnX(indexOf.get(arrow.from) ?? 0)
      const x2 = columnX(indexOf.get(arrow.to) ?? 0)
      const accused = e === options.focus?.accused
      const tooltip = `${accused ? `${options.focus?.accusedLabel ?? 'blamed'}: ` : ''}[${e.leg}] ${arrow.from} → ${arrow.to}: ${e.summary}\n${formatEndpoint(e.from)} → ${formatEndpoint(e.to)}`
      const parts = [`<title>${escapeXml(tooltip)}</title>`]
      if (accused)
        parts.push(
          `<rect class="accused" x="${TIME_WIDTH - 4}" y="${top + 2}" width="${width - TIME_WIDTH - 8}" height="${MESSAGE_ROW - 4}" rx="3"/>`,
        )
      parts.push(`<text class="time" x="8" y="${y + 4}">${escapeXml(offset(e.at))}</text>`)
      if (x1 === x2) {
        parts.push(
          `<path d="M${x1} ${y - 8} h34 v14 h-30" fill="none" stroke="${colour}" stroke-width="1.5" marker-end="url(#arrow-${e.leg})"/>`,
          `<text class="label" x="${x1 + 40}" y="${y + 2}" fill="${colour}">${escapeXml(cut(e.summary, (gap - 50) / CHAR_WIDTH))}</text>`,
        )
      } else {
        const label = cut(e.summary, (Math.abs(x2 - x1) - 16) / CHAR_WIDTH)
        const end = x2 > x1 ? x2 - 2 : x2 + 2
        parts.push(
          `<line x1="${x1}" y1="${y}" x2="${end}" y2="${y}" stroke="${colour}" stroke-width="1.5" marker-end="url(#arrow-${e.leg})"/>`,
          `<text class="label" x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle" fill="${colour}">${escapeXml(label)}</text>`,
        )
      }
      body.push(`<g class="message leg-${e.leg}${accused ? ' accused' : ''}">${parts.join('')}</g>`)
      y = top + MESSAGE_ROW
    } else if (e.direction === 'note') {
      y += 12
      const column = indexOf.get(e.observer)
      const text = escapeXml(cut(e.summary, NOTE_MAX_CHARS))
      const time = `<text class="time note-time" x="8" y="${y}">${escapeXml(offset(e.at))}</text>`
      if (column === undefined) {
        body.push(`<g class="note">${time}<text class="note" x="${TIME_WIDTH}" y="${y}">${text}</text></g>`)
      } else {
        const x = columnX(column)
        const right = column >= columns.length / 2 && columns.length > 1
        const anchor = right ? ` text-anchor="end"` : ''
        body.push(
          `<g class="note">${time}<text class="note" x="${right ? x - 6 : x + 6}" y="${y}"${anchor}>${text}</text></g>`,
        )
      }
      y += NOTE_ROW - 12
    }
    if (failure !== undefined && e === options.focus?.failedAfter) y = drawFailure(y)
  }
  if (failure !== undefined && options.focus?.failedAfter === undefined) y = drawFailure(y)
  if (events.length === 0) {
    body.push(`<text class="note" x="${TIME_WIDTH}" y="${y + 12}">no traffic recorded</text>`)
    y += NOTE_ROW
  }

  const height = y + 14
  const markers = Object.entries(LEG_COLOUR).map(
    ([leg, colour]) =>
      `<marker id="arrow-${leg}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="${colour}"/></marker>`,
  )
  const heads = columns.map((c, i) => {
    const x = columnX(i)
    const w = Math.min(gap - 16, Math.max(90, c.length * 7 + 20))
    return [
      `<line class="lifeline" x1="${x}" y1="${HEADER_TOP + HEADER_HEIGHT}" x2="${x}" y2="${height - 6}"/>`,
      `<rect class="head" x="${x - w / 2}" y="${HEADER_TOP}" width="${w}" height="${HEADER_HEIGHT}" rx="4"/>`,
      `<text class="head" x="${x}" y="${HEADER_TOP + 17}" text-anchor="middle">${escapeXml(cut(c, (w - 8) / 7))}</text>`,
    ].join('')
  })
  const legend = (['W1', 'W2', 'Mw'] as const).map(
    (leg, i) =>
      `<text class="legend" x="${width - 150 + i * 48}" y="22" fill="${LEG_COLOUR[leg]}">■ ${leg}</text>`,
  )
  const verdict = options.focus?.verdict
  const title = `${verdict !== undefined ? `${verdict}: ` : ''}${options.title ?? 'trace'}`
  const titleColour =
    verdict === undefined
      ? '#000000'
      : ((VERDICT_COLOURS as Readonly<Record<string, string>>)[verdict] ?? VERDICT_COLOURS['HARNESS ERROR'])
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(title)}</title>`,
    `<style>text{font-family:Helvetica,Arial,sans-serif;font-size:11px}.title{font-size:14px;font-weight:bold}` +
      `.time{fill:#616161;font-family:monospace;font-size:10px}.note-time{fill:#9e9e9e}` +
      `.note{fill:#757575;font-style:italic;font-size:10px}.head{fill:#eceff1;stroke:#546e7a}` +
      `text.head{fill:#263238;stroke:none;font-weight:bold}.lifeline{stroke:#b0bec5;stroke-dasharray:4 4}` +
      `.legend{font-size:11px;font-weight:bold}rect.accused{fill:#ffebe9;stroke:${FAILURE_COLOUR};stroke-width:1.5}` +
      `.accused text.label{font-weight:bold}text.failure{fill:${FAILURE_COLOUR};font-weight:bold}</style>`,
    `<defs>${markers.join('')}</defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="title" x="8" y="22" fill="${titleColour}">${escapeXml(cut(title, (width - 170) / 7.5))}</text>`,
    ...legend,
    ...heads,
    ...body,
    `</svg>`,
    '',
  ].join('\n')
}
