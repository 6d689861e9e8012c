import { SutStartFailed } from '../errors.ts'
import { createResponse } from '../sip/builders.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { DEFAULT_TIMER_SETTINGS } from '../transaction/timers.ts'
import { TransactionLayer, type ServerTransaction } from '../transaction/transaction-layer.ts'
import type { Flow, Inbound, InvalidInbound, Peer } from '../transport/peer.ts'
import type { TcpTransport } from '../transport/tcp-transport.ts'
import type { UdpTransport } from '../transport/udp-transport.ts'
import { wsFlow } from '../transport/ws-flow.ts'
import { forwardAck } from './ack-relay.ts'
import { fromTrustedCore } from './core-trust.ts'
import { bindDespiteFailure } from './flow-binding-faults.ts'
import { badRequestFor } from './bad-request.ts'
import {
  applyTrustedNodeAuthorization,
  gateRegister,
  gateRequest,
  type BearerGateOptions,
} from './bearer-gate.ts'
import { parseFaults, type Faults } from './faults.ts'
import { KeepaliveProbe } from './keepalive-probe.ts'
import { bindMw, MwLink } from './mw-link.ts'
import { RegEventSubscriber } from './reg-event.ts'
import { parseVariants, type Variants } from './variants.ts'
import { FlowTokens } from './flow-token.ts'
import { Forwarder } from './forwarder.ts'
import { prepareOriginating } from './originating-proxy.ts'
import {
  addressUri,
  decrementMaxForwards,
  insertBeforeLength,
  validationFailure,
  removeOwnRoutes,
  stampReceived,
  type SelfAddress,
} from './proxy-rules.ts'
import { prepareRegister } from './register-proxy.ts'
import { isDeregistration } from '../sip/contact-expiry.ts'
import { Registrations, type Registration } from './registrations.ts'
import { prepareTerminating, type Termination } from './terminating-proxy.ts'
import { createTokenVerifier } from './token-verifier.ts'
import { WebSocketEdge, type AcceptedWebSocket } from './websocket-edge.ts'
import { WicConnections, type WicConnection } from './wic-connections.ts'
import type { ReferenceEpcscfOptions } from './reference-options.ts'

export type { ReferenceEpcscfOptions } from './reference-options.ts'

/**
 * The reference eP-CSCF: the harness's embedded system under test, and the executable reading of the interop
 * contract (docs/interop-contract.md). A WSS edge with an Origin policy on W2 (TS 33.203 X.2.2.3 step 2), and a
 * stateful proxy (RFC 3261 §16) with the P-CSCF's REGISTER, origination and termination duties (TS 24.229 §5.2)
 * toward one next hop on Mw. It never authenticates digest credentials; it verifies tokens when the
 * web-authentication scheme is enabled. Fault switches (faults.ts) each break one of these duties.
 */

const DEFAULT_ORIGIN = 'https://wwsf.harness.test:8443'

export class ReferenceEpcscf implements AsyncDisposable {
  private readonly connections: WicConnections
  private readonly registrations = new Registrations()
  private readonly forwarder: Forwarder
  private readonly gate: BearerGateOptions
  private readonly nextHop: Peer
  private readonly link: MwLink
  private readonly probe: KeepaliveProbe | undefined
  private readonly regEvent: RegEventSubscriber | undefined
  private edge: WebSocketEdge | undefined
  private stopped = false

  private constructor(
    private readonly opts: ReferenceEpcscfOptions,
    private readonly faults: Faults,
    private readonly variants: Variants,
    private readonly observer: string,
    private readonly tx: TransactionLayer,
    private readonly udp: UdpTransport,
    private readonly tcp: TcpTransport,
  ) {
    this.connections = new WicConnections(new FlowTokens())
    const timers = opts.timers ?? DEFAULT_TIMER_SETTINGS
    this.forwarder = new Forwarder({
      tx,
      faults,
      variants,
      connections: this.connections,
      trace: opts.trace,
      observer,
      responseTimeoutMs: opts.responseTimeoutMs ?? 32 * timers.T1,
      lingerMs: 64 * timers.T1,
    })
    const domain = opts.domain ?? 'ims.harness.test'
    this.gate = {
      domain,
      missingOrigin: opts.missingOrigin ?? 'refuse',
      note: (text) => opts.trace.note(observer, text),
      faults,
      variants,
      verifier:
        opts.token === undefined
          ? undefined
          : createTokenVerifier({ ...opts.token, audience: opts.token.audience ?? this.identity, faults }),
    }
    const hop = opts.nextHop ?? { address: '127.0.0.1', port: 5070 }
    this.nextHop = { transport: hop.transport ?? 'UDP', address: hop.address, port: hop.port }
    this.link = new MwLink({
      udp,
      tcp,
      nextHop: { address: hop.address, port: hop.port, transport: hop.transport ?? 'UDP' },
      variants,
      idleMs: opts.mwTcpIdleMs ?? 300_000,
      trace: opts.trace,
      observer,
    })
    const own = {
      tx,
      via: () => this.mwVia(this.link.preferred),
      identity: this.identity,
      trace: opts.trace,
      observer,
    }
    this.probe = KeepaliveProbe.forVariants(variants, {
      ...own,
      flow: () => this.link.flow(this.link.preferred),
      target: hop,
      intervalMs: opts.probeIntervalMs ?? 300,
    })
    this.regEvent = RegEventSubscriber.forVariants(variants, {
      ...own,
      flow: (request) => this.link.flow(this.link.transportFor(request)),
    })
  }

