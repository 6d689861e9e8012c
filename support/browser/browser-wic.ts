import type { BrowserContext, CDPSession, Page } from 'playwright-core'
import { NoAnswer, TransportFailed } from '../errors.ts'
import { SipRequest, SipResponse } from '../sip/message.ts'
import { parseMessage } from '../sip/parse.ts'
import type { TraceEndpoint } from '../trace/trace-event.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { ChromiumDriver } from './chromium-driver.ts'
import { LIBRARIES, type LibraryId } from './page-bundle.ts'
import type { PageWicConfig, PageWicState } from './pages/page-api.ts'

/** The page's deadlines are the profile's waitMs times this (see BrowserWicOptions.waitMs). */
const BROWSER_ALLOWANCE = 3

/** What the browser showed of the page's WebSocket opening handshake (W2), from its DevTools events. */
export interface BrowserHandshake {
  /** The Origin header the browser sent (the page's origin: a page cannot set it). */
  readonly origin: string | undefined
  /** The HTTP status of the server's answer: 101, or the refusal the browser reported ("Unexpected response code"). */
  readonly status: number | undefined
  /** The browser's error text, when the handshake failed. */
  readonly error: string | undefined
}

export interface BrowserWicOptions {
  readonly library: LibraryId
  /** The page on the WWSF, `https://wwsf.harness.test:8443/wic/jssip.html`. */
  readonly pageUrl: string
  readonly config: PageWicConfig
  /** Trace observer, `WIC alice (JsSIP in Chromium 156.0.8078.73)`. */
  readonly observer: string
  readonly trace: TraceRecorder
  /** Where the eP-CSCF's WSS port really is (the trace's endpoint). */
  readonly wss: { readonly host: string; readonly port: number }
  /**
   * The profile's deadline for an answer from the network. The page's waits are three times as long: they include
   * the browser's own work (loading the page, getUserMedia, ICE gathering), slow on a loaded two-core machine.
   */
  readonly waitMs: number
}

/**
 * A WIC that is a real client library in a real browser page: JsSIP or SIP.js on a page the WWSF served, driven
 * through the page's `window.harnessWic` (pages/page-api.ts). Every SIP message of its WebSocket is recorded on W2
 * as the browser sent and received it (DevTools frame events), and kept parsed for the checks; the page's console
 * (with the library's log) is kept for the report.
 */
export class BrowserWic {
  readonly sent: (SipRequest | SipResponse)[] = []
  readonly received: (SipRequest | SipResponse)[] = []
  readonly console: string[] = []
  /** When the page was opened (ms since the epoch, as the mock core stamps what it receives). */
  readonly openedAt = Date.now()
  private handshakeSeen: { origin?: string; status?: number; error?: string } = {}
  private closed = false

  private constructor(
    private readonly context: BrowserContext,
    private readonly page: Page,
    private readonly opts: BrowserWicOptions,
  ) {}

  get library(): string {
    return LIBRARIES[this.opts.library].name
  }

  /** The origin of the page (scheme, host, port): the Origin the browser must send. */
  get pageOrigin(): string {
    return new URL(this.opts.pageUrl).origin
  }

  get handshake(): BrowserHandshake {
    const { origin, status, error } = this.handshakeSeen
    return { origin, status, error }
  }

  /** Opens the page in a fresh context of `driver` and starts the library (its WebSocket opens). */
  static async open(driver: ChromiumDriver, opts: BrowserWicOptions): Promise<BrowserWic> {
    const context = await driver.newContext()
    const page = await context.newPage()
    const wic = new BrowserWic(context, page, opts)
    try {
      await wic.watch(await context.newCDPSession(page))
      const response = await page.goto(opts.pageUrl, { timeout: opts.waitMs * BROWSER_ALLOWANCE })
      if (response === null || !response.ok())
        throw new TransportFailed(
          `the WWSF answered ${response?.status() ?? 'nothing'} for the WIC page ${opts.pageUrl}`,
        )
      await page.waitForFunction(() => window.harnessWic !== undefined, undefined, {
        timeout: opts.waitMs * BROWSER_ALLOWANCE,
      })
      await page.evaluate((config) => window.harnessWic?.start(config), opts.config)
      return wic
    } catch (error) {
      await wic.close()
      if (error instanceof Error && !('side' in error))
        throw new TransportFailed(
          `the browser could not open the WIC page ${opts.pageUrl}: ${error.message}`,
          {
            cause: error,
          },
        )
      throw error
    }
  }

