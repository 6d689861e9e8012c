import { NoAnswer } from '../errors.ts'
import type { SipRequest } from '../sip/message.ts'
import { parseUri } from '../sip/uri.ts'
import { parseViaList } from '../sip/via.ts'
import type { Flow } from '../transport/peer.ts'

/**
 * What a request is to the scenario: `scenario` traffic (what the WIC's actions caused), or the eP-CSCF's own
 * background traffic that a scenario never reasons on: its OPTIONS keep-alive probes (`keep-alive`) and its
 * reg-event subscription (`reg-event`, TS 24.229 §5.2.3). Background requests stay in the log, flagged.
 */
export type RequestKind = 'scenario' | 'keep-alive' | 'reg-event'

/** One request the mock received: the message, the flow it came on, when (ms since the epoch), and its kind. */
export interface ReceivedRequest {
  readonly request: SipRequest
  readonly flow: Flow
  readonly at: number
  readonly kind: RequestKind
}

/** What a scenario step waits for: a method, a predicate, or both. */
export interface RequestMatch {
  readonly method?: string
  readonly predicate?: (request: SipRequest) => boolean
  /** Which kinds may match. Default only `scenario`: background traffic never satisfies a scenario's wait. */
  readonly kinds?: readonly RequestKind[]
}

/**
 * The kind of a request as it arrived. A request the eP-CSCF originated itself has one Via value (its own): a
 * request it forwards carries the WIC's Via below its own (RFC 3261 §16.6 step 8). Of those, an out-of-dialog
 * OPTIONS to a node (a Request-URI without user part, as Kamailio's dispatcher sends) is a keep-alive probe, and
 * a SUBSCRIBE to the reg event is its registration-state subscription.
 */
export function classify(request: SipRequest): RequestKind {
  let vias: number
  try {
    vias = request.getAll('Via').flatMap(parseViaList).length
  } catch {
    return 'scenario'
  }
  if (vias !== 1) return 'scenario'
  if (request.method === 'OPTIONS' && !/;\s*tag\s*=/i.test(request.get('To') ?? '') && !toUser(request.uri))
    return 'keep-alive'
  if (request.method === 'SUBSCRIBE' && /^\s*reg\s*(;|$)/i.test(request.get('Event') ?? ''))
    return 'reg-event'
  return 'scenario'
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

  /** Scenario traffic received since the last clear, in arrival order (background requests left out). */
  get entries(): readonly ReceivedRequest[] {
    return this.list.filter((e) => e.kind === 'scenario')
  }

  /** Everything received since the last clear, background requests included (see `kind`). */
  get all(): readonly ReceivedRequest[] {
    return this.list
  }

  /** Records a request; its kind is classified from the message when not given. */
  add(received: Omit<ReceivedRequest, 'kind'> & { readonly kind?: RequestKind }): void {
    const entry: ReceivedRequest = { ...received, kind: received.kind ?? classify(received.request) }
    this.list.push(entry)
    const waiter = this.waiters.find((w) => matches(w.match, entry))
    if (waiter) {
      this.consumed.add(entry)
      this.settle(waiter)
      waiter.resolve(entry)
    }
  }

  /** Scenario traffic received and not consumed by any `expect()` yet. */
  unconsumed(): ReceivedRequest[] {
    return this.list.filter((e) => e.kind === 'scenario' && !this.consumed.has(e))
  }

  /**
   * The first unconsumed request matching `match`, now or when it arrives; rejects with
   * HarnessError('SIP_TIMEOUT_AWAITING') after `withinMs`, naming what was awaited and what arrived instead.
   */
  expect(match: RequestMatch, opts: ExpectOptions): Promise<ReceivedRequest> {
    const ready = this.list.find((e) => !this.consumed.has(e) && matches(match, e))
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

function matches(match: RequestMatch, entry: ReceivedRequest): boolean {
  const request = entry.request
  if (!(match.kinds ?? ['scenario']).includes(entry.kind)) return false
  if (match.method !== undefined && request.method.toUpperCase() !== match.method.toUpperCase()) return false
  try {
    return match.predicate === undefined || match.predicate(request)
  } catch {
    return false // a predicate that throws on a hostile request does not match it
  }
}

/** `sip:127.0.0.1:5070` names a node, `sip:bob@ims.test` (or a tel: URI) a user; unparseable counts as a user. */
function toUser(uri: string): boolean {
  try {
    const parsed = parseUri(uri)
    return parsed.scheme === 'tel' || parsed.user !== undefined
  } catch {
    return true
  }
}