  /** Binds Mw (UDP and TCP) and W2 (WSS) and starts serving. */
  static async start(opts: ReferenceEpcscfOptions): Promise<ReferenceEpcscf> {
    const observer = opts.observer ?? 'reference eP-CSCF'
    const faults = parseFaults(opts.faults ?? [])
    const variants = parseVariants(opts.variants ?? [])
    const mw = opts.mw ?? { address: '127.0.0.1', port: 5060 }
    const tag = { trace: opts.trace, observer, leg: 'Mw' as const }
    const started: { close(): Promise<void> | void }[] = []
    try {
      const { udp, tcp } = await bindMw(mw, tag)
      started.push(udp, tcp)
      const tx = new TransactionLayer({ timers: opts.timers ?? DEFAULT_TIMER_SETTINGS, observer })
      started.push(tx)
      const epcscf = new ReferenceEpcscf(opts, faults, variants, observer, tx, udp, tcp)
      epcscf.wire()
      epcscf.edge = await WebSocketEdge.listen({
        host: opts.wss.host,
        port: opts.wss.port,
        reusePort: opts.wss.reusePort ?? false,
        path: opts.wss.path ?? '/',
        tls: opts.wss.tls,
        origin: {
          allowed: opts.allowedOrigins ?? [DEFAULT_ORIGIN],
          missingOrigin: opts.missingOrigin ?? 'refuse',
        },
        faults,
        variants,
        trace: opts.trace,
        observer,
        onConnection: (accepted) => epcscf.accept(accepted),
      })
      epcscf.probe?.start()
      const active = [...faults, ...variants].join(', ')
      opts.trace.note(
        observer,
        `started: W2 ${epcscf.wssUrl}, Mw ${mw.address}:${udp.local.port} (UDP, TCP), next hop ` +
          `${epcscf.link.preferred.toLowerCase()}:${epcscf.nextHop.address}:${epcscf.nextHop.port}` +
          (active === '' ? '' : `, switches: ${active}`),
      )
      return epcscf
    } catch (error) {
      for (const resource of started.reverse()) await resource.close()
      throw new SutStartFailed(
        `reference eP-CSCF could not start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
  }

  /** `wss://host:port/path` of the W2 listener. */
  get wssUrl(): string {
    return this.edge?.url ?? ''
  }

  get wssPort(): number {
    return this.edge?.port ?? this.opts.wss.port
  }

  /** The Mw port actually bound (UDP and TCP). */
  get mwPort(): number {
    return this.udp.local.port
  }

  get identity(): string {
    return this.opts.identity ?? 'sip:epcscf.harness.test'
  }

  /** Current registrations (diagnostics and tests). */
  currentRegistrations(): Registration[] {
    return this.registrations.all()
  }

  /** Open WebSocket connections. */
  connectionCount(): number {
    return this.connections.all().length
  }

  /** Closes W2 (going-away close frames), the transaction layer and the Mw sockets. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.probe?.stop()
    this.regEvent?.stop()
    await this.edge?.close()
    this.forwarder.close()
    this.link.close()
    this.tx.close()
    await this.tcp.close()
    await this.udp.close()
    this.opts.trace.note(this.observer, 'stopped')
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  private get self(): SelfAddress {
    const identityHost = /^sips?:(?:[^@]*@)?([^;:>]+)/i.exec(this.identity)?.[1]
    return {
      mwTransport: this.link.preferred,
      mwHost: this.udp.local.address,
      mwPort: this.udp.local.port,
      // The `path-hostname` variant: the eP-CSCF's name, which the core resolves to its Mw address.
      pathHost:
        this.variants.has('path-hostname') && identityHost !== undefined
          ? identityHost
          : this.udp.local.address,
      wssHost: this.opts.wss.host,
      wssPort: this.wssPort,
      aliases: identityHost === undefined ? [] : [identityHost],
    }
  }

  private wire(): void {
    for (const transport of [this.udp, this.tcp]) {
      transport.onMessage((inbound) => {
        this.link.touch(inbound.flow)
        this.tx.receive(inbound)
      })
      transport.onInvalid((invalid) => void this.invalid(invalid))
    }
    this.tx.onRequest((serverTx) => void this.dispatch(serverTx))
    this.tx.onStray((inbound) => void this.stray(inbound))
  }

  private accept(accepted: AcceptedWebSocket): void {
    const flow = wsFlow(accepted.socket, {
      local: { transport: 'WSS', ...accepted.local },
      remote: { transport: 'WSS', ...accepted.remote },
      trace: this.opts.trace,
      observer: this.observer,
      leg: 'W2',
    })
    const connection = this.connections.add(flow, accepted.origin)
    if (accepted.protocol === '' && this.variants.has('subprotocol-ignored')) {
      // The `subprotocol-ignored` variant: no subprotocol was agreed, so nothing on this connection is SIP (RFC
      // 7118 §4.1: SIP over WebSocket is the "sip" subprotocol); the first message closes it, unprocessed.
      const refuse = () => {
        this.opts.trace.note(this.observer, `flow ${flow.id}: no "sip" subprotocol, message ignored, closing`)
        void flow.close()
      }
      flow.onMessage(refuse)
      flow.onInvalid(refuse)
    } else {
      flow.onMessage((inbound) => this.tx.receive(inbound))
      flow.onInvalid((invalid) => void this.invalid(invalid))
    }
    flow.onClose((reason) => {
      // The flow is gone: terminating requests for it now get 430 (RFC 5626 §5.3), and the registrations made on
      // it no longer authorize originating requests.
      this.connections.remove(connection)
      this.registrations.dropConnection(connection.id)
      this.opts.trace.note(
        this.observer,
        `WebSocket connection ${connection.id} (flow ${flow.id}) closed: ${reason}`,
      )
    })
  }

  private async dispatch(serverTx: ServerTransaction): Promise<void> {
    try {
      if (serverTx.request.method === 'CANCEL') {
        await this.forwarder.cancel(serverTx)
        return
      }
      const connection = this.connections.ofFlow(serverTx.flow)
      if (connection !== undefined) await this.fromWic(serverTx, connection)
      else await this.fromMw(serverTx)
    } catch (error) {
      this.opts.trace.note(
        this.observer,
        `internal error on ${serverTx.request.summary()}: ${error instanceof Error ? error.stack : String(error)}`,
      )
      await this.reject(serverTx, 500, 'Server Internal Error')
    }
  }

  /** A request from a WIC: REGISTER, or origination (initial or in-dialog). */
  private async fromWic(serverTx: ServerTransaction, connection: WicConnection): Promise<void> {
    const request = serverTx.request
    if (!(await this.validate(serverTx))) return
    const out = request.clone()
    stampReceived(out, connection.flow.remote)
    const ownRoutes = removeOwnRoutes(out, this.self)
    decrementMaxForwards(out, this.faults)

    let onFinal: ((response: SipResponse) => void) | undefined
    if (request.method === 'REGISTER') {
      const gate = await gateRegister(out, connection, this.gate)
      if (gate.kind === 'reject') return this.reject(serverTx, gate.status, gate.reason, gate.headers)
      if (this.faults.has('deregister-answered-locally') && isDeregistration(out)) {
        this.registrations.dropConnection(connection.id)
        return this.reject(serverTx, 200, 'OK')
      }
      prepareRegister(out, connection, {
        self: this.self,
        visitedNetworkId: this.opts.visitedNetworkId ?? this.gate.domain,
        integrityProtected: this.opts.integrityProtected ?? 'absent',
        faults: this.faults,
        variants: this.variants,
        tokens: this.connections.tokens,
      })
      if (gate.kind === 'token') applyTrustedNodeAuthorization(out, gate.impi, this.gate.domain, this.faults)
      onFinal = (response) => {
        bindDespiteFailure(this.registrations, connection, out, response, this.faults)
        // On 200 OK the registration state of this connection is what the registrar granted (RFC 3608 §6 for
        // the Service-Route, TS 24.229 §5.2.2.1 for P-Associated-URI).
        if (response.status < 200 || response.status >= 300) return
        const registration = this.registrations.update(connection.id, out, response)
        if (registration !== undefined) this.regEvent?.registered(registration)
        else this.regEvent?.deregistered(addressUri(out.get('To')) ?? '')
      }
    } else {
      const gate = await gateRequest(out, this.gate)
      if (gate.kind === 'reject') return this.reject(serverTx, gate.status, gate.reason, gate.headers)
      const origination = prepareOriginating(out, connection, ownRoutes, {
        self: this.self,
        registrations: this.registrations,
        faults: this.faults,
        variants: this.variants,
      })
      if (origination.kind === 'reject') return this.reject(serverTx, origination.status, origination.reason)
    }

    const transport = this.link.transportFor(out)
    await this.forwarder.forward({
      serverTx,
      outbound: out,
      downstream: this.link.flow(transport),
      via: this.mwVia(transport),
      fromWic: connection,
      ...(onFinal === undefined ? {} : { onFinal }),
    })
  }

  /** Finds the WIC connection a request from Mw is for, and prepares its copy (terminating-proxy.ts). */
  private prepareTerminating(out: SipRequest): Termination {
    return prepareTerminating(out, {
      self: this.self,
      tokens: this.connections.tokens,
      connections: this.connections,
      registrations: this.registrations,
      faults: this.faults,
      variants: this.variants,
    })
  }

  /** A request from the IMS core: terminating, or in-dialog toward a WIC. */
  private async fromMw(serverTx: ServerTransaction): Promise<void> {
    if (!fromTrustedCore(serverTx.flow.remote, this.nextHop, this.faults)) {
      // Catalogue R52: terminating requests only from the IMS core (core-trust.ts).
      return this.reject(serverTx, 403, 'Forbidden - not a trusted core node')
    }
    if (!(await this.validate(serverTx))) return
    if ((await this.regEvent?.notify(serverTx)) === true) return
    const out = serverTx.request.clone()
    const termination = this.prepareTerminating(out)
    if (termination.kind === 'silent') {
      this.opts.trace.note(this.observer, `fault no-flow-failed: ${out.summary()} left unanswered`)
      return
    }
    if (termination.kind === 'reject') return this.reject(serverTx, termination.status, termination.reason)
    decrementMaxForwards(out, this.faults)
    await this.forwarder.forward({
      serverTx,
      outbound: out,
      downstream: termination.connection.flow,
      via: { transport: 'WSS', host: this.self.wssHost, port: this.self.wssPort },
      fromWic: undefined,
    })
  }

  /** RFC 3261 §16.3 request validation (proxy-rules.ts); false when the request was answered. */
  private async validate(serverTx: ServerTransaction): Promise<boolean> {
    let failure = validationFailure(serverTx.request)
    // The `max-forwards-zero-forwarded` fault: a request with Max-Forwards 0 is forwarded (RFC 3261 §16.3 step 3).
    if (failure?.status === 483 && this.faults.has('max-forwards-zero-forwarded')) failure = undefined
    if (failure !== undefined) await this.reject(serverTx, failure.status, failure.reason)
    return failure === undefined
  }

  /** ACKs for 2xx and retransmitted 2xx: forwarded statelessly along the same path as their transaction. */
  private async stray(inbound: Inbound): Promise<void> {
    const message = inbound.message
    try {
      if (!message.isRequest()) {
        if (!(await this.forwarder.stray(message))) {
          this.opts.trace.note(
            this.observer,
            `stray response ${message.summary()} dropped (no response context)`,
          )
        }
        return
      }
      if (message.method !== 'ACK') return
      await this.forwardAck(message, inbound.flow)
    } catch (error) {
      this.opts.trace.note(
        this.observer,
        `stray ${message.summary()}: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }

  private forwardAck(ack: SipRequest, flow: Flow): Promise<void> {
    return forwardAck(ack, flow, {
      connections: this.connections,
      self: this.self,
      faults: this.faults,
      variants: this.variants,
      link: this.link,
      mwVia: (transport) => this.mwVia(transport),
      prepareTerminating: (out) => this.prepareTerminating(out),
    })
  }

  /** Input that is not SIP: a 400 when it can be addressed (RFC 3261 §16.3 / §21.4.1), never a crash. */
  private async invalid(invalid: InvalidInbound): Promise<void> {
    // The malformed-sip-stops-edge fault: unparseable SIP from a WIC takes the W2 listener down, as a crash would.
    if (this.faults.has('malformed-sip-stops-edge') && this.connections.ofFlow(invalid.flow) !== undefined)
      void this.edge?.close()
    const response = badRequestFor(invalid.raw, invalid.error.reason)
    if (response === undefined) return
    await invalid.flow.send(response).catch(() => undefined)
  }

  private async reject(
    serverTx: ServerTransaction,
    status: number,
    reason: string,
    headers: readonly (readonly [string, string])[] = [],
  ): Promise<void> {
    const response = createResponse(serverTx.request, status, reason)
    for (const [name, value] of headers) insertBeforeLength(response, name, value)
    await serverTx.respond(response).catch((error: unknown) => {
      this.opts.trace.note(
        this.observer,
        `could not answer ${status}: ${error instanceof Error ? error.message : String(error)}`,
      )
    })
  }

  /** This eP-CSCF's Via sent-by on Mw over this transport (its listening port, also for TCP, RFC 3261 §18.2.2). */
  private mwVia(transport: 'UDP' | 'TCP'): { transport: string; host: string; port: number } {
    return { transport, host: this.udp.local.address, port: this.udp.local.port }
  }
}
