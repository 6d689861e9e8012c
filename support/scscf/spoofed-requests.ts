import type { SipRequest, SipResponse } from '../sip/message.ts'
import { formatNameAddr, parseNameAddr } from '../sip/name-addr.ts'
import { DEFAULT_TIMER_SETTINGS, type TimerSettings } from '../transaction/timers.ts'
import { TransactionLayer } from '../transaction/transaction-layer.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import { TransportClosed } from '../errors.ts'
import { UdpTransport } from '../transport/udp-transport.ts'
import type { Binding } from './binding-store.ts'
import { buildTerminatingRequest, pathTarget, type TerminatingInit } from './terminating-request.ts'

/**
 * Terminating requests an eP-CSCF must not deliver (catalogue R52, B.3 "forged or tampered flow tokens from the core
 * side; terminating requests from outside the core"): a binding whose Path carries a tampered flow token, and a
 * node outside the core that sends along a registered Path from an address of its own.
 */

/**
 * The binding with its top Path URI's user part (the eP-CSCF's flow token, RFC 5626 §5.2) changed in its first
 * character; undefined when the top Path URI has no user part (no token to tamper with).
 */
export function withTamperedToken(binding: Binding): Binding | undefined {
  const [top, ...rest] = binding.path
  const token = top?.uri.user
  if (top === undefined || token === undefined || token === '') return undefined
  // The first character: in base64 the last one may carry only padding bits, which decode to the same bytes.
  const changed = `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`
  const raw = formatNameAddr({ ...top, uri: { ...top.uri, user: changed, raw: '' }, raw: '' })
  return { ...binding, path: [parseNameAddr(raw), ...rest] }
}

/** One request sent by the untrusted node and its final response (rejects at Timer F, or when the node closes). */
export interface SpoofedTransaction {
  readonly request: SipRequest
  readonly response: Promise<SipResponse>
}

/**
 * A SIP node outside the IMS core on Mw: its own UDP socket on another loopback address (e.g. 127.0.0.2, so that
 * neither host nor port is the S-CSCF's) and its own transaction layer. It sends a terminating request along a
 * registered Path, as the S-CSCF would. Closed by its owner (the scenario's teardown): its transactions end then.
 */
export class UntrustedNode {
  private constructor(
    private readonly udp: UdpTransport,
    private readonly transactions: TransactionLayer,
  ) {}

  static async open(opts: {
    address: string
    trace: TraceRecorder
    timers?: TimerSettings
  }): Promise<UntrustedNode> {
    const observer = 'untrusted node'
    const udp = await UdpTransport.listen({
      address: opts.address,
      port: 0,
      trace: opts.trace,
      observer,
      leg: 'Mw',
    })
    const transactions = new TransactionLayer({ timers: opts.timers ?? DEFAULT_TIMER_SETTINGS, observer })
    udp.onMessage((inbound) => transactions.receive(inbound))
    return new UntrustedNode(udp, transactions)
  }

  /**
   * A terminating request to `binding`, along its Path (a host name resolved through `hostnames`, the profile's
   * scscf.hostnames), over UDP whatever the Path's transport.
   */
  send(
    binding: Binding,
    init: TerminatingInit,
    hostnames: Readonly<Record<string, string>> = {},
  ): SpoofedTransaction {
    const target = { ...pathTarget(binding, hostnames), transport: 'UDP' as const }
    const own = { transport: 'UDP' as const, address: this.udp.local.address, port: this.udp.local.port }
    const request = buildTerminatingRequest(binding, init, own)
    const response = this.transactions.request(request, this.udp.flowTo(target))
    response.catch(() => undefined) // awaited, with a deadline, by the step that judges it
    return { request, response }
  }

  async close(): Promise<void> {
    this.transactions.abortClients(new TransportClosed('the untrusted node closed'))
    this.transactions.close()
    await this.udp.close()
  }
}
