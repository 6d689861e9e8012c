import { PreconditionFailed, TransportClosed } from '../errors.ts'
import { createResponse } from '../sip/builders.ts'
import type { DigestAlgorithm } from '../sip/digest.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { SipParseError } from '../sip/parse-error.ts'
import { topVia } from '../transaction/transaction-key.ts'
import { DEFAULT_TIMER_SETTINGS, type TimerSettings } from '../transaction/timers.ts'
import { TransactionLayer, type ServerTransaction } from '../transaction/transaction-layer.ts'
import { TraceRecorder } from '../trace/trace-recorder.ts'
import { TcpTransport } from '../transport/tcp-transport.ts'
import {
  describePeer,
  type Flow,
  type Inbound,
  type InvalidInbound,
  type TraceTag,
} from '../transport/peer.ts'
import { UdpTransport } from '../transport/udp-transport.ts'
import type { Binding, RequestSource } from './binding-store.ts'
import { DEFAULT_SUBSCRIBERS, Hss, canonicalImpu, type Subscriber } from './hss.ts'
import { badRequestFromRaw, missingMandatory } from './malformed-request.ts'
import { CallRouter } from './call-router.ts'
import { Registrar, type RegisterOutcome } from './registrar.ts'
import { REJECT_REASONS, type RejectReason } from './reject-reason.ts'
import { acceptRegSubscribe, isRegEvent, regNotify } from './reg-event-notifier.ts'
import {
  classify,
  RequestLog,
  type ExpectOptions,
  type ReceivedRequest,
  type RequestMatch,
} from './request-log.ts'
import {
  buildAckFor2xx,
  buildTerminatingRequest,
  pathTarget,
  type OwnAddress,
  type TerminatingInit,
} from './terminating-request.ts'
import { udpDrops } from './udp-drops.ts'

export interface MockScscfOptions {
  /** Listening address, UDP and TCP. Default `127.0.0.1`. */
  readonly address?: string
  /** Listening port, UDP and TCP. Default 5070; 0 picks a free port (the same for both). */
  readonly port?: number
  /** Home domain = digest realm. Default `ims.harness.test`. */
  readonly domain?: string
  /** Challenge algorithms in order (RFC 8760 §2.4). Default `['MD5']`. */
  readonly algorithms?: readonly DigestAlgorithm[]
  /** Nonce lifetime (stale after). Default 30 s. */
  readonly nonceLifetimeS?: number
  /** The HSS table. Default alice and bob of the interop contract. */
  readonly subscribers?: readonly Subscriber[]
  /** Sources whose `auth-done` is honoured (`host:port`, `host:*`, `host`). Default `['127.0.0.1:5060']`. */
  readonly trustedNodes?: readonly string[]
  /** Host names of Path and Route URIs resolved by this table, `{ name: address }` (no DNS). */
  readonly hostnames?: Readonly<Record<string, string>>
  /** SO_RCVBUF of the UDP socket (bytes), sized for bursts. Default 4 MiB (the kernel may cap it). */
  readonly recvBufferSize?: number
  /** Reject a REGISTER without Path (421). Default false: recorded only. */
  readonly requirePath?: boolean
  readonly defaultExpires?: number
  readonly maxExpires?: number
  readonly minExpires?: number
  /** RFC 3261 timer base values. Default 500/4000/5000 ms. */
  readonly timers?: TimerSettings
  /** Where traffic and notes are recorded. Default a recorder of its own. */
  readonly trace?: TraceRecorder
  /** Observer name in the trace. Default `mock S-CSCF`. */
  readonly observer?: string
}

/** One request as a scripted responder sees it. */
export interface IncomingRequest {
  readonly request: SipRequest
  readonly flow: Flow
  readonly transaction: ServerTransaction
  /** A response to this request (RFC 3261 §8.2.6), to be completed and sent with `send`. */
  response(status: number, reason?: string): SipResponse
  /** Sends a provisional or final response on the server transaction. */
  send(response: SipResponse): Promise<void>
  /** Sends the reason table's status with the reason in a Warning. */
  reject(reason: RejectReason): Promise<void>
  /** Lets the default behaviour answer (registrar for REGISTER, 200 for OPTIONS, the originating handler). */
  proceed(): Promise<void>
}

