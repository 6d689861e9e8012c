import type { TraceEvent } from './trace-event.ts'

/**
 * The one recorder every component writes to. A worker owns one recorder; a scenario takes a `mark()` when it
 * starts and reads `since(mark)` when it ends, so each scenario's report holds exactly the traffic of its time
 * (scenarios in one cucumber worker run one after another).
 */
export class TraceRecorder {
  private readonly events: TraceEvent[] = []
  private readonly listeners = new Set<(event: TraceEvent) => void>()
  private dropped = 0

  constructor(private readonly limit = 200_000) {}

  record(event: Omit<TraceEvent, 'at'> & { at?: number }): void {
    const full: TraceEvent = { ...event, at: event.at ?? performance.timeOrigin + performance.now() }
    if (this.events.length >= this.limit) {
      this.events.shift()
      this.dropped += 1
    }
    this.events.push(full)
    for (const listener of this.listeners) listener(full)
  }

  note(observer: string, summary: string, raw = ''): void {
    this.record({ observer, direction: 'note', leg: 'harness', summary, raw })
  }

  /** A position in the trace; pass it to `since` to get what happened after. */
  mark(): number {
    return this.dropped + this.events.length
  }

  since(mark: number): TraceEvent[] {
    return this.events.slice(Math.max(0, mark - this.dropped))
  }

  all(): readonly TraceEvent[] {
    return this.events
  }

  /** Live view (the `npm run serve` console). Returns the unsubscribe function. */
  subscribe(listener: (event: TraceEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
