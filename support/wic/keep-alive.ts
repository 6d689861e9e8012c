import type { BaseFlow } from '../transport/base-flow.ts'

/** A double CRLF: the keep-alive "ping" of RFC 5626 §4.4.1. */
export const CRLF_PING = '\r\n\r\n'
/** A single CRLF: the "pong" that answers it. */
export const CRLF_PONG = '\r\n'

/** What came back after a keep-alive ping. */
export type KeepAliveOutcome =
  | { readonly answered: true; readonly afterMs: number }
  | {
      readonly answered: false
      readonly waitedMs: number
      /** CR/LF-only inputs that arrived but were not a single CRLF (e.g. a ping back), as escaped text. */
      readonly instead: readonly string[]
      /** Set when the flow closed before the pong: the close reason. */
      readonly closed?: string
    }

/**
 * Sends `bytes` (by default the double-CRLF ping) as they are on the WIC's flow (a WebSocket message on W2) and
 * awaits a single CRLF, the pong, within `withinMs`. RFC 5626 §4.4.1 (quoted from memory): "the UA periodically
 * ... sends a double-CRLF (the "ping") then waits to receive a single CRLF (the "pong")". The outcome is evidence
 * for a check to judge (a missing pong is a deviation only where the profile says the SUT answers keep-alives);
 * only a failure to send rejects. The ping and the pong are in the trace (base-flow.ts records keep-alives).
 */
export async function pingForPong(
  flow: Pick<BaseFlow, 'sendRaw' | 'onKeepAlive' | 'onClose' | 'closed'>,
  withinMs: number,
  bytes: string | Buffer = CRLF_PING,
): Promise<KeepAliveOutcome> {
  const instead: string[] = []
  let settle: (outcome: KeepAliveOutcome) => void = () => {}
  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  const outcome = new Promise<KeepAliveOutcome>((resolve) => (settle = resolve))
  const unsubscribe = flow.onKeepAlive((raw) => {
    if (raw === CRLF_PONG) settle({ answered: true, afterMs: elapsed() })
    else instead.push(JSON.stringify(raw))
  })
  flow.onClose((reason) => settle({ answered: false, waitedMs: elapsed(), instead, closed: reason }))
  const timer = setTimeout(() => settle({ answered: false, waitedMs: elapsed(), instead }), withinMs)
  try {
    await flow.sendRaw(bytes)
    return await outcome
  } finally {
    clearTimeout(timer)
    unsubscribe()
  }
}

/** One sentence for a check's message: `pong after 3 ms`, `no pong within 2000 ms (connection closed: …)`. */
export function describeKeepAlive(outcome: KeepAliveOutcome): string {
  if (outcome.answered) return `a single CRLF (pong) arrived after ${outcome.afterMs} ms`
  const closed = outcome.closed === undefined ? '' : `; the connection closed (${outcome.closed})`
  const instead =
    outcome.instead.length === 0 ? '' : `; CR/LF-only input instead: ${outcome.instead.join(', ')}`
  return `no single CRLF (pong) within ${outcome.waitedMs} ms${closed}${instead}`
}
