import { newBranch, newCallId, newTag } from '../sip/ids.ts'
import { SipRequest } from '../sip/message.ts'
import type { TransactionLayer } from '../transaction/transaction-layer.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { Flow } from '../transport/peer.ts'
import { hostPort } from './proxy-rules.ts'
import type { Variants } from './variants.ts'

/**
 * The `options-probes` variant: OPTIONS keep-alive probes to the next hop, at start and every `intervalMs`, as
 * Kamailio's dispatcher module does (ds_ping_interval). RFC 3261 §11: "The SIP method OPTIONS allows a UA to query
 * another UA or a proxy server as to its capabilities"; nothing forbids a proxy probing its next hop (catalogue
 * Appendix B.1). One probe is in flight at a time; its answer, or its Timer F, is only noted in the trace.
 */

export interface KeepaliveProbeOptions {
  readonly tx: TransactionLayer
  /** The flow of each probe (the Mw link picks it). */
  readonly flow: () => Flow
  /** The next hop, for the Request-URI and To. */
  readonly target: { readonly address: string; readonly port: number }
  /** The eP-CSCF's Via sent-by on Mw. */
  readonly via: () => { readonly transport: string; readonly host: string; readonly port: number }
  /** The eP-CSCF's SIP URI for From, e.g. `sip:epcscf.harness.test`. */
  readonly identity: string
  readonly intervalMs: number
  readonly trace: TraceRecorder
  readonly observer: string
}

export class KeepaliveProbe {
  /** The probe of the `options-probes` variant, or undefined when the variant is off. */
  static forVariants(variants: Variants, opts: KeepaliveProbeOptions): KeepaliveProbe | undefined {
    return variants.has('options-probes') ? new KeepaliveProbe(opts) : undefined
  }

  private readonly callId = newCallId('epcscf')
  private readonly fromTag = newTag()
  private cseq = 0
  private inFlight = false
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly opts: KeepaliveProbeOptions) {}

  start(): void {
    this.probe()
    this.timer = setInterval(() => this.probe(), this.opts.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
  }

  /** The probe request: out of dialog, one Via (the eP-CSCF's own), no body. */
  build(): SipRequest {
    const { target, identity } = this.opts
    const via = this.opts.via()
    this.cseq += 1
    const uri = `sip:${hostPort(target.address, target.port)}`
    return new SipRequest({
      method: 'OPTIONS',
      uri,
      headers: [
        {
          name: 'Via',
          value: `SIP/2.0/${via.transport} ${hostPort(via.host, via.port)};branch=${newBranch()}`,
        },
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: `<${identity}>;tag=${this.fromTag}` },
        { name: 'To', value: `<${uri}>` },
        { name: 'Call-ID', value: this.callId },
        { name: 'CSeq', value: `${this.cseq} OPTIONS` },
        { name: 'Content-Length', value: '0' },
      ],
    })
  }

  private probe(): void {
    if (this.stopped || this.inFlight) return
    this.inFlight = true
    let request: SipRequest
    let flow: Flow
    try {
      request = this.build()
      flow = this.opts.flow()
    } catch (error) {
      this.inFlight = false
      this.note(`keep-alive probe not sent: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    this.opts.tx.request(request, flow).then(
      (response) => {
        this.inFlight = false
        if (response.status >= 300)
          this.note(`keep-alive probe answered ${response.status} ${response.reason}`)
      },
      (error: unknown) => {
        this.inFlight = false
        if (!this.stopped)
          this.note(`keep-alive probe failed: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
  }

  private note(text: string): void {
    this.opts.trace.note(this.opts.observer, text)
  }
}