  register(): Promise<void> {
    return this.invoke('register')
  }

  /** The user logs in on the page's WWSF form (typed into the form and submitted, as a person would). */
  async logIn(user: string, password: string): Promise<PageWicState> {
    await this.page.fill('#login [name=user]', user)
    await this.page.fill('#login [name=password]', password)
    await this.page.click('#login button')
    return this.waitFor('login', ['ok', 'failed'], 'the WWSF login of its form')
  }

  /** REGISTER with `authorization` (the token as the profile carries it). */
  registerWithToken(authorization: string): Promise<void> {
    return this.page.evaluate((a) => window.harnessWic?.registerWithToken(a), authorization)
  }

  unregister(): Promise<void> {
    return this.invoke('unregister')
  }

  call(target: string): Promise<void> {
    return this.page.evaluate((t) => window.harnessWic?.call(t), target)
  }

  answer(): Promise<void> {
    return this.invoke('answer')
  }

  hangup(): Promise<void> {
    return this.invoke('hangup')
  }

  async state(): Promise<PageWicState> {
    const state = await this.page.evaluate(() => window.harnessWic?.state())
    if (state === undefined) throw new TransportFailed(`the ${this.library} page has no harnessWic`)
    return state
  }

  /**
   * Waits (deadline waitMs × BROWSER_ALLOWANCE, or `ms`) until the page's `key` is one of `values`; the failure
   * says what was awaited, from whom, and what the page showed instead.
   */
  async waitFor<K extends 'socket' | 'registration' | 'call' | 'login'>(
    key: K,
    values: readonly PageWicState[K][],
    what: string,
    ms = this.opts.waitMs * BROWSER_ALLOWANCE,
  ): Promise<PageWicState> {
    try {
      await this.page.waitForFunction(
        ({ key, values }) => values.includes(window.harnessWic?.state()[key] as never),
        { key, values: values as unknown as string[] },
        { timeout: ms, polling: 50 },
      )
    } catch {
      const now = await this.state().catch(() => undefined)
      throw new NoAnswer(
        `${this.opts.observer}: awaited ${what} (${key} ${values.join(' or ')}) for ${ms} ms; the page shows ` +
          `${now === undefined ? 'nothing' : JSON.stringify(now)}; last SIP received: ` +
          `${this.received.at(-1)?.summary() ?? 'none'}`,
      )
    }
    return this.state()
  }

  /** The requests of `method` the page sent, in order. */
  requestsSent(method: string): SipRequest[] {
    return this.sent.filter((m): m is SipRequest => m instanceof SipRequest && m.method === method)
  }

  /** The responses the page received to its requests of `method`, in order. */
  responsesReceived(method: string): SipResponse[] {
    return this.received.filter(
      (m): m is SipResponse => m instanceof SipResponse && (m.get('CSeq') ?? '').endsWith(` ${method}`),
    )
  }

  /** The requests of `method` the page received, in order. */
  requestsReceived(method: string): SipRequest[] {
    return this.received.filter((m): m is SipRequest => m instanceof SipRequest && m.method === method)
  }

