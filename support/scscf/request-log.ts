import { NoAnswer } from '../errors.ts'
import type { SipRequest } from '../sip/message.ts'
import type { Flow } from '../transport/peer.ts'

/** One request the mock received: the message, the flow it came on, and when (ms since the epoch). */
export interface ReceivedRequest {
  readonly request: SipRequest
  readonly flow: Flow
  readonly at: number
}

/** What a scenario step waits for: a method, a predicate, or both. */
export interface RequestMatch {
  readonly method?: string
  readonly predicate?: (request: SipRequest) => boolean
}

export interface ExpectOptions {
  /** Deadline: the wait fails after this many ms. */
  readonly withinMs: number
  /** How the awaited request is named in the failure ("REGISTER with auth-done"). Default: the method. */
  readonly description?: string
}

interface Waiter {
  readonly match: RequestMatch
  readonly resolve: (entry: ReceivedRequest) => void
  readonly reject: (error: Error) => void
  readonly timer: NodeJS.Timeout
}

/**
 * Every request received, in arrival order, with a consumption cursor: `expect()` takes the first request not yet
 * consumed that matches (waiting for it until the deadline), so each scenario step consumes what it checks and a
 * later step never re-reads an earlier step's request. Requests a step passes over stay available.
 */
export class RequestLog {
  private readonly list: ReceivedRequest[] = []
  private readonly consumed = new Set<ReceivedRequest>()
  private waiters: Waiter[] = []

  constructor(private readonly observer: string) {}

  /** Everything received since the last clear, in arrival order. */
  get entries(): readonly ReceivedRequest[] {
    return this.list
  }

  add(entry: ReceivedRequest): void {
    this.list.push(entry)
    const waiter = this.waiters.find((w) => matches(w.match, entry.request))
    if (waiter) {
      this.consumed.add(entry)
      this.settle(waiter)
      waiter.resolve(entry)
    }
  }

  /** Received and not consumed by any `expect()` yet. */
  unconsumed(): ReceivedRequest[] {
    return this.list.filter((e) => !this.consumed.has(e))
  }

  /**
   * The first unconsumed request matching `match`, now or when it arrives; rejects with
   * HarnessError('SIP_TIMEOUT_AWAITING') after `withinMs`, naming what was awaited and what arrived instead.
   */
  expect(match: RequestMatch, opts: ExpectOptions): Promise<ReceivedRequest> {
    const ready = this.list.find((e) => !this.consumed.has(e) && matches(match, e.request))
    if (ready) {
      this.consumed.add(ready)
      return Promise.resolve(ready)
    }
    return new Promise<ReceivedRequest>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter)
          reject(new NoAnswer(this.timeoutText(match, opts)))
        }, opts.withinMs),
      }
      this.waiters.push(waiter)
    })
  }

  /** Forgets everything; pending waits fail with `reason`. */
  clear(reason: string): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(new NoAnswer(`${this.observer}: wait abandoned: ${reason}`))
    }
    this.waiters = []
    this.list.length = 0
    this.consumed.clear()
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer)
    this.waiters = this.waiters.filter((w) => w !== waiter)
  }

  private timeoutText(match: RequestMatch, opts: ExpectOptions): string {
    const what = opts.description ?? match.method ?? 'a request'
    const instead = this.unconsumed().map((e) => e.request.summary())
    const earlier =
      this.consumed.size > 0 ? ` (${this.consumed.size} earlier consumed by previous steps)` : ''
    return (
      `${this.observer} expected ${what} within ${opts.withinMs} ms; ` +
      `received: ${instead.length > 0 ? instead.join(', ') : 'nothing'}${earlier}`
    )
  }
}

function matches(match: RequestMatch, request: SipRequest): boolean {
  if (match.method !== undefined && request.method.toUpperCase() !== match.method.toUpperCase()) return false
  try {
    return match.predicate === undefined || match.predicate(request)
  } catch {
    return false // a predicate that throws on a hostile request does not match it
  }
}
