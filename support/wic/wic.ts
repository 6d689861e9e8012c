import {
  HarnessError,
  NoAnswer,
  rewrap,
  TransactionTimeout,
  TransportClosed,
  TransportFailed,
} from '../errors.ts'
import { createResponse } from '../sip/builders.ts'
import { newBranch, newCallId, newTag } from '../sip/ids.ts'
import { SipRequest, type SipMessage, type SipResponse } from '../sip/message.ts'
import type { Param } from '../sip/params.ts'
import { TransactionLayer, type ServerTransaction } from '../transaction/transaction-layer.ts'
import type { Inbound } from '../transport/peer.ts'
import type { WsFlow } from '../transport/ws-flow.ts'
import { WsHandshakeError } from '../transport/ws-handshake-error.ts'
import { WssClient } from '../transport/wss-client.ts'
import { DigestResponder, initialDigestAuthorization } from './digest-responder.ts'
import { Inbox, type Expectation } from './inbox.ts'
import { buildRegister, contactUri, registrarUri, wicVia, type WicIdentity } from './register-request.ts'
import {
  associatedUrisOf,
  bindingOf,
  serviceRouteOf,
  type RegistrationBinding,
  type RegistrationOutcome,
} from './registration-outcome.ts'
import {
  RegistrationStateMachine,
  type RegistrationState,
  type RegistrationTransition,
} from './registration-state.ts'
import { initialRoute } from './initial-route.ts'
import { WicConnectError } from './wic-connect-error.ts'
import { randomToken, resolveWicOptions, type ResolvedWicOptions, type WicOptions } from './wic-options.ts'

/**
 * How a REGISTER authenticates:
 * - `digest-initial`: TS 24.229 §5.1.1.2 initial Digest credentials (empty nonce and response), then the answer
 *   to the 401/407 challenge (RFC 3261 §22.2);
 * - `none`: no Authorization header field at all;
 * - a Bearer token (TS 24.371 §7.2.1 / TS 33.203 Annex X), carried as `Authorization: Bearer <jwt>`
 *   (`rfc8898`, RFC 8898 §2.2 with the RFC 6750 §2.1 syntax) or `Authorization: Bearer access_token="<jwt>"`
 *   (`access-token-param`, TS 24.371 Table A.3.2-1 style). A challenge to a Bearer REGISTER is returned as is.
 */
export type WicAuthorization =
  'digest-initial' | 'none' | { readonly bearer: string; readonly carriage: 'rfc8898' | 'access-token-param' }

export interface RegisterOptions {
  /** Contact expires; default the connect option `expires` (600), or the last one for a refresh. */
  expires?: number
  authorization?: WicAuthorization
  /**
   * A hostile WIC's own `integrity-protected` auth-param (TS 24.229 §7.2A.1). Added to the Digest credentials
   * sent; when the mode sends none (`none`, Bearer), a Digest header with empty nonce and response carries it.
   * Quoted, unless given as `{ value, quoted: false }` (a token, RFC 7616 §3.4 auth-param form).
   */
  integrityProtected?: string | { readonly value: string; readonly quoted?: boolean }
  /** Password for this registration (a wrong one for negative tests); default the connect option. */
  password?: string
  /** Header fields appended to every REGISTER of this registration. */
  extraHeaders?: [string, string][]
}

export interface CreateRequestOptions {
  /** To value; default `<requestUri>`. */
  to?: string
  /** From value without tag; default `<IMPU>`. */
  from?: string
  fromTag?: string
  callId?: string
  cseq?: number
  /** Route header field values (preloaded route). Default the Service-Route of the last registration. */
  route?: readonly string[]
  /** Whether to add Contact; default true for dialog-forming methods (RFC 3261 §8.1.1.8). */
  contact?: boolean
  body?: string
  contentType?: string
  headers?: readonly (readonly [string, string])[]
}

export interface RespondOptions {
  reason?: string
  headers?: readonly (readonly [string, string])[]
  body?: string
  contentType?: string
}

export type WicConnectResult =
  | { readonly ok: true; readonly wic: Wic }
  | { readonly ok: false; readonly status?: number | undefined; readonly error: HarnessError }

export type { RegistrationBinding, RegistrationOutcome } from './registration-outcome.ts'
export type { RegistrationState, RegistrationTransition } from './registration-state.ts'
export type { WicOptions } from './wic-options.ts'
export { WicConnectError } from './wic-connect-error.ts'

