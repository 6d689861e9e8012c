import { MAX_PENDING_INBOUND } from './limits.ts'
import type { Inbound, InvalidInbound } from './peer.ts'

/**
 * Fan-out of inbound messages to the registered handlers. Input that arrives before the first handler of its
 * kind is registered is queued and delivered on registration, so nothing received between "connected" and
 * "handler attached" is lost; the queue holds at most MAX_PENDING_INBOUND of each kind (a flooding peer with
 * nobody listening cannot grow it), the oldest dropped first and counted in `dropped`.
 */
export class InboundHub {
  private readonly messageHandlers: ((m: Inbound) => void)[] = []
  private readonly invalidHandlers: ((m: InvalidInbound) => void)[] = []
  private pendingMessages: Inbound[] = []
  private pendingInvalid: InvalidInbound[] = []
  /** Queued inputs dropped because the queue was full. */
  dropped = 0

  /** @param onHandlerError called when a handler throws, so that one bad handler cannot kill a socket. */
  constructor(private readonly onHandlerError: (error: unknown) => void) {}

  onMessage(handler: (m: Inbound) => void): void {
    this.messageHandlers.push(handler)
    const queued = this.pendingMessages
    this.pendingMessages = []
    for (const m of queued) this.call(handler, m)
  }

  onInvalid(handler: (m: InvalidInbound) => void): void {
    this.invalidHandlers.push(handler)
    const queued = this.pendingInvalid
    this.pendingInvalid = []
    for (const m of queued) this.call(handler, m)
  }

  message(m: Inbound): void {
    if (this.messageHandlers.length === 0) this.queue(this.pendingMessages, m)
    for (const handler of [...this.messageHandlers]) this.call(handler, m)
  }

  invalid(m: InvalidInbound): void {
    if (this.invalidHandlers.length === 0) this.queue(this.pendingInvalid, m)
    for (const handler of [...this.invalidHandlers]) this.call(handler, m)
  }

  private queue<T>(pending: T[], m: T): void {
    if (pending.length >= MAX_PENDING_INBOUND) {
      pending.shift()
      this.dropped += 1
    }
    pending.push(m)
  }

  private call<T>(handler: (m: T) => void, m: T): void {
    try {
      handler(m)
    } catch (error) {
      this.onHandlerError(error)
    }
  }
}