/**
 * A scripted behaviour. Return a response or a status code to have it sent, or send responses yourself through
 * `incoming` and return nothing (an INVITE may get 180 and later 200).
 */
export type Responder = (
  incoming: IncomingRequest,
) => SipResponse | number | undefined | void | Promise<SipResponse | number | undefined | void>

/** A terminating request on its way: what was sent, on which flow, and its final response. */
export interface TerminatingTransaction {
  readonly request: SipRequest
  readonly flow: Flow
  readonly binding: Binding
  /** Provisional responses, as they arrive. */
  readonly provisionals: SipResponse[]
  /** The final response; rejects with SIP_TRANSACTION_TIMEOUT (Timer B/F) or TRANSPORT_* errors. */
  readonly response: Promise<SipResponse>
}

/** Input that did not parse, as received. */
export interface InvalidReceived {
  readonly raw: string
  readonly error: SipParseError
  readonly flow: Flow
  readonly at: number
}

const OBSERVER = 'mock S-CSCF'
const ALLOW = 'REGISTER, INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE'

/**
 * The mock I/S-CSCF with its HSS on Mw (shared/interop-contract.md): registers users through `Registrar`, records
 * every request, answers OPTIONS, lets scenarios script answers, and sends terminating requests along the
 * registered Path. Hostile input is recorded and never crashes it: an unparseable request gets a 400 when it can
 * be answered at all, and a request missing mandatory header fields gets 400, both with a Warning.
 */
export class MockScscf {
  readonly hss: Hss
  readonly registrar: Registrar
  readonly trace: TraceRecorder
  readonly observer: string
  /** Every REGISTER outcome since the last reset, in order. */
  readonly outcomes: RegisterOutcome[] = []
  /** Every response the mock sent on a server transaction since the last reset, in order. */
  readonly sentResponses: SipResponse[] = []
  /** Input that did not parse since the last reset. */
  readonly invalid: InvalidReceived[] = []

  private readonly log: RequestLog
  private readonly oneShot = new Map<string, Responder[]>()
  private readonly handlers = new Map<string, Responder>()
  private originating: Responder | undefined
  private readonly pendingInvites = new Map<string, { tx: ServerTransaction; final: boolean }>()
  /** Calls: the network's user agent and the routing of calls between registered WICs (call-router.ts). */
  readonly calls: CallRouter
  private stopped = false
  /** UDP drops already reported (see `noteDrops`). */
  private dropsSeen = 0

  private constructor(
    private readonly udp: UdpTransport,
    private readonly tcp: TcpTransport,
    private readonly transactions: TransactionLayer,
    private readonly options: MockScscfOptions,
    trace: TraceRecorder,
    observer: string,
  ) {
    this.trace = trace
    this.observer = observer
    this.log = new RequestLog(observer)
    this.hss = new Hss(options.subscribers ?? DEFAULT_SUBSCRIBERS)
    this.registrar = new Registrar({
      hss: this.hss,
      serviceRoute: `sip:orig@${this.hostPort};lr`,
      realm: options.domain ?? 'ims.harness.test',
      algorithms: options.algorithms ?? ['MD5'],
      nonceLifetimeMs: (options.nonceLifetimeS ?? 30) * 1000,
      trustedNodes: options.trustedNodes ?? ['127.0.0.1:5060'],
      requirePath: options.requirePath ?? false,
      ...(options.defaultExpires === undefined ? {} : { defaultExpires: options.defaultExpires }),
      ...(options.maxExpires === undefined ? {} : { maxExpires: options.maxExpires }),
      ...(options.minExpires === undefined ? {} : { minExpires: options.minExpires }),
    })
    for (const transport of [udp, tcp]) {
      transport.onMessage((inbound) => this.onInbound(inbound))
      transport.onInvalid((invalid) => this.onInvalid(invalid))
    }
    transactions.onRequest((tx) => this.guard(this.onRequest(tx), `handling ${tx.request.summary()}`))
    transactions.onStray((inbound) => this.onStray(inbound))
    this.calls = new CallRouter({
      transactions,
      flowTo: (peer) => this.flowTo(peer),
      own: () => ({ address: this.address, port: this.port }),
      bindings: (impu) => this.bindings(impu),
      note: (text) => this.note(text),
    })
  }

