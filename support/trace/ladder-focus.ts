import type { TraceEvent } from './trace-event.ts'
import { traceMessages } from './trace-messages.ts'
import { recordedFrom } from './trace-recorder.ts'
import { traceSummary } from './trace-text.ts'

/**
 * What the ladders of a scenario (ladder.svg, ladder.txt) show of its verdict: the verdict in the title, where the
 * scenario failed, and, when the system under test is at fault, the message it is blamed for.
 *
 * A check that judged a message names it (ConformanceFailure.judgedRaw): that message is blamed, found in the trace
 * by its raw text. Otherwise the blamed message is chosen, and labelled as chosen, from the wording of the
 * failure among the messages the system under test sent before the failing step ended: the one whose method, status
 * code ("got 200 OK"), WebSocket upgrade and leg ("at the S-CSCF": Mw; "at the WIC": W2) the failure names, the
 * latest of the best; else the last one it sent. The failure itself is drawn at the point in time it happened (after
 * the last event recorded by then), so that the teardown's traffic after it is not mistaken for its cause.
 */
export interface LadderFocus {
  /** `PASS`, `FAIL`, …: shown in the title. */
  readonly verdict: string
  /** One line: `FAIL [MUST RFC 3327 §5 (R15)]: expected a Path …`; absent for a pass. */
  readonly failure?: string | undefined
  /** The last event recorded when the scenario failed: the failure is drawn after it (else at the end). */
  readonly failedAfter?: TraceEvent | undefined
  /** The message blamed (see above); only when the system under test is the side at fault. */
  readonly accused?: TraceEvent | undefined
  /** How the blamed message was chosen, shown beside it. */
  readonly accusedLabel?: string | undefined
}

/** Observers that are the system under test: the reference eP-CSCF (an external one records nothing). */
const SUT_OBSERVER = /\beP-CSCF\b/
const METHOD =
  /\b(REGISTER|INVITE|ACK|BYE|CANCEL|OPTIONS|SUBSCRIBE|NOTIFY|MESSAGE|UPDATE|PRACK|REFER|INFO|PUBLISH)\b/
const GOT_STATUS = /\b(?:got|answered(?: with)?|with) (?:an? )?(?:HTTP )?([1-6]\d\d)\b/
const UPGRADE = /\b(?:upgrade|handshake|origin)/i

/** What the failure's wording says of the message it judged. */
function hints(failure: string): { method?: string; status?: string; upgrade: boolean; leg?: string } {
  const leg = /S-CSCF|\bMw\b/.test(failure) ? 'Mw' : /\bWIC\b|\bW2\b/.test(failure) ? 'W2' : undefined
  const method = METHOD.exec(failure)?.[1]
  const status = GOT_STATUS.exec(failure)?.[1]
  return {
    ...(method ? { method } : {}),
    ...(status ? { status } : {}),
    upgrade: UPGRADE.test(failure),
    ...(leg ? { leg } : {}),
  }
}

/**
 * The message the system under test is blamed for among `events` up to and including `upTo` (all when absent):
 * among the messages it sent (recorded as sent by the reference eP-CSCF, or, for a SUT that records nothing, received
 * by a harness component on W2 or Mw and sent by none), the one the failure's wording fits best, the latest of
 * those; with how it was chosen.
 */
export function accusedMessage(
  events: readonly TraceEvent[],
  upTo?: TraceEvent,
  failure = '',
): { readonly event: TraceEvent; readonly label: string } | undefined {
  const fromSut = messagesFromSut(events, upTo)
  const want = hints(failure)
  let best: { event: TraceEvent; score: number; matched: string[] } | undefined
  for (const { event } of fromSut) {
    const matched = [
      ...(want.status && new RegExp(`(^|\\s)${want.status}\\b`).test(event.summary) ? [want.status] : []),
      ...(want.method && new RegExp(`\\b${want.method}\\b`).test(event.summary) ? [want.method] : []),
      ...(want.upgrade && /WS upgrade/.test(event.summary) ? ['WebSocket upgrade'] : []),
      ...(want.leg === event.leg ? [want.leg] : []),
    ]
    const score = matched.reduce((sum, m) => sum + (m === want.leg ? 1 : 2), 0)
    if (best === undefined || score >= best.score) best = { event, score, matched }
  }
  if (best === undefined) return undefined
  const label =
    best.score > 0
      ? `blamed: the last message from the system under test before the check failed that fits the failure (${best.matched.join(', ')})`
      : 'blamed: the last message from the system under test before the check failed'
  return { event: best.event, label }
}

/**
 * The message a check judged, among the messages the system under test sent up to `upTo`: the latest whose raw
 * text is the judged one (or, for an event the recorder cut, begins with the part it kept).
 */
function judgedMessage(
  events: readonly TraceEvent[],
  upTo: TraceEvent | undefined,
  raw: string | undefined,
): { readonly event: TraceEvent; readonly label: string } | undefined {
  if (raw === undefined || raw === '') return undefined
  const event = messagesFromSut(events, upTo).findLast((m) => recordedFrom(m.event.raw, raw))?.event
  return event === undefined ? undefined : { event, label: 'blamed: the message the failing check judged' }
}

/**
 * The messages the system under test sent among `events` up to and including `upTo`: recorded as sent by the
 * reference eP-CSCF, or, for a SUT that records nothing, received by a harness component on W2 or Mw and sent by
 * none.
 */
function messagesFromSut(events: readonly TraceEvent[], upTo: TraceEvent | undefined) {
  const end = upTo === undefined ? events.length : events.indexOf(upTo) + 1
  return traceMessages(events.slice(0, end)).filter((m) =>
    m.sender !== undefined
      ? SUT_OBSERVER.test(m.sender)
      : m.event.direction === 'received' && (m.event.leg === 'W2' || m.event.leg === 'Mw'),
  )
}

/**
 * The ladder's focus for a finished scenario: `failedAfter` is the last event recorded when its first error was
 * raised (undefined: it failed before any traffic, or it passed), `sutAtFault` whether the verdict blames the SUT.
 */
export function ladderFocus(
  events: readonly TraceEvent[],
  verdict: {
    readonly verdict: string
    readonly failure?: string | undefined
    readonly sutAtFault: boolean
    /** The raw text of the message the failing check judged, when it named one. */
    readonly judgedRaw?: string | undefined
  },
  failedAfter: TraceEvent | undefined,
): LadderFocus {
  const at = failedAfter !== undefined && events.includes(failedAfter) ? failedAfter : undefined
  const accused = !verdict.sutAtFault
    ? undefined
    : (judgedMessage(events, at, verdict.judgedRaw) ?? accusedMessage(events, at, verdict.failure))
  return {
    verdict: verdict.verdict,
    failure: verdict.failure,
    failedAfter: at,
    ...(accused ? { accused: accused.event, accusedLabel: accused.label } : {}),
  }
}

/** ladder.txt's lines: one per event, the blamed message marked, and the failure at the point it happened. */
export function ladderText(events: readonly TraceEvent[], focus?: LadderFocus): string {
  const failureLine = focus?.failure ? `✗ ${focus.failure}` : undefined
  const lines: string[] = []
  for (const e of events) {
    const line = traceSummary([e])
    lines.push(e === focus?.accused ? `${line}   ◀ ${focus.accusedLabel ?? 'blamed'}` : line)
    if (failureLine !== undefined && e === focus?.failedAfter) lines.push(failureLine)
  }
  if (failureLine !== undefined && focus?.failedAfter === undefined) lines.push(failureLine)
  return lines.join('\n')
}
