import { NETWORK_PARTY } from '../scscf/network-ua.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import { WicCall } from '../wic/wic-calls.ts'
import { Wic, type WicAuthorization } from '../wic/wic.ts'
import { SigningKeys } from '../wwsf/signing-keys.ts'
import { loadUser, loadWicOptions, type WorkerConfig } from './load-config.ts'
import type { TickRecorder } from './tick-recorder.ts'

/**
 * The authorized WICs of one generator thread: each arrival connects a new WIC over WSS, registers it (digest:
 * initial credentials, 401, answer, 200; or the WWSF's token), keeps it registered with refreshes at half the
 * granted expires for `holdS`, then closes it. Calls (INVITE with a WebRTC offer to the network's party behind
 * the mock core, 200, ACK, BYE) are placed from registered WICs. Every wait has the WIC's deadline (`waitMs`).
 */
export class LoadWics {
  private readonly registered = new Set<Wic>()
  private readonly open = new Set<Wic>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private keys: SigningKeys | undefined
  private nextUser: number
  private callCursor = 0
  private stopping = false

  constructor(
    private readonly config: WorkerConfig,
    private readonly recorder: TickRecorder,
    private readonly trace: TraceRecorder,
  ) {
    this.nextUser = config.index
  }

  async init(): Promise<void> {
    const token = this.config.target.token
    if (this.config.auth === 'token' && token !== undefined)
      this.keys = await SigningKeys.ensure(token.keyFile, token.alg)
  }

  get openCount(): number {
    return this.open.size
  }

  get registeredCount(): number {
    return this.registered.size
  }

  /** A new WIC arrives and registers; resolves once it is registered (or failed). */
  async arrive(holdS = this.config.holdS): Promise<void> {
    const n = this.nextUser
    this.nextUser += this.config.workers
    if (this.nextUser >= this.config.users) this.nextUser = this.config.index
    const user = loadUser(n, this.config.target.domain)
    const { target } = this.config
    const wic = await this.recorder.measure(
      'connect',
      () =>
        Wic.connect({
          ...loadWicOptions(target, `load-${n}`, user, this.trace),
          expires: this.config.expires,
        }),
      () => true,
    )
    if (wic === undefined) return
    if (this.stopping) return void wic.close()
    this.open.add(wic)
    wic.onClose(() => {
      this.open.delete(wic)
      this.registered.delete(wic)
    })
    const authorization = await this.authorization(user.impi, user.impu)
    const outcome = await this.recorder.measure('register', () => wic.register({ authorization }), okFinal)
    if (outcome === undefined || !isSuccess(outcome.final.status)) return void wic.close()
    this.registered.add(wic)
    this.scheduleRefresh(wic, granted(wic, this.config.expires))
    if (Number.isFinite(holdS)) this.later(holdS * 1000, () => void wic.close())
  }

  /** A call from one of the registered WICs (round robin); false when none is registered. */
  async call(): Promise<boolean> {
    const wics = [...this.registered]
    if (wics.length === 0) return false
    const wic = wics[this.callCursor++ % wics.length]!
    const call = WicCall.place(wic, NETWORK_PARTY)
    const final = await this.recorder.measure('invite', () => call.answered(), okFinal)
    if (final === undefined || !isSuccess(final.status)) return true
    if (this.config.callHoldMs > 0)
      await new Promise((resolve) => this.later(this.config.callHoldMs, () => resolve(undefined)))
    if (wic.closed) return true
    await this.recorder.measure('bye', () => call.hangUp(), okFinal)
    return true
  }

  /** Stops refreshes and closes every WIC, within `deadlineMs`. */
  async closeAll(deadlineMs: number): Promise<void> {
    this.stopping = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    const closing = Promise.allSettled([...this.open].map((wic) => wic.close()))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))])
    clearTimeout(timer)
  }

  private async authorization(impi: string, impu: string): Promise<WicAuthorization> {
    const token = this.config.target.token
    if (this.keys === undefined || token === undefined) return 'digest-initial'
    const bearer = await this.keys.issue(
      { issuer: token.issuer, audience: token.audience, ...(token.claims ? { claims: token.claims } : {}) },
      { impi, impus: [impu] },
    )
    return { bearer, carriage: token.carriage }
  }

  private scheduleRefresh(wic: Wic, expiresS: number): void {
    if (expiresS <= 0) return
    this.later((expiresS * 1000) / 2, async () => {
      if (wic.closed || this.stopping) return
      const outcome = await this.recorder.measure('refresh', () => wic.reRegister(), okFinal)
      if (outcome === undefined || !isSuccess(outcome.final.status)) {
        this.registered.delete(wic)
        return void wic.close()
      }
      this.scheduleRefresh(wic, granted(wic, expiresS))
    })
  }

  private later(ms: number, run: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void run()
    }, ms)
    this.timers.add(timer)
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}

/** Success for a 2xx final response, else the status as the failure reason. */
function okFinal(result: { final: { status: number } } | { status: number }): string | true {
  const status = 'final' in result ? result.final.status : result.status
  return isSuccess(status) ? true : `SIP ${status}`
}

/** Seconds the registrar granted this WIC (its binding's expires), else what it asked for. */
function granted(wic: Wic, asked: number): number {
  return wic.binding?.expires ?? asked
}