  /** Listens on UDP and TCP (same port) and returns the running mock. */
  static async start(options: MockScscfOptions = {}): Promise<MockScscf> {
    const trace = options.trace ?? new TraceRecorder()
    const observer = options.observer ?? OBSERVER
    const tag: TraceTag = { trace, observer, leg: 'Mw' }
    const address = options.address ?? '127.0.0.1'
    const wanted = options.port ?? 5070
    let lastError: unknown
    // With port 0 UDP picks the port and TCP takes the same one; if TCP finds it taken, try another.
    for (let attempt = 0; attempt < (wanted === 0 ? 5 : 1); attempt += 1) {
      const udp = await UdpTransport.listen({
        address,
        port: wanted,
        recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
        ...tag,
      })
      try {
        const tcp = await TcpTransport.listen({ address, port: udp.local.port, ...tag })
        const transactions = new TransactionLayer({
          timers: options.timers ?? DEFAULT_TIMER_SETTINGS,
          observer,
        })
        const mock = new MockScscf(udp, tcp, transactions, options, trace, observer)
        trace.note(observer, `listening on ${describePeer(udp.local)} and ${describePeer(tcp.local)}`)
        return mock
      } catch (error) {
        lastError = error
        await udp.close()
      }
    }
    throw lastError
  }

  /** The listening address and port (UDP and TCP). */
  get address(): string {
    return this.udp.local.address
  }

  get port(): number {
    return this.udp.local.port
  }

  /** `127.0.0.1:5070` (IPv6 in brackets). */
  get hostPort(): string {
    return `${this.address.includes(':') ? `[${this.address}]` : this.address}:${this.port}`
  }

  /** Every request received since the last reset, in arrival order, with its flow and time. */
  get received(): readonly ReceivedRequest[] {
    return this.log.entries
  }

  /**
   * Every request received since the last reset, background traffic of the eP-CSCF included (OPTIONS keep-alive
   * probes, its reg-event SUBSCRIBE), each with its `kind`.
   */
  get allReceived(): readonly ReceivedRequest[] {
    return this.log.all
  }

  /**
   * Datagrams the kernel dropped at this mock's UDP port because its receive buffer was full, since the socket
   * opened (Linux /proc/net/udp); undefined where the count is not visible.
   */
  udpDrops(): number | undefined {
    return udpDrops(this.port)
  }

  /** Requests no `expectRequest` consumed yet (for a scenario's "nothing unexpected arrived" check). */
  unconsumed(): ReceivedRequest[] {
    return this.log.unconsumed()
  }

  /**
   * The first request not yet consumed that matches, now or within `withinMs`. Rejects with
   * HarnessError('SIP_TIMEOUT_AWAITING', "mock S-CSCF expected REGISTER within 4000 ms; received: ...").
   */
  expectRequest(match: RequestMatch, opts: ExpectOptions): Promise<ReceivedRequest> {
    return this.log.expect(match, opts)
  }

  /** Unexpired bindings reaching this IMPU. */
  bindings(impu: string): Binding[] {
    return this.registrar.bindings(impu)
  }

  /** Challenge algorithms from now on (until reset, which restores the configured ones). */
  setAlgorithms(algorithms: readonly DigestAlgorithm[]): void {
    this.registrar.setAlgorithms(algorithms)
  }

  /** Answers the next request of this method with `responder` (once; several calls queue up). */
  onNextRequest(method: string, responder: Responder): void {
    const key = method.toUpperCase()
    this.oneShot.set(key, [...(this.oneShot.get(key) ?? []), responder])
  }

  /** Answers every request of this method with `responder` (undefined: back to the default). */
  setHandler(method: string, responder: Responder | undefined): void {
    if (responder) this.handlers.set(method.toUpperCase(), responder)
    else this.handlers.delete(method.toUpperCase())
  }

  /**
   * The handler for requests other than REGISTER, OPTIONS, CANCEL and ACK that have no handler of their own (the
   * originating requests the eP-CSCF sends along the Service-Route). Default: 480 with "not-registered" when the
   * Request-URI is a subscriber's IMPU without binding, 404 with "no-route" otherwise.
   */
  setOriginatingHandler(responder: Responder | undefined): void {
    this.originating = responder
  }