  /** Stops the library (its WebSocket closes) and the page's context. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.page.evaluate(() => window.harnessWic?.stop()).catch(() => undefined)
    await this.context.close().catch(() => undefined)
  }

  private invoke(method: 'register' | 'unregister' | 'answer' | 'hangup'): Promise<void> {
    return this.page.evaluate((m) => window.harnessWic?.[m](), method)
  }

  /** Console, WebSocket frames and the handshake (DevTools Network events) into the trace and the buffers. */
  private async watch(cdp: CDPSession): Promise<void> {
    const { observer, trace } = this.opts
    const browserEnd: TraceEndpoint = { transport: 'WSS', address: 'browser', port: 0 }
    const server: TraceEndpoint = { transport: 'WSS', address: this.opts.wss.host, port: this.opts.wss.port }
    this.page.on('console', (message) => this.console.push(`[${message.type()}] ${plain(message.text())}`))
    this.page.on('pageerror', (error) => this.console.push(`[pageerror] ${error.message}`))
    // DevTools' frame events carry the browser's own (monotonic) time: mapped to wall-clock time through the
    // handshake's `wallTime`, so that the page's messages sit where they happened in the trace, not where the
    // event reached Node.
    let toWall = (_timestamp: number): number | undefined => undefined
    cdp.on('Network.webSocketFrameSent', ({ timestamp, response }) =>
      this.frame('sent', response.payloadData, browserEnd, server, toWall(timestamp)),
    )
    cdp.on('Network.webSocketFrameReceived', ({ timestamp, response }) =>
      this.frame('received', response.payloadData, server, browserEnd, toWall(timestamp)),
    )
    await cdp.send('Network.enable')
    cdp.on('Network.webSocketWillSendHandshakeRequest', ({ request, timestamp, wallTime }) => {
      toWall = (t) => (wallTime + (t - timestamp)) * 1000
      const headers = request.headers as Record<string, string>
      const origin = Object.entries(headers).find(([name]) => name.toLowerCase() === 'origin')?.[1]
      this.handshakeSeen = { ...this.handshakeSeen, ...(origin === undefined ? {} : { origin }) }
      trace.record({
        at: wallTime * 1000,
        observer,
        direction: 'sent',
        leg: 'W2',
        from: { ...browserEnd, transport: 'HTTPS' },
        to: { ...server, transport: 'HTTPS' },
        summary: `WS upgrade (Origin ${origin ?? 'none'})`,
        raw: [
          'GET (WebSocket upgrade) HTTP/1.1',
          ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        ].join('\r\n'),
      })
    })
    cdp.on('Network.webSocketHandshakeResponseReceived', ({ response, timestamp }) => {
      this.handshakeSeen = { ...this.handshakeSeen, status: response.status }
      const headers = Object.entries(response.headers as Record<string, string>).map(([k, v]) => `${k}: ${v}`)
      trace.record({
        ...atTime(toWall(timestamp)),
        observer,
        direction: 'received',
        leg: 'W2',
        from: { ...server, transport: 'HTTPS' },
        to: { ...browserEnd, transport: 'HTTPS' },
        summary: `WS upgrade answered ${response.status}`,
        raw: [`HTTP/1.1 ${response.status} ${response.statusText}`, ...headers].join('\r\n'),
      })
    })
    cdp.on('Network.webSocketFrameError', ({ errorMessage }) => {
      const status = /response code: (\d{3})/.exec(errorMessage)?.[1]
      this.handshakeSeen = {
        ...this.handshakeSeen,
        error: errorMessage,
        ...(status === undefined || this.handshakeSeen.status === 101 ? {} : { status: Number(status) }),
      }
      trace.note(observer, `the browser reports: ${errorMessage}`)
    })
  }

  private frame(
    direction: 'sent' | 'received',
    raw: string,
    from: TraceEndpoint,
    to: TraceEndpoint,
    at: number | undefined,
  ): void {
    let summary = raw.split('\r\n', 1)[0] ?? ''
    if (raw.trim() !== '') {
      try {
        const message = parseMessage(raw)
        ;(direction === 'sent' ? this.sent : this.received).push(message)
        summary = message.summary()
      } catch {
        summary = `unparseable: ${summary}`
      }
    } else summary = 'CRLF keep-alive'
    this.opts.trace.record({
      ...atTime(at),
      observer: this.opts.observer,
      direction,
      leg: 'W2',
      from,
      to,
      raw,
      summary,
    })
  }
}

function atTime(at: number | undefined): { at?: number } {
  return at === undefined || !Number.isFinite(at) ? {} : { at }
}

/** A console line without the `debug` module's CSS (`%c` and its `color: …` arguments). */
function plain(text: string): string {
  return text.replace(/%c/g, '').replace(/ ?color: (?:#[0-9a-f]{3,6}|inherit)/gi, '')
}