type RegistrationKind = 'initial' | 'refresh' | 'deregister'
type Credentials = ['Authorization' | 'Proxy-Authorization', string][]

const DIALOG_FORMING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY'])

/**
 * A scripted WebRTC IMS Client (TS 23.228 Annex U W2 reference point): SIP over a secure WebSocket
 * (RFC 7118) to the eP-CSCF, registering one outbound flow (RFC 5626) for one IMPU.
 *
 * It is a component with state, not a script: `state` follows the registration state machine
 * (`registration-state.ts`), the Call-ID and the REGISTER CSeq live as long as the WIC (RFC 3261 §10.2), the
 * last Digest challenge is kept for refreshes, and the Service-Route / P-Associated-URI of the last 2xx are
 * stored. Client transactions run through the TransactionLayer over the WebSocket flow; every inbound message
 * that no client transaction consumes (terminating requests, stray responses) is queued for the `expect*`
 * methods. Registrations are serialised: a second `register()` waits for the first.
 */
export class Wic {
  readonly name: string
  readonly observer: string
  readonly url: string
  readonly identity: WicIdentity
  /** The WebSocket flow (W2). */
  readonly flow: WsFlow

  private readonly opts: ResolvedWicOptions
  private readonly transactions: TransactionLayer
  private readonly registration: RegistrationStateMachine
  private readonly digest: DigestResponder
  private readonly inbox: Inbox
  private readonly peerLabel: string
  private readonly serverTransactions = new WeakMap<SipRequest, ServerTransaction>()
  private readonly sentTo = new WeakMap<SipRequest, string>()
  private readonly closeListeners: ((reason: string) => void)[] = []
  private readonly closeWaiters = new Set<(reason: string) => void>()

  private registerCSeq = 0
  private authMode: WicAuthorization = 'digest-initial'
  private password: string
  private expires: number
  private chain: Promise<unknown> = Promise.resolve()
  private closeReasonText: string | undefined
  private lastOutcome: RegistrationOutcome | undefined
  private lastRegister: SipRequest | undefined
  private routeSet: string[] = []
  private associated: string[] = []
  private bindingInfo: RegistrationBinding | undefined

  private constructor(opts: ResolvedWicOptions, flow: WsFlow) {
    this.opts = opts
    this.flow = flow
    this.name = opts.name
    this.observer = opts.observer
    this.url = opts.url
    this.password = opts.password
    this.expires = opts.expires
    this.peerLabel = `the eP-CSCF at ${opts.url}`
    const viaHost = `${randomToken(12)}.invalid`
    this.identity = {
      impi: opts.impi,
      impu: opts.impu,
      domain: opts.domain,
      viaHost,
      contactUser: randomToken(8),
      instanceId: opts.instanceId,
      regId: opts.regId,
      callId: newCallId(viaHost),
      fromTag: newTag(),
      userAgent: opts.userAgent,
    }
    this.registration = new RegistrationStateMachine((t) =>
      opts.trace.note(
        this.observer,
        `registration ${t.from} → ${t.to} (${t.event}${t.detail ? `: ${t.detail}` : ''})`,
      ),
    )
    this.digest = new DigestResponder(opts.digestAlgorithms)
    this.inbox = new Inbox(this.observer, this.peerLabel)
    this.transactions = new TransactionLayer({ timers: opts.timers, observer: this.observer })
    this.transactions.onRequest((tx) => {
      this.serverTransactions.set(tx.request, tx)
      this.inbox.push(tx.request)
    })
    this.transactions.onStray((inbound) => this.inbox.push(inbound.message))
    flow.onMessage((inbound) => this.receive(inbound))
    flow.onInvalid((bad) => this.inbox.pushInvalid(bad.raw, bad.error.reason))
    flow.onClose((reason) => this.handleClose(reason))
  }