  /**
   * Forgets the recorded traffic (requests, responses, registration outcomes, unparseable inputs) and keeps the
   * state: bindings, nonces, calls. Pending waits on the request log fail with `reason`. A long load run calls it
   * every second so that the record stays bounded.
   */
  forgetTraffic(reason: string): void {
    this.log.clear(reason)
    this.outcomes.length = 0
    this.sentResponses.length = 0
    this.invalid.length = 0
  }

  /** Forgets bindings, nonces, recorded traffic and scripted behaviours; pending waits fail. */
  reset(): void {
    this.registrar.reset()
    this.registrar.setAlgorithms(this.options.algorithms ?? ['MD5'])
    this.forgetTraffic('the mock S-CSCF was reset')
    this.oneShot.clear()
    this.handlers.clear()
    this.originating = undefined
    this.pendingInvites.clear()
    this.calls.reset()
    // A call the network placed and nobody answered would keep its INVITE client transaction (and its Timer B)
    // alive into the next scenario: every client transaction of the mock ends with the scenario it belongs to.
    const ended = this.transactions.abortClients(new TransportClosed('the mock S-CSCF was reset'))
    if (ended > 0) this.note(`reset: ${ended} pending client transaction(s) ended`)
    this.noteDrops()
  }

  /** Kernel drops at the UDP socket since the last look go into the trace: lost datagrams explain retransmissions. */
  private noteDrops(): void {
    const drops = this.udpDrops()
    if (drops === undefined || drops <= this.dropsSeen) return
    this.note(
      `${drops - this.dropsSeen} datagram(s) dropped by the kernel at ${this.hostPort} (receive buffer full)`,
    )
    this.dropsSeen = drops
  }

  /**
   * Sends an initial request to a registered IMPU along its Path (TS 24.229 §5.4.3.3, RFC 3327 §5.4): to the top
   * Path entry's host and port (the eP-CSCF), Route = the Path, Request-URI = the registered contact.
   */
  sendTerminating(
    init: TerminatingInit,
    opts: { onProvisional?: (response: SipResponse) => void } = {},
  ): TerminatingTransaction {
    const binding = init.binding ?? this.latestBinding(init.to)
    const target = pathTarget(binding, this.options.hostnames)
    const own: OwnAddress = { transport: target.transport, address: this.address, port: this.port }
    const request = buildTerminatingRequest(binding, init, own)
    const flow = target.transport === 'TCP' ? this.tcp.flowTo(target) : this.udp.flowTo(target)
    const provisionals: SipResponse[] = []
    const response = this.transactions.request(request, flow, {
      onProvisional: (r) => {
        provisionals.push(r)
        opts.onProvisional?.(r)
      },
    })
    this.trace.note(
      this.observer,
      `terminating ${request.summary()} to ${describePeer(target)} for ${binding.aor}`,
    )
    return { request, flow, binding, provisionals, response }
  }

