import { createResponse } from '../sip/builders.ts'
import { newBranch, newCallId, newTag } from '../sip/ids.ts'
import { SipRequest } from '../sip/message.ts'
import type { ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { Flow } from '../transport/peer.ts'
import { hostPort } from './proxy-rules.ts'
import type { Registration } from './registrations.ts'
import type { Variants } from './variants.ts'

/**
 * The `reg-event-subscribe` variant: the P-CSCF's subscription to the registration-state event package (TS 24.229
 * §5.2.3, RFC 3680). Reasoned from memory of §5.2.3: "Upon receipt of the 200 (OK) response to the initial
 * REGISTER request, the P-CSCF shall subscribe to the reg event package for the public user identity registered at
 * the user's registrar (S-CSCF)", with Event: reg, the P-CSCF's own URI in From and P-Asserted-Identity, and an
 * Expires longer than the registration. NOTIFYs of the subscription are answered 200 (RFC 6665 §4.1.3).
 */

export interface RegEventOptions {
  readonly tx: TransactionLayer
  readonly flow: (request: SipRequest) => Flow
  readonly via: () => { readonly transport: string; readonly host: string; readonly port: number }
  /** The eP-CSCF's SIP URI (From, P-Asserted-Identity). */
  readonly identity: string
  readonly trace: TraceRecorder
  readonly observer: string
}

/** RFC 3680 §6.2 leaves the duration to the subscriber; TS 24.229 §5.2.3 asks for 600 000 s (from memory). */
const EXPIRES_S = 600_000

export class RegEventSubscriber {
  /** The subscriber of the `reg-event-subscribe` variant, or undefined when the variant is off. */
  static forVariants(variants: Variants, opts: RegEventOptions): RegEventSubscriber | undefined {
    return variants.has('reg-event-subscribe') ? new RegEventSubscriber(opts) : undefined
  }

  /** Subscriptions by Call-ID, and the IMPUs they watch. */
  private readonly byCallId = new Map<string, string>()
  private readonly byAor = new Map<string, string>()
  private stopped = false

  constructor(private readonly opts: RegEventOptions) {}

  /** After a 2xx to a REGISTER: subscribes once per registered IMPU (a refresh needs no new subscription). */
  registered(registration: Registration): void {
    if (this.stopped || this.byAor.has(registration.aor)) return
    const subscribe = this.build(registration)
    const callId = subscribe.get('Call-ID') ?? ''
    this.byCallId.set(callId, registration.aor)
    this.byAor.set(registration.aor, callId)
    this.opts.tx.request(subscribe, this.opts.flow(subscribe)).then(
      (response) => {
        if (response.status < 300) return
        this.forget(callId)
        this.note(
          `reg-event SUBSCRIBE for ${registration.aor} answered ${response.status} ${response.reason}`,
        )
      },
      (error: unknown) => {
        this.forget(callId)
        if (!this.stopped)
          this.note(`reg-event SUBSCRIBE failed: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
  }

  /** The IMPU is no longer registered through this eP-CSCF: a later registration subscribes again. */
  deregistered(aor: string): void {
    const callId = this.byAor.get(aor)
    if (callId !== undefined) this.forget(callId)
  }

  /** A NOTIFY of one of this eP-CSCF's subscriptions is answered here; returns false for any other request. */
  async notify(serverTx: ServerTransaction): Promise<boolean> {
    const request = serverTx.request
    if (request.method !== 'NOTIFY') return false
    const callId = request.get('Call-ID') ?? ''
    const aor = this.byCallId.get(callId)
    if (aor === undefined) return false
    if (/^\s*terminated/i.test(request.get('Subscription-State') ?? '')) this.forget(callId)
    this.note(`reg-event NOTIFY for ${aor}: ${request.get('Subscription-State') ?? 'no Subscription-State'}`)
    await serverTx.respond(createResponse(request, 200)).catch(() => undefined)
    return true
  }

  stop(): void {
    this.stopped = true
  }

  private build(registration: Registration): SipRequest {
    const via = this.opts.via()
    const target = registration.associatedUris[0] ?? registration.aor
    const contact = `<sip:${hostPort(via.host, via.port)}${via.transport === 'TCP' ? ';transport=tcp' : ''}>`
    return new SipRequest({
      method: 'SUBSCRIBE',
      uri: target,
      headers: [
        {
          name: 'Via',
          value: `SIP/2.0/${via.transport} ${hostPort(via.host, via.port)};branch=${newBranch()}`,
        },
        { name: 'Max-Forwards', value: '70' },
        ...registration.serviceRoute.map((value) => ({ name: 'Route', value })),
        { name: 'From', value: `<${this.opts.identity}>;tag=${newTag()}` },
        { name: 'To', value: `<${target}>` },
        { name: 'Call-ID', value: newCallId('epcscf') },
        { name: 'CSeq', value: '1 SUBSCRIBE' },
        { name: 'Contact', value: contact },
        { name: 'Event', value: 'reg' },
        { name: 'Expires', value: String(EXPIRES_S) },
        { name: 'P-Asserted-Identity', value: `<${this.opts.identity}>` },
        { name: 'Content-Length', value: '0' },
      ],
    })
  }

  private forget(callId: string): void {
    const aor = this.byCallId.get(callId)
    this.byCallId.delete(callId)
    if (aor !== undefined && this.byAor.get(aor) === callId) this.byAor.delete(aor)
  }

  private note(text: string): void {
    this.opts.trace.note(this.opts.observer, text)
  }
}
