import { createResponse } from '../sip/builders.ts'
import { newBranch } from '../sip/ids.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { formatNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { getParam, hasParam } from '../sip/params.ts'
import { parseViaList } from '../sip/via.ts'
import type { TransactionLayer } from '../transaction/transaction-layer.ts'
import type { Flow, Inbound, Peer } from '../transport/peer.ts'
import type { Binding } from './binding-store.ts'
import { canonicalImpu } from './hss.ts'
import { NetworkUa } from './network-ua.ts'
import { pathTarget } from './terminating-request.ts'

/** What the router needs from the mock core. */
export interface CallRouterDeps {
  readonly transactions: TransactionLayer
  readonly flowTo: (peer: Peer) => Flow
  readonly own: () => { readonly address: string; readonly port: number }
  readonly bindings: (impu: string) => Binding[]
  readonly note: (text: string) => void
}

/** A request the router may take: the request, and how to answer on its server transaction. */
export interface RoutableRequest {
  readonly request: SipRequest
  send(response: SipResponse): Promise<void>
}

/**
 * The mock I/S-CSCF as a core for calls (TS 24.229 §5.4.3): an originating request that arrived along the
 * Service-Route is routed to the network's user agent, or on to another registered WIC along that WIC's Path
 * (RFC 3327 §5.4), with the core's own Record-Route so that the dialog's requests in both directions come back
 * through it (RFC 3261 §16.6 step 4); requests within such dialogs are proxied along their Route (loose routing,
 * RFC 3261 §16.4, §16.6 step 6). A stateful proxy for what it forwards (RFC 3261 §16.7: provisional and final
 * responses relayed with its Via removed); never forks.
 */
export class CallRouter {
  readonly network: NetworkUa

  constructor(private readonly deps: CallRouterDeps) {
    this.network = new NetworkUa(deps)
  }

  reset(): void {
    this.network.reset()
  }

  /** `127.0.0.1:5070`. */
  get hostPort(): string {
    const { address, port } = this.deps.own()
    return `${address.includes(':') ? `[${address}]` : address}:${port}`
  }

  /** The URI the core records in Record-Route (RFC 3261 §16.6 step 4). */
  get recordRouteUri(): string {
    return `sip:rr@${this.hostPort};lr`
  }

  /** The core's Record-Route value. */
  get recordRoute(): string {
    return `<${this.recordRouteUri}>`
  }

  /**
   * Takes a request that no scripted responder took. Returns false when it is none of the router's (the mock
   * then answers as it did before: 480 for a subscriber without binding, 404 otherwise).
   */
  async route(incoming: RoutableRequest): Promise<boolean> {
    const request = incoming.request
    const routes = this.foreignRoutes(request)
    if (routes.length > 0 && inDialog(request)) {
      await this.proxy(incoming, request.uri, routes, false)
      return true
    }
    if (this.network.isFor(request.uri, this.hostPort)) {
      if (!inDialog(request) && request.method === 'INVITE') {
        await this.network.answerInvite(request, (r) => incoming.send(r))
        return true
      }
      const answer = this.network.inDialog(request)
      if (answer === 'ack') return true
      await incoming.send(answer ?? createResponse(request, 481))
      return true
    }
    if (inDialog(request)) return false
    const binding = this.latest(request.uri)
    if (binding === undefined) return false
    // RFC 3327 §5.4 / TS 24.229 §5.4.3.3: Request-URI the registered contact, Route the stored Path.
    await this.proxy(incoming, binding.contactUri, [...binding.path], true, pathTarget(binding))
    return true
  }

  /** The ACK for a 2xx (no transaction): to the network UA, or on along its Route. Returns whether it was ours. */
  async ack(inbound: Inbound): Promise<boolean> {
    const request = inbound.message
    if (!request.isRequest() || request.method !== 'ACK') return false
    const routes = this.foreignRoutes(request)
    if (routes.length === 0) return this.network.inDialog(request) === 'ack'
    const out = this.copyFor(request, request.uri, routes)
    const hop = peerOf(routes[0] as NameAddr)
    out.prepend('Via', this.via(hop.transport))
    await this.deps.flowTo(hop).send(out)
    return true
  }

