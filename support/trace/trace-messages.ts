import type { TraceEvent } from './trace-event.ts'

/** One message on the wire, drawn once although two components may have recorded it. */
export interface TraceMessage {
  /** The event that stands for the message: the sender's `sent` event, else the receiver's `received` one. */
  readonly event: TraceEvent
  /** Observer of the `sent` event, when the sender is a harness component (or the reference eP-CSCF). */
  readonly sender?: string | undefined
  /** Observer of the matching `received` event, when a harness component recorded its arrival. */
  readonly receiver?: string | undefined
}

/**
 * Each message once, in trace order. Every `sent` event is a message; a `received` event is paired with the
 * first not yet paired `sent` event of the same raw text, and is a message of its own only when there is none
 * (traffic from an external eP-CSCF, which records nothing). Notes are left out.
 */
export function traceMessages(events: readonly TraceEvent[]): TraceMessage[] {
  const unpaired = new Map<string, number[]>()
  const receiverOf = new Map<number, string>()
  const pairedReceived = new Set<number>()
  events.forEach((e, i) => {
    if (e.direction !== 'sent' || e.raw === '') return
    const list = unpaired.get(e.raw)
    if (list === undefined) unpaired.set(e.raw, [i])
    else list.push(i)
  })
  events.forEach((e, i) => {
    if (e.direction !== 'received' || e.raw === '') return
    const sentIndex = unpaired.get(e.raw)?.shift()
    if (sentIndex === undefined) return
    receiverOf.set(sentIndex, e.observer)
    pairedReceived.add(i)
  })
  const messages: TraceMessage[] = []
  events.forEach((event, i) => {
    if (event.direction === 'sent')
      messages.push({ event, sender: event.observer, receiver: receiverOf.get(i) })
    else if (event.direction === 'received' && !pairedReceived.has(i))
      messages.push({ event, receiver: event.observer })
  })
  return messages
}

/** A SIP request line (`INVITE sip:x SIP/2.0`) or status line (`SIP/2.0 200 OK`) at the start of the text. */
export function isSipMessage(raw: string): boolean {
  return /^(?:[A-Za-z!%'*+\-.^_`|~0-9]+ \S+ SIP\/2\.0\r?\n|SIP\/2\.0 \d{3}[ \r\n])/.test(raw)
}