  /**
   * Opens the WebSocket (`sip` subprotocol, RFC 7118 §4.1) to the eP-CSCF. Throws WicConnectError: code
   * WS_HANDSHAKE_FAILED with `status` when the upgrade is refused (403 for a refused Origin), TRANSPORT_FAILED
   * when TCP or TLS fails.
   */
  static async connect(options: WicOptions): Promise<Wic> {
    const opts = resolveWicOptions(options)
    let flow: WsFlow
    try {
      flow = await WssClient.connect({
        url: opts.url,
        ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
        protocols: opts.protocols,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(opts.minVersion !== undefined ? { minVersion: opts.minVersion } : {}),
        ...(opts.maxVersion !== undefined ? { maxVersion: opts.maxVersion } : {}),
        ...(opts.ciphers !== undefined ? { ciphers: opts.ciphers } : {}),
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
        timeoutMs: opts.waitMs,
        trace: opts.trace,
        observer: opts.observer,
        leg: 'W2',
      })
    } catch (error) {
      throw connectError(error, opts)
    }
    return new Wic(opts, flow)
  }

  /** `connect` that reports a refusal instead of throwing it (Origin and TLS scenarios). */
  static async tryConnect(options: WicOptions): Promise<WicConnectResult> {
    try {
      return { ok: true, wic: await Wic.connect(options) }
    } catch (error) {
      if (error instanceof WicConnectError) return { ok: false, status: error.status, error }
      if (error instanceof HarnessError) return { ok: false, error }
      throw error
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // State

  get state(): RegistrationState {
    return this.registration.state
  }

  get stateHistory(): readonly RegistrationTransition[] {
    return this.registration.history
  }

  /** The Service-Route of the last successful registration (RFC 3608 §6.1), name-addr strings. */
  get serviceRoute(): readonly string[] {
    return this.routeSet
  }

  /** The P-Associated-URI list of the last successful registration (RFC 7315 §4.1), URIs. */
  get associatedUris(): readonly string[] {
    return this.associated
  }

  get lastRegistration(): RegistrationOutcome | undefined {
    return this.lastOutcome
  }

  /** The last REGISTER this WIC sent, also when its transaction got no answer (checks match what answered it). */
  get lastRegisterSent(): SipRequest | undefined {
    return this.lastRegister
  }

  get binding(): RegistrationBinding | undefined {
    return this.bindingInfo
  }

  /** The negotiated WebSocket subprotocol ('' when none). */
  get protocol(): string {
    return this.flow.protocol
  }

  /** The Contact URI of this WIC: `sip:<user>@<random>.invalid;transport=ws;ob`. */
  get contactUri(): string {
    return contactUri(this.identity)
  }

  get closed(): boolean {
    return this.closeReasonText !== undefined
  }

  get closeReason(): string | undefined {
    return this.closeReasonText
  }

  /** Inbound messages not taken by an expectation yet. */
  get pendingMessages(): readonly (SipRequest | SipResponse)[] {
    return this.inbox.pending.map((e) => e.message)
  }

  onClose(listener: (reason: string) => void): void {
    const reason = this.closeReasonText
    if (reason === undefined) this.closeListeners.push(listener)
    else queueMicrotask(() => listener(reason))
  }

  // ---------------------------------------------------------------------------------------------------------
  // Registration (RFC 3261 §10.2)

  /** Initial registration: always starts with fresh initial credentials, whatever a previous one left. */
  register(options: RegisterOptions = {}): Promise<RegistrationOutcome> {
    return this.serialised(() => this.runRegistration('initial', options))
  }

  /**
   * Refresh (RFC 3261 §10.2.1): same Call-ID, CSeq + 1, same authorization mode as the last registration; with
   * Digest, the last nonce is reused with nc incremented, and a new challenge is answered.
   */
  reRegister(options: RegisterOptions = {}): Promise<RegistrationOutcome> {
    return this.serialised(() => this.runRegistration('refresh', options))
  }

  /** De-registration (RFC 3261 §10.2.2): Contact expires 0 and `Expires: 0`. */
  deregister(options: Omit<RegisterOptions, 'expires'> = {}): Promise<RegistrationOutcome> {
    return this.serialised(() => this.runRegistration('deregister', options))
  }

  // ---------------------------------------------------------------------------------------------------------
  // Other requests

  /**
   * A request from this WIC outside any dialog: Via WSS `.invalid` with a fresh branch, Max-Forwards 70, From
   * the IMPU with a fresh tag, a fresh Call-ID, Contact for dialog-forming methods, and the Bearer token of the
   * registration when TS 24.371 §7.2.1 repetition is on.
   */
  createRequest(method: string, requestUri: string, options: CreateRequestOptions = {}): SipRequest {
    const m = method.toUpperCase()
    const request = new SipRequest({ method: m, uri: requestUri })
    request.append('Via', wicVia(this.identity, newBranch())).append('Max-Forwards', '70')
    for (const route of initialRoute(
      m,
      options.route,
      this.opts.preloadServiceRoute ? this.routeSet : [],
      options.to,
    ))
      request.append('Route', route)
    request
      .append('From', `${options.from ?? `<${this.identity.impu}>`};tag=${options.fromTag ?? newTag()}`)
      .append('To', options.to ?? `<${requestUri}>`)
      .append('Call-ID', options.callId ?? newCallId(this.identity.viaHost))
      .append('CSeq', `${options.cseq ?? 1} ${m}`)
    if (options.contact ?? DIALOG_FORMING.has(m)) request.append('Contact', `<${this.contactUri}>`)
    const bearer = this.bearerCredentials()
    if (bearer !== undefined && this.opts.repeatBearer) request.append('Authorization', bearer)
    request.append('User-Agent', this.identity.userAgent)
    for (const [name, value] of options.headers ?? []) request.append(name, value)
    if (options.body !== undefined) {
      request.body = options.body
      request.append('Content-Type', options.contentType ?? 'application/sdp')
    }
    request.append('Content-Length', '0').updateContentLength()
    return request
  }

  /**
   * Runs a client transaction (RFC 3261 §17.1) for `request` over the WebSocket and resolves with the final
   * response, whatever its status. Rejects with SIP_TRANSACTION_TIMEOUT (Timer B/F) or TRANSPORT_CLOSED.
   */
  request(
    request: SipRequest,
    options: { onProvisional?: (r: SipResponse) => void } = {},
  ): Promise<SipResponse> {
    return this.transact(request, options.onProvisional)
  }

  // ---------------------------------------------------------------------------------------------------------
  // Raw level (negative tests)

  /** Sends a message as is, outside any transaction. */
  async send(message: SipMessage): Promise<void> {
    await this.flow.send(message)
  }

  /** Sends the bytes as given, in one WebSocket message (text for a string, binary for a Buffer). */
  async sendRaw(data: string | Buffer): Promise<void> {
    await this.flow.sendRaw(data)
  }

  /**
   * The next inbound message (request or response, not consumed by a client transaction of this WIC) that
   * matches, within `withinMs` (default `waitMs`). Earlier queued messages are searched first; non-matching
   * ones stay queued.
   */
  expectMessage(expectation: Expectation, withinMs = this.opts.waitMs): Promise<SipRequest | SipResponse> {
    return this.inbox.take(expectation, withinMs)
  }

  /** The next inbound request with this method (a terminating request, RFC 5626 §5.3 over the WIC's flow). */
  async expectRequest(method: string, withinMs = this.opts.waitMs): Promise<SipRequest> {
    const m = method.toUpperCase()
    const message = await this.inbox.take(
      { predicate: (x) => x.isRequest() && x.method === m, description: `${article(m)} ${m} request` },
      withinMs,
    )
    return message as SipRequest
  }

  /** The next inbound response matching `status` / CSeq method that no transaction took (raw sends). */
  async expectResponse(
    match: { status?: number; method?: string; description?: string } = {},
    withinMs = this.opts.waitMs,
  ): Promise<SipResponse> {
    const method = match.method?.toUpperCase()
    const description =
      match.description ??
      `a ${match.status ?? 'SIP'} response${method ? ` to ${article(method)} ${method}` : ''}`
    const message = await this.inbox.take(
      {
        description,
        predicate: (x) =>
          !x.isRequest() &&
          (match.status === undefined || (x as SipResponse).status === match.status) &&
          (method === undefined || x.get('CSeq')?.trim().split(/\s+/)[1]?.toUpperCase() === method),
      },
      withinMs,
    )
    return message as SipResponse
  }

  /**
   * Answers a request received by this WIC (RFC 3261 §8.2.6): through its server transaction when it has one.
   * All responses to one request carry the same To tag; 101-299 to dialog-forming requests get our Contact
   * (RFC 3261 §12.1.1) unless `headers` gives one.
   */
  async respond(request: SipRequest, status: number, options: RespondOptions = {}): Promise<SipResponse> {
    const response = createResponse(request, status, options.reason)
    if (status > 100) {
      const to = this.sentTo.get(request)
      const own = response.get('To')
      if (to !== undefined) response.set('To', to)
      else if (own !== undefined) this.sentTo.set(request, own)
    }
    for (const [name, value] of options.headers ?? []) response.append(name, value)
    if (status > 100 && status < 300 && DIALOG_FORMING.has(request.method) && !response.has('Contact')) {
      response.append('Contact', `<${this.contactUri}>`)
    }
    if (options.body !== undefined) {
      response.body = options.body
      response.set('Content-Type', options.contentType ?? 'application/sdp')
    }
    response.updateContentLength()
    const tx = this.serverTransactions.get(request)
    if (tx !== undefined) await tx.respond(response)
    else await this.flow.send(response)
    return response
  }

  /** Resolves with the close reason when the connection closes within `withinMs`. */
  expectClose(withinMs = this.opts.waitMs): Promise<string> {
    const reason = this.closeReasonText
    if (reason !== undefined) return Promise.resolve(reason)
    return new Promise((resolve, reject) => {
      const since = Date.now()
      const done = (r: string): void => {
        clearTimeout(timer)
        resolve(r)
      }
      const timer = setTimeout(() => {
        this.closeWaiters.delete(done)
        reject(
          new NoAnswer(
            `${this.observer} expected ${this.peerLabel} to close the connection within ${withinMs} ms; it ` +
              `stayed open; ${this.inbox.arrivedInstead(since)}`,
          ),
        )
      }, withinMs)
      this.closeWaiters.add(done)
    })
  }

  /** Closes the WebSocket (code 1000) and stops all timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.flow.close()
    this.handleClose(this.flow.closed ? 'closed by the harness' : 'close requested by the harness')
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // ---------------------------------------------------------------------------------------------------------
  // Internals

  private receive(inbound: Inbound): void {
    // Requests become server transactions (onRequest) and unmatched responses strays (onStray); both land in
    // the inbox through those handlers.
    this.transactions.receive(inbound)
  }

  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run)
    this.chain = next.catch(() => undefined)
    return next
  }

  private async runRegistration(kind: RegistrationKind, o: RegisterOptions): Promise<RegistrationOutcome> {
    this.assertOpen(kind === 'deregister' ? 'de-register' : 'register')
    const expires =
      kind === 'deregister' ? 0 : (o.expires ?? (kind === 'initial' ? this.opts.expires : this.expires))
    if (expires > 0) this.expires = expires
    if (kind === 'initial') {
      this.authMode = o.authorization ?? 'digest-initial'
      this.password = o.password ?? this.opts.password
      this.digest.forget()
    } else {
      if (o.authorization !== undefined) this.authMode = o.authorization
      if (o.password !== undefined) this.password = o.password
    }
    const flag =
      typeof o.integrityProtected === 'string' ? { value: o.integrityProtected } : o.integrityProtected
    const integrity: Param[] =
      flag === undefined
        ? []
        : [{ name: 'integrity-protected', value: flag.value, quoted: flag.quoted ?? true }]
    const uri = registrarUri(this.identity)

    this.registration.apply(
      expires === 0 ? 'begin-deregister' : 'begin',
      `${kind} REGISTER, expires ${expires}`,
    )
    const requests: SipRequest[] = []
    const attempts: SipResponse[] = []
    let challenge: SipResponse | undefined
    let answered = 0
    let credentials = this.firstCredentials(kind, uri, integrity)
    let final: SipResponse
    for (;;) {
      this.registerCSeq += 1
      const request = buildRegister(this.identity, {
        cseq: this.registerCSeq,
        expires,
        credentials,
        ...(o.extraHeaders !== undefined ? { extraHeaders: o.extraHeaders } : {}),
      })
      requests.push(request)
      this.lastRegister = request
      let response: SipResponse
      try {
        response = await this.transact(request)
      } catch (error) {
        // When the flow closed, handleClose has already moved the machine to unregistered.
        if (this.registration.busy) {
          this.registration.apply('failure', error instanceof HarnessError ? error.code : 'error')
        }
        throw error
      }
      attempts.push(response)
      if (this.shouldAnswer(response, answered)) {
        const chosen = this.digest.accept(response)
        if (chosen !== undefined) {
          challenge ??= response
          answered += 1
          this.registration.apply(
            'challenge',
            `${response.status}, ${chosen.algorithm}, realm ${chosen.realm}`,
          )
          credentials = this.digestCredentials(uri, integrity)
          continue
        }
        this.opts.trace.note(this.observer, `no supported Digest challenge in ${response.summary()}`)
      }
      final = response
      break
    }

    // The flow may have closed right after the final response: then the machine is already unregistered.
    if (!this.registration.busy)
      this.opts.trace.note(this.observer, `${final.summary()} arrived as the flow closed`)
    else if (final.status >= 200 && final.status < 300) this.registered(final, expires)
    else this.registration.apply('failure', `${final.status} ${final.reason}`)
    const outcome: RegistrationOutcome = { final, challenge, attempts, requests }
    this.lastOutcome = outcome
    return outcome
  }

  /**
   * Whether to answer a 401/407: once per registration, and once more when the server says the nonce was
   * stale (RFC 7616 §3.3: stale=true means the credentials were right, retry with the new nonce).
   */
  private shouldAnswer(response: SipResponse, answered: number): boolean {
    if (this.authMode !== 'digest-initial') return false
    if (response.status !== 401 && response.status !== 407) return false
    if (answered === 0) return true
    if (answered > 1) return false
    const stale = /\bstale\s*=\s*"?true"?/i
    return [...response.getAll('WWW-Authenticate'), ...response.getAll('Proxy-Authenticate')].some((v) =>
      stale.test(v),
    )
  }

  private firstCredentials(kind: RegistrationKind, uri: string, integrity: Param[]): Credentials {
    const mode = this.authMode
    if (mode === 'digest-initial') {
      // A refresh under a known challenge reuses its nonce (nc + 1); otherwise TS 24.229 §5.1.1.2 initial form.
      if (kind !== 'initial' && this.digest.challenge !== undefined)
        return this.digestCredentials(uri, integrity)
      return [['Authorization', this.initialDigest(uri, integrity)]]
    }
    const out: Credentials = []
    const bearer = this.bearerCredentials()
    if (bearer !== undefined) out.push(['Authorization', bearer])
    if (integrity.length > 0) out.push(['Authorization', this.initialDigest(uri, integrity)])
    return out
  }

  private initialDigest(uri: string, integrity: Param[]): string {
    return initialDigestAuthorization({
      username: this.identity.impi,
      realm: this.identity.domain,
      uri,
      extraParams: integrity,
    })
  }

  private digestCredentials(uri: string, integrity: Param[]): Credentials {
    const answer = this.digest.answer({
      username: this.identity.impi,
      password: this.password,
      method: 'REGISTER',
      uri,
      body: '',
      extraParams: integrity,
    })
    return answer === undefined ? [] : [[answer.header, answer.value]]
  }

  private bearerCredentials(): string | undefined {
    const mode = this.authMode
    if (typeof mode !== 'object') return undefined
    return mode.carriage === 'rfc8898' ? `Bearer ${mode.bearer}` : `Bearer access_token="${mode.bearer}"`
  }

  private registered(final: SipResponse, expires: number): void {
    if (expires === 0) {
      this.routeSet = []
      this.associated = []
      this.bindingInfo = undefined
      this.registration.grantBinding(undefined)
      this.registration.apply('success', `${final.status} ${final.reason}, binding removed`)
      return
    }
    const binding = bindingOf(final, this.identity, this.contactUri)
    this.bindingInfo = binding
    // RFC 3608 §6.1: the Service-Route of a 2xx to REGISTER replaces the stored one.
    this.routeSet = serviceRouteOf(final)
    this.associated = associatedUrisOf(final)
    this.registration.grantBinding(binding.expires ?? expires)
    this.registration.apply('success', `${final.status} ${final.reason}, expires ${binding.expires ?? '?'}`)
  }

  private transact(request: SipRequest, onProvisional?: (r: SipResponse) => void): Promise<SipResponse> {
    const label = describeRequest(request)
    if (this.closeReasonText !== undefined) {
      return Promise.reject(
        new TransportClosed(
          `${this.observer} cannot send ${label} to ${this.peerLabel}: the connection is closed (${this.closeReasonText})`,
        ),
      )
    }
    return new Promise<SipResponse>((resolve, reject) => {
      const onClose = (reason: string): void =>
        reject(
          new TransportClosed(
            `${this.observer}: the connection to ${this.peerLabel} closed (${reason}) before a final response to ${label}`,
          ),
        )
      this.closeWaiters.add(onClose)
      // The harness's own deadline (profile waitMs): a silent eP-CSCF fails the step long before Timer F
      // (64·T1 = 32 s) would, and the failure names what was awaited and what arrived instead.
      const answerTimer = setTimeout(() => {
        reject(
          new NoAnswer(
            `${this.observer}: expected ${request.method === 'INVITE' ? 'a response' : 'a final response'} from ` +
              `${this.peerLabel} to ${label} within ${this.opts.waitMs} ms (profile waitMs); ${this.inbox.arrivedInstead(0)}`,
          ),
        )
      }, this.opts.waitMs)
      answerTimer.unref()
      const provisional = (response: SipResponse): void => {
        if (request.method === 'INVITE') clearTimeout(answerTimer)
        onProvisional?.(response)
      }
      this.transactions
        .request(request, this.flow, { onProvisional: provisional })
        .finally(() => clearTimeout(answerTimer))
        .then(resolve, (error: unknown) => {
          if (error instanceof TransactionTimeout) {
            const timer = request.method === 'INVITE' ? 'Timer B' : 'Timer F'
            reject(
              new TransactionTimeout(
                `${this.observer}: no final response from ${this.peerLabel} to ${label} before ${timer} ` +
                  `(${64 * this.opts.timers.T1} ms); ${this.inbox.arrivedInstead(0)}`,
                { cause: error },
              ),
            )
          } else reject(error)
        })
        .finally(() => this.closeWaiters.delete(onClose))
    })
  }

  private assertOpen(what: string): void {
    if (this.closeReasonText !== undefined) {
      throw new TransportClosed(
        `${this.observer} cannot ${what}: the connection to ${this.peerLabel} is closed (${this.closeReasonText})`,
      )
    }
  }

  private handleClose(reason: string): void {
    if (this.closeReasonText !== undefined) return
    this.closeReasonText = reason
    this.transactions.close()
    this.inbox.close(reason)
    if (this.registration.state !== 'unregistered') this.registration.apply('closed', reason)
    for (const waiter of [...this.closeWaiters]) waiter(reason)
    this.closeWaiters.clear()
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener(reason)
      } catch (error) {
        this.opts.trace.note(this.observer, `close listener threw: ${String(error)}`)
      }
    }
  }
}