  /** Sends the ACK for a 2xx to a terminating INVITE (RFC 3261 §13.2.2.4) on the INVITE's flow. */
  async ack(sent: TerminatingTransaction, response: SipResponse): Promise<SipRequest> {
    const own: OwnAddress = { transport: sent.flow.remote.transport, address: this.address, port: this.port }
    const ack = buildAckFor2xx(sent.request, response, own)
    await sent.flow.send(ack)
    return ack
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.log.clear('the mock S-CSCF stopped')
    this.transactions.close()
    await Promise.all([this.udp.close(), this.tcp.close()])
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  // --- inbound ---------------------------------------------------------------------------------------------------

  private onInbound(inbound: Inbound): void {
    try {
      this.transactions.receive(inbound)
    } catch (error) {
      this.note(`transaction layer refused ${inbound.message.summary()}: ${String(error)}`)
    }
  }

  private onStray(inbound: Inbound): void {
    const message = inbound.message
    if (message.isRequest()) {
      // The ACK for a 2xx (RFC 3261 §17.2.3): no transaction, recorded as a request.
      this.log.add({ request: message, flow: inbound.flow, at: Date.now() })
      this.guard(this.calls.ack(inbound), `routing ${message.summary()}`)
    } else {
      this.note(`stray response ${message.summary()} from ${describePeer(inbound.flow.remote)}`)
    }
  }

  private onInvalid(invalid: InvalidInbound): void {
    this.invalid.push({ ...invalid, at: Date.now() })
    const reason: RejectReason = /missing mandatory/i.test(invalid.error.reason)
      ? 'missing-header'
      : 'unparseable'
    const reply = badRequestFromRaw(invalid.raw, reason)
    this.note(`unparseable input from ${describePeer(invalid.flow.remote)}: ${invalid.error.message}`)
    if (reply !== undefined && !invalid.flow.closed) {
      this.guard(invalid.flow.sendRaw(reply), 'answering unparseable input with 400')
    }
  }

  private async onRequest(tx: ServerTransaction): Promise<void> {
    const { request, flow } = tx
    const kind = classify(request)
    this.log.add({ request, flow, at: Date.now(), kind })
    const incoming = this.incoming(tx)
    if (kind !== 'scenario') {
      // The eP-CSCF's own background requests never meet a scenario's scripted responders.
      await this.defaultBehaviour(incoming)
      return
    }
    const missing = missingMandatory(request)
    if (missing !== undefined) {
      this.note(`${request.summary()} lacks ${missing} (RFC 3261 §8.1.1)`)
      return incoming.reject('missing-header')
    }
    if (request.method === 'INVITE') this.trackInvite(tx)
    const method = request.method.toUpperCase()
    const queued = this.oneShot.get(method)
    const responder = queued?.shift() ?? this.handlers.get(method)
    if (queued?.length === 0) this.oneShot.delete(method)
    try {
      if (responder) await this.runResponder(responder, incoming)
      else await this.defaultBehaviour(incoming)
    } catch (error) {
      // Whatever failed (a scripted responder, a request the registrar could not digest), the sender gets an
      // answer rather than silence, unless a final response already went out.
      this.note(
        `handling ${request.summary()} failed: ${error instanceof Error ? error.message : String(error)}`,
      )
      if (!this.sentResponses.some((r) => r.status >= 200 && sameTransaction(r, request))) {
        await incoming.reject('internal-error')
      }
    }
  }

  private async runResponder(responder: Responder, incoming: IncomingRequest): Promise<void> {
    const result = await responder(incoming)
    if (typeof result === 'number') await incoming.send(incoming.response(result))
    else if (result) await incoming.send(result)
  }

  private async defaultBehaviour(incoming: IncomingRequest): Promise<void> {
    const { request, flow } = incoming
    switch (request.method.toUpperCase()) {
      case 'REGISTER': {
        const source: RequestSource = {
          transport: flow.remote.transport,
          address: flow.remote.address,
          port: flow.remote.port,
          flow,
        }
        const outcome = this.registrar.handle(request, source)
        this.outcomes.push(outcome)
        const why = outcome.reason ? ` (${outcome.reason})` : ''
        const notes = outcome.notes.length > 0 ? `; ${outcome.notes.join('; ')}` : ''
        this.note(`REGISTER ${outcome.impu ?? request.get('To') ?? '?'}: ${outcome.result}${why}${notes}`)
        return incoming.send(outcome.response)
      }
      case 'OPTIONS': {
        // RFC 3261 §11.2: "Allow, Accept, Accept-Encoding, Accept-Language, and Supported header fields SHOULD
        // be present in a 200 (OK) response to an OPTIONS request."
        const ok = incoming.response(200)
        ok.append('Allow', ALLOW).append('Accept', 'application/sdp, text/plain').append('Supported', 'path')
        return incoming.send(ok)
      }
      case 'CANCEL':
        return this.cancel(incoming)
      default:
        if (request.method.toUpperCase() === 'SUBSCRIBE' && isRegEvent(request))
          return this.regSubscribe(incoming)
        if (this.originating) return this.runResponder(this.originating, incoming)
        if (await this.calls.route(incoming)) return
        return this.defaultOriginating(incoming)
    }
  }

  /** RFC 3680 / RFC 6665: 200 (OK) to a reg-event SUBSCRIBE, then the NOTIFY with the current state. */
  private async regSubscribe(incoming: IncomingRequest): Promise<void> {
    const { request, flow } = incoming
    const own = { transport: flow.local.transport, address: this.address, port: this.port }
    const ok = acceptRegSubscribe(request, own)
    await incoming.send(ok)
    const impu = canonicalImpu(request.uri)
    const notify = regNotify(request, ok, this.hss.byImpu(impu) === undefined ? [] : this.bindings(impu), own)
    this.guard(
      this.transactions.request(notify, flow.closed ? this.flowTo(flow.remote) : flow),
      `reg-event NOTIFY to ${describePeer(flow.remote)}`,
    )
  }

  /** A flow to this peer; a host name is resolved through `hostnames` (scscf.hostnames of the profile). */
  private flowTo(peer: Flow['remote']): Flow {
    const named = Object.entries(this.options.hostnames ?? {}).find(
      ([name]) => name.toLowerCase() === peer.address.toLowerCase(),
    )
    const resolved = named === undefined ? peer : { ...peer, address: named[1] }
    return resolved.transport === 'TCP' ? this.tcp.flowTo(resolved) : this.udp.flowTo(resolved)
  }

  private defaultOriginating(incoming: IncomingRequest): Promise<void> {
    const target = canonicalImpu(incoming.request.uri)
    const isSubscriber = this.hss.byImpu(target) !== undefined
    return incoming.reject(isSubscriber && this.bindings(target).length === 0 ? 'not-registered' : 'no-route')
  }

  /**
   * RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL according to the procedure
   * above, it SHOULD respond to the CANCEL with a 481"; otherwise the CANCEL gets 200 and, if the INVITE has no
   * final response yet, the INVITE gets 487 (Request Terminated).
   */
  private async cancel(incoming: IncomingRequest): Promise<void> {
    const branch = topVia(incoming.request)?.branch
    const pending = branch === undefined ? undefined : this.pendingInvites.get(branch)
    if (!pending || pending.tx.request.get('Call-ID') !== incoming.request.get('Call-ID')) {
      return incoming.reject('no-matching-transaction')
    }
    await incoming.send(incoming.response(200))
    if (!pending.final) await this.incoming(pending.tx).send(createResponse(pending.tx.request, 487))
  }

  private trackInvite(tx: ServerTransaction): void {
    const branch = topVia(tx.request)?.branch
    if (branch === undefined) return
    this.pendingInvites.set(branch, { tx, final: false })
    tx.onTerminated(() => this.pendingInvites.delete(branch))
  }

  private incoming(tx: ServerTransaction): IncomingRequest {
    const send = async (response: SipResponse): Promise<void> => {
      if (response.status >= 200) {
        const branch = topVia(tx.request)?.branch
        const pending = branch === undefined ? undefined : this.pendingInvites.get(branch)
        if (pending && pending.tx === tx) pending.final = true
      }
      this.sentResponses.push(response)
      await tx.respond(response)
    }
    const incoming: IncomingRequest = {
      request: tx.request,
      flow: tx.flow,
      transaction: tx,
      response: (status, reason) => createResponse(tx.request, status, reason),
      send,
      reject: (reason) => {
        const response = this.registrar.reject(tx.request, reason)
        if (reason === 'method-not-allowed') response.append('Allow', ALLOW)
        return send(response)
      },
      proceed: () => this.defaultBehaviour(incoming),
    }
    return incoming
  }

  private latestBinding(impu: string): Binding {
    const bindings = this.bindings(impu)
    const latest = bindings.sort((a, b) => b.registeredAt - a.registeredAt)[0]
    if (!latest) {
      throw new PreconditionFailed(
        `${this.observer} cannot send a terminating request to ${impu}: ${REJECT_REASONS['not-registered'].text}`,
      )
    }
    return latest
  }

  private guard(work: Promise<unknown>, what: string): void {
    work.catch((error: unknown) =>
      this.note(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
    )
  }

  private note(summary: string): void {
    this.trace.note(this.observer, summary)
  }
}

/** Is this response one to this request (same Call-ID, CSeq and top Via branch)? */
function sameTransaction(response: SipResponse, request: SipRequest): boolean {
  return (
    response.get('Call-ID') === request.get('Call-ID') &&
    response.get('CSeq') === request.get('CSeq') &&
    topVia(response)?.branch === topVia(request)?.branch
  )
}
