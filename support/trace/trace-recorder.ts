import type { TraceEvent } from './trace-event.ts'

/**
 * What a recorder keeps, whatever the system under test sends (issue 7: a flooding SUT grew one scenario's trace
 * to gigabytes). Sizes are in characters of raw text (one per octet for the ASCII of SIP).
 */
export interface TraceLimits {
  /** Raw text kept of one event; the rest is cut with a marker saying how much. */
  readonly eventChars: number
  /** Events kept from the start of a scenario (from the last `mark()`)… */
  readonly headEvents: number
  /** …and raw text of those events. */
  readonly headChars: number
  /** Once the head is full, the latest events kept (a ring): how a flood ended. */
  readonly tailEvents: number
  readonly tailChars: number
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  eventChars: 64 * 1024,
  headEvents: 2000,
  headChars: 1024 * 1024,
  tailEvents: 100,
  tailChars: 512 * 1024,
}

/** One line of summary at most this long (a hostile request-URI can be megabytes). */
const SUMMARY_CHARS = 500

/**
 * The one recorder every component writes to. A worker owns one recorder; a scenario takes a `mark()` when it
 * starts and reads `since(mark)` when it ends, so each scenario's report holds exactly the traffic of its time
 * (scenarios in one cucumber worker run one after another).
 *
 * Bounded: `mark()` starts a new segment and lets the previous one go; within a segment the first events are
 * kept up to `headEvents`/`headChars`, then only the latest `tailEvents`/`tailChars`, and `since` puts a note
 * between the two saying how many events and characters were dropped. Every event's raw text is cut at
 * `eventChars`. Live subscribers (the `npm run serve` console) see every event, cut the same way.
 */
export class TraceRecorder {
  private readonly limits: TraceLimits
  private readonly listeners = new Set<(event: TraceEvent) => void>()
  /** Absolute index of the segment's first event. */
  private base = 0
  private head: TraceEvent[] = []
  private headChars = 0
  /** Set once an event did not fit the head: every later event goes to the tail, so order is kept. */
  private headClosed = false
  private tail: { index: number; event: TraceEvent }[] = []
  private tailChars = 0
  private droppedEvents = 0
  private droppedChars = 0
  private count = 0

  constructor(limits: Partial<TraceLimits> = {}) {
    this.limits = { ...DEFAULT_TRACE_LIMITS, ...limits }
  }

  record(event: Omit<TraceEvent, 'at'> & { at?: number }): void {
    const full: TraceEvent = {
      ...event,
      at: event.at ?? performance.timeOrigin + performance.now(),
      raw: cut(event.raw, this.limits.eventChars),
      summary:
        event.summary.length > SUMMARY_CHARS ? `${event.summary.slice(0, SUMMARY_CHARS)}…` : event.summary,
    }
    const index = this.base + this.count
    this.count += 1
    const size = full.raw.length
    if (
      !this.headClosed &&
      this.head.length < this.limits.headEvents &&
      this.headChars + size <= this.limits.headChars
    ) {
      this.head.push(full)
      this.headChars += size
    } else {
      this.headClosed = true
      this.tail.push({ index, event: full })
      this.tailChars += size
      while (
        this.tail.length > 0 &&
        (this.tail.length > this.limits.tailEvents || this.tailChars > this.limits.tailChars)
      ) {
        const gone = this.tail.shift()!
        this.tailChars -= gone.event.raw.length
        this.droppedEvents += 1
        this.droppedChars += gone.event.raw.length
      }
    }
    for (const listener of this.listeners) listener(full)
  }

  note(observer: string, summary: string, raw = ''): void {
    this.record({ observer, direction: 'note', leg: 'harness', summary, raw })
  }

  /** A position in the trace, and the start of a new segment (the previous one is let go); see `since`. */
  mark(): number {
    this.base += this.count
    this.count = 0
    this.head = []
    this.headChars = 0
    this.headClosed = false
    this.tail = []
    this.tailChars = 0
    this.droppedEvents = 0
    this.droppedChars = 0
    return this.base
  }

  /** The events kept since `mark`, with a note where events were dropped. A mark of an earlier segment: all kept. */
  since(mark: number): TraceEvent[] {
    const from = Math.max(0, mark - this.base)
    const out = this.head.slice(from)
    if (this.droppedEvents > 0) out.push(this.cutNote())
    for (const { index, event } of this.tail) if (index >= mark) out.push(event)
    return out
  }

  /** The events kept of the current segment (everything, when nothing was marked and nothing was dropped). */
  all(): readonly TraceEvent[] {
    return this.since(this.base)
  }

  /** Events and raw characters dropped from the current segment so far. */
  get dropped(): { readonly events: number; readonly chars: number } {
    return { events: this.droppedEvents, chars: this.droppedChars }
  }

  /** Live view (the `npm run serve` console). Returns the unsubscribe function. */
  subscribe(listener: (event: TraceEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private cutNote(): TraceEvent {
    const { headEvents, headChars, tailEvents } = this.limits
    const at = this.tail[0]?.event.at ?? this.head.at(-1)?.at ?? performance.timeOrigin + performance.now()
    return {
      at,
      observer: 'harness',
      direction: 'note',
      leg: 'harness',
      raw: '',
      summary:
        `[trace cut: ${this.droppedEvents.toLocaleString('en-US')} events ` +
        `(${this.droppedChars.toLocaleString('en-US')} characters of raw text) not kept; the trace keeps the ` +
        `first ${this.head.length.toLocaleString('en-US')} events of the scenario (limits ${headEvents} events, ` +
        `${headChars} characters) and the last ${tailEvents}, which follow]`,
    }
  }
}

/** `raw` cut at `limit` characters, with a marker saying how much was left out. */
export function cut(raw: string, limit: number): string {
  if (raw.length <= limit) return raw
  return `${raw.slice(0, limit)}\n[… cut: ${(raw.length - limit).toLocaleString('en-US')} more characters not kept (limit ${limit.toLocaleString('en-US')} per event)]`
}

/** The line `cut` appends to what it kept. */
const CUT_LINE = /\n\[… cut: [^\n]*\]$/

/** Whether a recorded raw text is `raw` itself, or what `cut` kept of it. */
export function recordedFrom(recorded: string, raw: string): boolean {
  if (recorded === raw) return true
  const line = CUT_LINE.exec(recorded)
  const kept = line === null ? '' : recorded.slice(0, line.index)
  return kept !== '' && raw.startsWith(kept)
}
