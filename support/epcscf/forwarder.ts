import { TransactionTimeout } from '../errors.ts'
import { createResponse } from '../sip/builders.ts'
import { SipRequest, type SipResponse } from '../sip/message.ts'
import type { ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { Flow } from '../transport/peer.ts'
import type { Faults } from './faults.ts'
import { flowFailed } from './terminating-proxy.ts'
import type { Variants } from './variants.ts'
import { decrementMaxForwards, ownVia, topBranch } from './proxy-rules.ts'
import { deliverToWic, relayedResponse } from './response-relay.ts'
import type { WicConnection, WicConnections } from './wic-connections.ts'

/**
 * The stateful part of the proxy (RFC 3261 §16.2): one response context per forwarded request, linking the server
 * transaction of the upstream side to one client transaction on the downstream side (this proxy never forks).
 */

export interface ForwardOptions {
  readonly serverTx: ServerTransaction
  /** The prepared copy, without this proxy's Via (added here). */
  readonly outbound: SipRequest
  readonly downstream: Flow
  /** This proxy's sent-by on the downstream side. */
  readonly via: { readonly transport: string; readonly host: string; readonly port: number }
  /** The WIC connection the request came from (origination), undefined when it came from Mw. */
  readonly fromWic: WicConnection | undefined
  /** Sees every final response before it is relayed (registration state). */
  readonly onFinal?: (response: SipResponse) => void
}

export interface ForwarderDeps {
  readonly tx: TransactionLayer
  readonly faults: Faults
  readonly variants: Variants
  readonly connections: WicConnections
  readonly trace: TraceRecorder
  readonly observer: string
  /** How long to wait for a final (non-INVITE) or first (INVITE) response downstream before answering 408. */
  readonly responseTimeoutMs: number
  /** How long a context outlives its final response, for 2xx retransmissions and late CANCELs (64*T1). */
  readonly lingerMs: number
}

interface Context {
  readonly opts: ForwardOptions
  readonly sent: SipRequest
  readonly branch: string
  provisional: boolean
  final: boolean
}

export class Forwarder {
  /** Contexts by the upstream key (flow id + upstream top branch) and by this proxy's branch. */
  private readonly byUpstream = new Map<string, Context>()
  private readonly byBranch = new Map<string, Context>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly deps: ForwarderDeps) {}

  /** Forwards a request and relays its responses upstream; never throws (failures become responses or notes). */
  async forward(opts: ForwardOptions): Promise<void> {
    const { faults } = this.deps
    const sent = opts.outbound
    const request = opts.serverTx.request

    if (request.method === 'INVITE') {
      // The server transaction MUST generate a 100 (Trying) response unless it knows that the TU will generate a
      // provisional or final response within 200 ms (https://www.rfc-editor.org/rfc/rfc3261#section-17.2.1); the
      // next hop's answer may well take longer, so the proxy sends it now.
      await this.respondUpstream(opts, createResponse(request, 100), false)
    }

    if (faults.has('no-own-via')) {
      // The injected defect: no Via of this proxy, so no client transaction can match the answer; the request is
      // sent as is and the responses go wherever the next hop sends them.
      this.deps.trace.note(
        this.deps.observer,
        `fault no-own-via: ${sent.summary()} forwarded without own Via`,
      )
      await opts.downstream.send(sent).catch((error: unknown) => this.noteFailure(sent, error))
      return
    }

    const via = ownVia(opts.via.transport, opts.via.host, opts.via.port)
    // The `two-vias` variant: a two-stage eP-CSCF, whose inner stage's Via sits under the outer one's (each stage
    // "MUST insert a Via header field value", RFC 3261 §16.6 step 8); relayedResponse removes both.
    if (this.deps.variants.has('two-vias')) {
      sent.prepend('Via', ownVia(opts.via.transport, opts.via.host, opts.via.port).value)
      decrementMaxForwards(sent, faults) // the second stage's own decrement (§16.6 step 3)
    }
    sent.prepend('Via', via.value)
    const context: Context = { opts, sent, branch: via.branch, provisional: false, final: false }
    const upstreamKey = this.upstreamKey(opts.serverTx.flow, request)
    if (upstreamKey !== undefined) this.byUpstream.set(upstreamKey, context)
    this.byBranch.set(via.branch, context)

    let response: SipResponse
    try {
      response = await this.withDeadline(
        context,
        this.deps.tx.request(sent, opts.downstream, {
          onProvisional: (provisional) => {
            context.provisional = true
            // Until a final response has been sent on the server transaction, the following responses MUST be
            // forwarded immediately: - Any provisional response other than a 100 (Trying) response [...]
            // https://www.rfc-editor.org/rfc/rfc3261#section-16.7  (step 5)
            if (provisional.status === 100) return
            void this.respondUpstream(
              opts,
              relayedResponse(provisional, opts.fromWic !== undefined, this.deps),
              true,
            )
          },
        }),
      )
    } catch (error) {
      const [status, reason] = this.failureStatus(error, opts)
      // The `no-flow-failed` fault: a request for a WebSocket that is gone gets no answer at all.
      if (
        opts.fromWic === undefined &&
        !(error instanceof TransactionTimeout) &&
        faults.has('no-flow-failed')
      ) {
        context.final = true
        this.linger(context, upstreamKey)
        return
      }
      response = createResponse(request, status, reason)
      this.deps.trace.note(
        this.deps.observer,
        `no final response to ${sent.summary()} from ${opts.downstream.remote.address}:${opts.downstream.remote.port}` +
          ` (${error instanceof Error ? error.message : String(error)}): answering ${response.status}`,
      )
      context.final = true
      this.linger(context, upstreamKey)
      await this.respondUpstream(opts, response, false)
      return
    }
    if (context.final) return // the deadline already answered upstream
    context.final = true
    this.linger(context, upstreamKey)
    opts.onFinal?.(response)
    await this.respondUpstream(opts, relayedResponse(response, opts.fromWic !== undefined, this.deps), true)
  }

  /**
   * CANCEL (RFC 3261 §16.10): "If a matching response context is found, the element MUST immediately return a 200
   * (OK) response to the CANCEL request" and cancel the pending client transactions. Deviation: without a context
   * §16.10 forwards the CANCEL statelessly; this proxy forwards every request statefully, so a CANCEL it has no
   * context for cancels nothing it sent, and gets 481 (Call/Transaction Does Not Exist).
   */
  async cancel(serverTx: ServerTransaction): Promise<void> {
    const key = this.upstreamKey(serverTx.flow, serverTx.request)
    const context = key === undefined ? undefined : this.byUpstream.get(key)
    // The `cancel-ignored` fault: every CANCEL is treated as one without a response context.
    const ignored = this.deps.faults.has('cancel-ignored')
    if (ignored || context === undefined || context.opts.serverTx.request.method !== 'INVITE') {
      await serverTx.respond(createResponse(serverTx.request, 481)).catch(() => undefined)
      return
    }
    await serverTx.respond(createResponse(serverTx.request, 200)).catch(() => undefined)
    if (context.final || !context.provisional) return // nothing to cancel yet (RFC 3261 §9.1: not before a 1xx)
    const cancel = buildCancel(context.sent)
    this.deps.tx.request(cancel, context.opts.downstream).catch(() => undefined)
  }

  /**
   * A response no client transaction took: a retransmitted 2xx to INVITE. "Any 2xx response to an INVITE request"
   * is forwarded (RFC 3261 §16.7 step 5), so it goes upstream on the flow directly (the server transaction ended
   * with the first 2xx). Returns false when it is not for a context of this proxy.
   */
  async stray(response: SipResponse): Promise<boolean> {
    const branch = topBranch(response)
    const context = branch === undefined ? undefined : this.byBranch.get(branch)
    if (context === undefined) return false
    if (response.status >= 200 && response.status < 300) {
      const relayed = relayedResponse(response, context.opts.fromWic !== undefined, this.deps)
      await context.opts.serverTx.flow
        .send(relayed)
        .catch((error: unknown) => this.noteFailure(relayed, error))
    }
    return true
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.byUpstream.clear()
    this.byBranch.clear()
  }

  private async respondUpstream(
    opts: ForwardOptions,
    response: SipResponse,
    relayed: boolean,
  ): Promise<void> {
    try {
      if (relayed && opts.fromWic !== undefined) {
        await deliverToWic(opts.serverTx, response, opts.fromWic, this.deps)
      } else if (opts.serverTx.state !== 'Terminated' && opts.serverTx.state !== 'Completed') {
        await opts.serverTx.respond(response)
      } else if (response.status >= 200 && response.status < 300) {
        await opts.serverTx.flow.send(response) // a second 2xx (forked upstream): on the flow, RFC 3261 §16.7
      }
    } catch (error) {
      this.noteFailure(response, error)
    }
  }

  /**
   * Waits for the client transaction, bounded by `responseTimeoutMs` (for an INVITE only until the first
   * provisional: a ringing phone may take minutes, Timer C covers that).
   */
  private withDeadline(context: Context, final: Promise<SipResponse>): Promise<SipResponse> {
    return new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (context.final || (context.provisional && context.opts.serverTx.request.method === 'INVITE'))
          return
        reject(new TransactionTimeout(`no response within ${this.deps.responseTimeoutMs} ms`))
      }, this.deps.responseTimeoutMs)
      timer.unref()
      this.timers.add(timer)
      final.then(
        (response) => {
          clearTimeout(timer)
          this.timers.delete(timer)
          resolve(response)
        },
        (error: unknown) => {
          clearTimeout(timer)
          this.timers.delete(timer)
          reject(error instanceof Error ? error : new Error(String(error)))
        },
      )
    })
  }

  private failureStatus(error: unknown, opts: ForwardOptions): [number, string?] {
    if (error instanceof TransactionTimeout) {
      // If there are no final responses in the context, the proxy MUST send a 408 (Request Timeout) response to
      // the server transaction. https://www.rfc-editor.org/rfc/rfc3261#section-16.7  (step 6; the deadline
      // `responseTimeoutMs` ends the wait before the WIC's own Timer F, so that it hears the 408)
      return [408]
    }
    if (opts.fromWic === undefined) {
      // The WebSocket the request was to go over is gone (RFC 5626 §5.3: 430 Flow Failed, a SHOULD).
      const failed = flowFailed(this.deps.variants)
      return [failed.status, failed.reason]
    }
    // If the transport layer notifies a proxy of an error when it tries to forward a request (see Section 18.4),
    // the proxy MUST behave as if the forwarded request received a 503 (Service Unavailable) response.
    // https://www.rfc-editor.org/rfc/rfc3261#section-16.9
    return [503]
  }

  private linger(context: Context, upstreamKey: string | undefined): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (upstreamKey !== undefined && this.byUpstream.get(upstreamKey) === context)
        this.byUpstream.delete(upstreamKey)
      if (this.byBranch.get(context.branch) === context) this.byBranch.delete(context.branch)
    }, this.deps.lingerMs)
    timer.unref()
    this.timers.add(timer)
  }

  private upstreamKey(flow: Flow, request: SipRequest): string | undefined {
    const branch = topBranch(request)
    return branch === undefined ? undefined : `${flow.id}|${branch}`
  }

  private noteFailure(message: SipRequest | SipResponse, error: unknown): void {
    this.deps.trace.note(
      this.deps.observer,
      `could not send ${message.summary()}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the CANCEL
 * request MUST be identical to those in the request being cancelled, including tags. A CANCEL constructed by a
 * client MUST have only a single Via header field value matching the top Via value in the request being
 * cancelled." and "If the request being cancelled contains a Route header field, the CANCEL request MUST include
 * that Route header field's values."
 */
function buildCancel(invite: SipRequest): SipRequest {
  const pick = (name: string): { name: string; value: string }[] =>
    invite.getAll(name).map((value) => ({ name, value }))
  const seq = (invite.get('CSeq') ?? '1').trim().split(/\s+/)[0] ?? '1'
  return new SipRequest({
    method: 'CANCEL',
    uri: invite.uri,
    headers: [
      { name: 'Via', value: invite.get('Via') ?? '' },
      ...pick('Route'),
      { name: 'Max-Forwards', value: '70' },
      ...pick('From'),
      ...pick('To'),
      ...pick('Call-ID'),
      { name: 'CSeq', value: `${seq} CANCEL` },
      { name: 'Content-Length', value: '0' },
    ],
  })
}