/** "an" before a method starting with a vowel (INVITE, OPTIONS, UPDATE), else "a". */
function article(method: string): string {
  return /^[AEIOU]/i.test(method) ? 'an' : 'a'
}

/** `REGISTER sip:ims.harness.test (CSeq 2 REGISTER, Call-ID abc)`. */
function describeRequest(request: SipRequest): string {
  return `${request.summary()} (CSeq ${request.get('CSeq') ?? '?'}, Call-ID ${request.get('Call-ID') ?? '?'})`
}

/** The message of a HarnessError without its `CODE: ` prefix (the wrapping error carries a code of its own). */
function bare(error: HarnessError): string {
  const prefix = `${error.code}: `
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
}

function connectError(error: unknown, opts: ResolvedWicOptions): HarnessError {
  const origin = opts.origin === undefined ? 'no Origin' : `Origin ${opts.origin}`
  if (error instanceof WsHandshakeError) {
    const refused =
      error.status === 101
        ? 'failed the WebSocket upgrade'
        : `refused the WebSocket upgrade with HTTP ${error.status}`
    return new WicConnectError(
      `${opts.observer}: the eP-CSCF at ${opts.url} ${refused} (${origin}, Sec-WebSocket-Protocol ${opts.protocols.join(', ') || 'none'}): ${bare(error)}`,
      opts.url,
      error.status,
      error.headers,
      error.body,
      { cause: error },
    )
  }
  const message = `${opts.observer} could not connect to the eP-CSCF at ${opts.url} (${origin}): `
  // The same kind of error (TLS, TCP, deadline), with the WIC's context in front.
  if (error instanceof HarnessError) return rewrap(error, `${message}${bare(error)}`)
  return new TransportFailed(`${message}${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  })
}