  private async proxy(
    incoming: RoutableRequest,
    requestUri: string,
    routes: NameAddr[],
    recordRoute: boolean,
    target?: Peer,
  ): Promise<void> {
    const request = incoming.request
    const first = routes[0]
    const hop = target ?? (first === undefined ? undefined : peerOf(first))
    if (hop === undefined) {
      await incoming.send(createResponse(request, 404))
      return
    }
    const out = this.copyFor(request, requestUri, routes)
    // RFC 3261 §16.6 step 4: "If this proxy wishes to remain on the path of future requests in a dialog created by
    // this request [...], it MUST insert a Record-Route header field value into the copy before any existing
    // Record-Route header field values".
    if (recordRoute && request.method === 'INVITE') out.prepend('Record-Route', this.recordRoute)
    out.prepend('Via', this.via(hop.transport))
    this.deps.note(`core routes ${request.summary()} to ${out.uri} via ${hop.address}:${hop.port}`)
    let final: SipResponse
    try {
      final = await this.deps.transactions.request(out, this.deps.flowTo(hop), {
        onProvisional: (r) => {
          if (r.status > 100) void incoming.send(relayed(r)).catch(() => undefined)
        },
      })
    } catch (error) {
      // RFC 3261 §16.7 step 6 / §16.9: no answer downstream is a 408; a transport error a 503.
      this.deps.note(
        `forwarding ${out.summary()} failed: ${error instanceof Error ? error.message : String(error)}`,
      )
      await incoming.send(createResponse(request, 408))
      return
    }
    await incoming.send(relayed(final))
  }

  /** RFC 3261 §16.6 steps 1–3 and §16.4: a copy with this Request-URI and Route, Max-Forwards decremented. */
  private copyFor(request: SipRequest, requestUri: string, routes: readonly NameAddr[]): SipRequest {
    const out = request.clone()
    out.uri = requestUri
    out.remove('Route')
    const at = out.headers.findIndex((h) => /^(max-forwards)$/i.test(h.name))
    out.headers.splice(
      at < 0 ? 0 : at + 1,
      0,
      ...routes.map((r) => ({ name: 'Route', value: formatNameAddr(r) })),
    )
    const mf = Number(out.get('Max-Forwards') ?? '70')
    out.set('Max-Forwards', String(Number.isNaN(mf) ? 70 : mf - 1))
    return out
  }

  /** The Route values after the core's own (the Service-Route `orig@` and its Record-Route `rr@`). */
  private foreignRoutes(request: SipRequest): NameAddr[] {
    const routes = request.getAll('Route').flatMap((v) => parseNameAddrList(v))
    while (routes[0] !== undefined && this.isOwn(routes[0])) routes.shift()
    return routes
  }

  private isOwn(route: NameAddr): boolean {
    const { address, port } = this.deps.own()
    const host = route.uri.host.replace(/^\[(.*)\]$/, '$1')
    return host === address && (route.uri.port ?? 5060) === port
  }

  private latest(requestUri: string): Binding | undefined {
    return this.deps
      .bindings(canonicalImpu(requestUri))
      .sort((a, b) => b.registeredAt - a.registeredAt)
      .find((b) => b.path.length > 0)
  }

  private via(transport: string): string {
    return `SIP/2.0/${transport} ${this.hostPort};branch=${newBranch()};rport`
  }
}

/** A response relayed upstream: the proxy's own (top) Via removed (RFC 3261 §16.7 step 3). */
function relayed(response: SipResponse): SipResponse {
  const out = response.clone()
  const at = out.headers.findIndex((h) => /^(via|v)$/i.test(h.name))
  const field = out.headers[at]
  if (field !== undefined) {
    const [, ...rest] = parseViaList(field.value)
    if (rest.length === 0) out.headers.splice(at, 1)
    else out.headers[at] = { name: field.name, value: rest.map((v) => v.raw).join(', ') }
  }
  return out
}

function inDialog(request: SipRequest): boolean {
  const to = request.get('To')
  if (to === undefined) return false
  try {
    return hasParam(parseNameAddrList(to)[0]?.params ?? [], 'tag')
  } catch {
    return false
  }
}

function peerOf(route: NameAddr): Peer {
  const uri = route.uri
  const transport = getParam(uri.params, 'transport')?.toUpperCase() === 'TCP' ? 'TCP' : 'UDP'
  return { transport, address: uri.host.replace(/^\[(.*)\]$/, '$1'), port: uri.port ?? 5060 }
}
