import type { SipRequest } from '../sip/message.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { Flow, Peer, TraceTag } from '../transport/peer.ts'
import { TcpTransport } from '../transport/tcp-transport.ts'
import { UdpTransport } from '../transport/udp-transport.ts'
import type { Variants } from './variants.ts'

/**
 * The eP-CSCF's side of Mw toward its next hop: which transport a request goes over, and the TCP connections it
 * opened (from ephemeral source ports, closed when idle).
 */

/**
 * If a request is within 200 bytes of the path MTU, or if it is larger than 1300 bytes and the path MTU is
 * unknown, the request MUST be sent using an RFC 2914 congestion controlled transport protocol, such as TCP.
 * https://www.rfc-editor.org/rfc/rfc3261#section-18.1.1
 */
export const UDP_SIZE_LIMIT = 1300
/** Room for the Via entries the forwarder adds after the transport is chosen (two under `two-vias`). */
const VIA_ALLOWANCE = 200

export interface MwLinkOptions {
  readonly udp: UdpTransport
  readonly tcp: TcpTransport
  readonly nextHop: { readonly address: string; readonly port: number; readonly transport: 'UDP' | 'TCP' }
  readonly variants: Variants
  /** An outbound TCP connection with no traffic for this long is closed. */
  readonly idleMs: number
  readonly trace: TraceRecorder
  readonly observer: string
}

export class MwLink {
  private readonly idle = new Map<string, { flow: Flow; timer: NodeJS.Timeout }>()

  constructor(private readonly opts: MwLinkOptions) {}

  /** The transport every request goes over unless its size forces TCP: TCP under `mw-tcp` or when configured. */
  get preferred(): 'UDP' | 'TCP' {
    return this.opts.variants.has('mw-tcp') ? 'TCP' : this.opts.nextHop.transport
  }

  /** UDP, or TCP when preferred or when the request (with the Vias still to come) is larger than 1300 bytes. */
  transportFor(request: SipRequest): 'UDP' | 'TCP' {
    if (this.preferred === 'TCP') return 'TCP'
    return Buffer.byteLength(request.toString()) + VIA_ALLOWANCE > UDP_SIZE_LIMIT ? 'TCP' : 'UDP'
  }

  /** The flow to the next hop over this transport (an open TCP connection is reused, RFC 3261 §18.1.1). */
  flow(transport: 'UDP' | 'TCP'): Flow {
    const peer: Peer = { transport, address: this.opts.nextHop.address, port: this.opts.nextHop.port }
    if (transport === 'UDP') return this.opts.udp.flowTo(peer)
    const flow = this.opts.tcp.flowTo(peer)
    this.touch(flow)
    return flow
  }

  /** Traffic on a flow: an outbound TCP connection's idle timer starts again. */
  touch(flow: Flow): void {
    if (flow.remote.transport !== 'TCP' || flow.closed) return
    const known = this.idle.get(flow.id)
    if (known === undefined && !this.isOutbound(flow)) return
    if (known !== undefined) clearTimeout(known.timer)
    else flow.onClose(() => this.forget(flow))
    const timer = setTimeout(() => {
      this.idle.delete(flow.id)
      this.opts.trace.note(
        this.opts.observer,
        `Mw TCP connection ${flow.id} idle for ${this.opts.idleMs} ms: closed`,
      )
      void flow.close()
    }, this.opts.idleMs)
    timer.unref()
    this.idle.set(flow.id, { flow, timer })
  }

  close(): void {
    for (const { timer } of this.idle.values()) clearTimeout(timer)
    this.idle.clear()
  }

  /** A connection this eP-CSCF opened to its next hop (not one the core opened to the Mw listener). */
  private isOutbound(flow: Flow): boolean {
    return flow.remote.address === this.opts.nextHop.address && flow.remote.port === this.opts.nextHop.port
  }

  private forget(flow: Flow): void {
    const known = this.idle.get(flow.id)
    if (known !== undefined) clearTimeout(known.timer)
    this.idle.delete(flow.id)
  }
}

/**
 * Binds the Mw address, UDP and TCP on one port (interop contract: one Mw address serves both). With port 0, UDP
 * picks a free port and TCP takes the same number; another process may hold that TCP port, so a few tries are made.
 */
export async function bindMw(
  mw: { readonly address: string; readonly port: number },
  tag: TraceTag,
): Promise<{ udp: UdpTransport; tcp: TcpTransport }> {
  let lastError: unknown
  for (let attempt = 0; attempt < (mw.port === 0 ? 5 : 1); attempt += 1) {
    const udp = await UdpTransport.listen({ ...mw, ...tag })
    try {
      const tcp = await TcpTransport.listen({ address: mw.address, port: udp.local.port, ...tag })
      return { udp, tcp }
    } catch (error) {
      lastError = error
      await udp.close()
    }
  }
  throw lastError
}
