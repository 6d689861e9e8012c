import { HarnessError, NoAnswer, TransportClosed } from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'

/** One inbound SIP message that no client transaction of the WIC consumed. */
export interface InboxEntry {
  readonly message: SipRequest | SipResponse
  readonly at: number
}

/** Input that did not parse as SIP; kept so that a failed expectation can say it arrived. */
export interface InvalidEntry {
  readonly raw: string
  readonly reason: string
  readonly at: number
}

export interface Expectation {
  readonly predicate?: ((message: SipRequest | SipResponse) => boolean) | undefined
  /** What is awaited, in words: `a BYE`, `the 200 OK to the INVITE`. */
  readonly description: string
}

interface Waiter {
  readonly expectation: Expectation
  readonly resolve: (message: SipRequest | SipResponse) => void
  readonly reject: (error: Error) => void
  readonly startedAt: number
}

/** What the inbox keeps: unmatched messages, unparseable inputs, and the characters of each unparseable one. */
export interface InboxLimits {
  readonly messages: number
  readonly invalid: number
  readonly invalidChars: number
}

export const DEFAULT_INBOX_LIMITS: InboxLimits = { messages: 500, invalid: 100, invalidChars: 4096 }

/**
 * The WIC's queue of inbound messages for expectations. An expectation takes the first queued (or the next
 * arriving) message that matches it; messages that match nothing stay queued, in arrival order, so that a later
 * expectation can still take them, and are listed in the error of an expectation that runs past its deadline.
 *
 * Bounded (issue 7: a NOTIFY flood grew it to gigabytes): beyond `limits.messages` unmatched messages the oldest
 * is dropped, and so for unparseable inputs; the drops are counted and named in every "arrived instead".
 */
export class Inbox {
  private readonly queue: InboxEntry[] = []
  private readonly invalid: InvalidEntry[] = []
  private readonly waiters: Waiter[] = []
  private closedReason: string | undefined
  private droppedMessages = 0
  private droppedInvalid = 0

  /**
   * @param who the observer, e.g. `WIC alice`
   * @param peer who the messages come from, e.g. `the eP-CSCF at wss://127.0.0.1:7443/`
   */
  constructor(
    private readonly who: string,
    private readonly peer: string,
    private readonly limits: InboxLimits = DEFAULT_INBOX_LIMITS,
  ) {}

  /** Unmatched messages and unparseable inputs dropped because the inbox was full. */
  get dropped(): { readonly messages: number; readonly invalid: number } {
    return { messages: this.droppedMessages, invalid: this.droppedInvalid }
  }

  /** Messages queued and not taken by any expectation yet, oldest first. */
  get pending(): readonly InboxEntry[] {
    return this.queue
  }

  get invalidInputs(): readonly InvalidEntry[] {
    return this.invalid
  }

  push(message: SipRequest | SipResponse, at = Date.now()): void {
    for (const waiter of [...this.waiters]) {
      let matched: boolean
      try {
        matched = matches(waiter.expectation, message)
      } catch (error) {
        // A predicate that throws is a bug in the scenario: fail that expectation rather than hide it.
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.reject(error instanceof Error ? error : new Error(String(error)))
        continue
      }
      if (matched) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve(message)
        return
      }
    }
    if (this.queue.length >= this.limits.messages) {
      this.queue.shift()
      this.droppedMessages += 1
    }
    this.queue.push({ message, at })
  }

  pushInvalid(raw: string, reason: string, at = Date.now()): void {
    if (this.invalid.length >= this.limits.invalid) {
      this.invalid.shift()
      this.droppedInvalid += 1
    }
    const kept =
      raw.length > this.limits.invalidChars
        ? `${raw.slice(0, this.limits.invalidChars)}[… ${raw.length - this.limits.invalidChars} more characters cut]`
        : raw
    this.invalid.push({ raw: kept, reason, at })
  }

  /**
   * The first queued message matching `expectation`, else the next one to arrive within `withinMs`. Rejects
   * with HarnessError('SIP_TIMEOUT_AWAITING') at the deadline, or HarnessError('TRANSPORT_CLOSED') when the
   * connection closes first; both name what was awaited, from whom and what arrived instead.
   */
  take(expectation: Expectation, withinMs: number): Promise<SipRequest | SipResponse> {
    let index: number
    try {
      index = this.queue.findIndex((e) => matches(expectation, e.message))
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    if (index >= 0) {
      const [entry] = this.queue.splice(index, 1)
      return Promise.resolve(entry!.message)
    }
    if (this.closedReason !== undefined) return Promise.reject(this.closedError(expectation, Date.now()))
    return new Promise((resolve, reject) => {
      const startedAt = Date.now()
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(
          new NoAnswer(
            `${this.who} expected ${expectation.description} from ${this.peer} within ${withinMs} ms; ` +
              this.arrivedInstead(startedAt),
          ),
        )
      }, withinMs)
      const waiter: Waiter = {
        expectation,
        startedAt,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      this.waiters.push(waiter)
    })
  }

  /** Fails every pending expectation: the connection is gone, nothing more will arrive. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return
    this.closedReason = reason
    const now = Date.now()
    for (const w of this.waiters.splice(0)) w.reject(this.closedError(w.expectation, w.startedAt, now))
  }

  /** `arrived instead: 200 OK (REGISTER), INVITE sip:...` or `nothing arrived`. */
  arrivedInstead(since: number): string {
    const items = [
      ...this.queue.map((e) => ({ at: e.at, text: e.message.summary() })),
      ...this.invalid
        .filter((e) => e.at >= since)
        .map((e) => ({ at: e.at, text: `unparseable (${e.reason})` })),
    ].sort((a, b) => a.at - b.at)
    const dropped = this.droppedMessages + this.droppedInvalid
    const lost =
      dropped === 0
        ? ''
        : ` (${dropped} older input${dropped === 1 ? '' : 's'} dropped: the inbox keeps ${this.limits.messages} messages and ${this.limits.invalid} unparseable inputs)`
    if (items.length === 0) return dropped === 0 ? 'nothing arrived' : `nothing kept arrived${lost}`
    const shown = items.slice(-10).map((i) => i.text)
    const more = items.length > shown.length ? ` (and ${items.length - shown.length} earlier)` : ''
    return `arrived instead: ${shown.join(', ')}${more}${lost}`
  }

  private closedError(expectation: Expectation, startedAt: number, now = Date.now()): HarnessError {
    return new TransportClosed(
      `${this.who} expected ${expectation.description} from ${this.peer}, but the connection closed ` +
        `(${this.closedReason ?? 'closed'}) after ${now - startedAt} ms; ${this.arrivedInstead(startedAt)}`,
    )
  }
}

function matches(expectation: Expectation, message: SipRequest | SipResponse): boolean {
  return expectation.predicate === undefined || expectation.predicate(message)
}
