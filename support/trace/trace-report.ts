import type { TraceEvent } from './trace-event.ts'

/**
 * Bounds of what one scenario attaches to the reports (issue 7: a flooding SUT left gigabytes of reports). The
 * trace itself is bounded by the recorder (trace-recorder.ts); these caps keep each attachment under a size a
 * browser opens, whatever the SUT sent, and say where something was left out.
 */
export const ATTACHMENT_CHARS = 4 * 1024 * 1024

/** Messages drawn in the SVG ladder: the first ones, a note of how many were left out, and the last ones. */
export const LADDER_HEAD = 300
export const LADDER_TAIL = 50

/** `text` cut at `limit` characters with a marker at the end saying how much was cut. */
export function cappedText(text: string, what: string, limit = ATTACHMENT_CHARS): string {
  if (text.length <= limit) return text
  return (
    `${text.slice(0, limit)}\n\n[${what} cut: ${(text.length - limit).toLocaleString('en-US')} more characters ` +
    `not attached (limit ${limit.toLocaleString('en-US')} characters per attachment)]\n`
  )
}

/** The events the SVG ladder draws: all when they are few, else the first and last ones around a note. */
export function ladderEvents(events: readonly TraceEvent[]): readonly TraceEvent[] {
  if (events.length <= LADDER_HEAD + LADDER_TAIL + 1) return events
  const head = events.slice(0, LADDER_HEAD)
  const tail = events.slice(-LADDER_TAIL)
  const left = events.length - head.length - tail.length
  const note: TraceEvent = {
    at: tail[0]?.at ?? 0,
    observer: 'harness',
    direction: 'note',
    leg: 'harness',
    raw: '',
    summary: `[ladder cut: ${left.toLocaleString('en-US')} events not drawn; sip-trace.txt has every event kept]`,
  }
  return [...head, note, ...tail]
}
