import type { TraceEndpoint, TraceEvent } from './trace-event.ts'

/** `WSS 127.0.0.1:7443` */
export function formatEndpoint(endpoint: TraceEndpoint | undefined): string {
  return endpoint === undefined ? '?' : `${endpoint.transport} ${endpoint.address}:${endpoint.port}`
}

function clock(at: number): string {
  const date = new Date(at)
  const micro = Math.floor((at % 1) * 1000)
  return `${date.toISOString().slice(11, 23)}${String(micro).padStart(3, '0')}`
}

/** One line per event: time, leg, observer, direction, endpoints and summary. The scenario's ladder in text. */
export function traceSummary(events: readonly TraceEvent[]): string {
  return events
    .map((e) => {
      // The observer's own end first: `mine → theirs` when sent, `mine ← theirs` when received.
      const route =
        e.direction === 'sent'
          ? ` ${formatEndpoint(e.from)} → ${formatEndpoint(e.to)}`
          : e.direction === 'received'
            ? ` ${formatEndpoint(e.to)} ← ${formatEndpoint(e.from)}`
            : ''
      return `${clock(e.at)} [${e.leg}] ${e.observer} ${e.direction}${route}  ${e.summary}`
    })
    .join('\n')
}

/** The whole trace: the summary line of each event followed by its raw text, in order. */
export function traceFull(events: readonly TraceEvent[]): string {
  return events
    .map((e) => {
      const head = traceSummary([e])
      const body = e.raw === '' ? '' : `\n${e.raw.replace(/\r\n/g, '\n').replace(/^/gm, '    ')}`
      return `${head}${body}`
    })
    .join('\n\n')
}
