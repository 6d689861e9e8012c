import { connect, type Socket } from 'node:net'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import { WsHandshakeError } from '../transport/ws-handshake-error.ts'
import { WssClient } from '../transport/wss-client.ts'
import { Wic } from '../wic/wic.ts'
import { loadUser, loadWicOptions, type TargetConfig } from './load-config.ts'
import { failureReason, type TickRecorder } from './tick-recorder.ts'

/** The three attacks of the flood, taken in turn. */
const ATTACKS = ['origin', 'register', 'half-open'] as const

/**
 * What an attacker sends while authorized WICs keep registering (issue 12, SA3's availability question):
 * - `flood-origin`: a WebSocket upgrade from an unauthorized Origin; success = refused with an HTTP 4xx
 *   (TS 33.203 Annex X / RFC 6455 §4.2.2), failure = accepted or anything else;
 * - `flood-register`: a REGISTER without credentials from an authorized Origin; success = 401/403/407;
 * - `flood-half-open`: a TCP connection to the WSS port that never starts TLS, held `halfOpenS` seconds;
 *   success = the connection opened; those the SUT closed before the hold ended (a defence) are counted apart.
 */
export class Flood {
  private turn = 0
  private nextUser = 0
  private readonly sockets = new Set<Socket>()
  private closedEarlyCount = 0

  constructor(
    private readonly target: TargetConfig,
    private readonly halfOpenS: number,
    private readonly recorder: TickRecorder,
    private readonly trace: TraceRecorder,
  ) {}

  get halfOpen(): number {
    return this.sockets.size
  }

  /** Half-open connections the SUT closed before the attacker let them go. */
  get closedEarly(): number {
    return this.closedEarlyCount
  }

  async attack(): Promise<void> {
    const kind = ATTACKS[this.turn++ % ATTACKS.length]
    if (kind === 'origin') await this.badOrigin()
    else if (kind === 'register') await this.unauthenticatedRegister()
    else await this.halfOpenConnection()
  }

  /** Closes every half-open connection. */
  stop(): void {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
  }

  private async badOrigin(): Promise<void> {
    const { target } = this
    this.recorder.attempt('flood-origin')
    const started = performance.now()
    try {
      const flow = await WssClient.connect({
        url: target.url,
        origin: target.badOrigin,
        protocols: ['sip'],
        ca: target.caPem,
        servername: target.servername,
        timeoutMs: target.waitMs,
        trace: this.trace,
        observer: 'attacker',
        leg: 'W2',
      })
      this.recorder.failure('flood-origin', 'accepted')
      await flow.close()
    } catch (error) {
      if (error instanceof WsHandshakeError && error.status >= 400 && error.status < 500)
        this.recorder.success('flood-origin', performance.now() - started)
      else this.recorder.failure('flood-origin', failureReason(error))
    }
  }

  private async unauthenticatedRegister(): Promise<void> {
    const { target } = this
    // Identities no HSS holds: the REGISTER carries no credentials anyway.
    const user = loadUser(1_000_000_000 + this.nextUser++, target.domain)
    const wic = await Wic.connect(loadWicOptions(target, 'attacker', user, this.trace)).catch(
      (error: unknown) => {
        this.recorder.attempt('flood-register')
        this.recorder.failure('flood-register', failureReason(error))
        return undefined
      },
    )
    if (wic === undefined) return
    await this.recorder.measure(
      'flood-register',
      () => wic.register({ authorization: 'none' }),
      (o) => ([401, 403, 407].includes(o.final.status) ? true : `SIP ${o.final.status}`),
    )
    await wic.close()
  }

  private halfOpenConnection(): Promise<void> {
    const { target } = this
    this.recorder.attempt('flood-half-open')
    const started = performance.now()
    return new Promise((resolve) => {
      const socket = connect({ host: target.host, port: target.port })
      let opened = false
      const deadline = setTimeout(() => socket.destroy(new Error('connect deadline')), target.waitMs)
      socket.once('connect', () => {
        clearTimeout(deadline)
        opened = true
        this.sockets.add(socket)
        this.recorder.success('flood-half-open', performance.now() - started)
        const hold = setTimeout(() => socket.destroy(), this.halfOpenS * 1000)
        socket.once('close', () => {
          clearTimeout(hold)
          if (this.sockets.delete(socket) && performance.now() - started < this.halfOpenS * 1000 - 50)
            this.closedEarlyCount += 1
        })
        resolve()
      })
      socket.once('error', (error) => {
        clearTimeout(deadline)
        if (!opened) this.recorder.failure('flood-half-open', failureReason(error))
        resolve()
      })
    })
  }
}
