import type { Flow } from '../transport/peer.ts'
import type { FlowTokens } from './flow-token.ts'

/** One WebSocket connection from a WIC, as the eP-CSCF tracks it. */
export interface WicConnection {
  /** Connection number, the payload of its flow token. */
  readonly id: number
  /** The flow token in this connection's Path and Record-Route URIs (RFC 5626 §5.2). */
  readonly token: string
  readonly flow: Flow
  /** The handshake's Origin, undefined when there was none. */
  readonly origin: string | undefined
  /** Identities bound to this connection by a verified token (web authentication, TS 24.371 §6.1 b)). */
  tokenIdentity: { readonly impi: string; readonly impus: readonly string[] } | undefined
}

/** The open WebSocket connections, by number and by flow id. */
export class WicConnections {
  private next = 1
  private readonly byId = new Map<number, WicConnection>()
  private readonly byFlowId = new Map<string, WicConnection>()

  constructor(readonly tokens: FlowTokens) {}

  add(flow: Flow, origin: string | undefined): WicConnection {
    const id = this.next++
    const connection: WicConnection = {
      id,
      token: this.tokens.issue(id),
      flow,
      origin,
      tokenIdentity: undefined,
    }
    this.byId.set(id, connection)
    this.byFlowId.set(flow.id, connection)
    return connection
  }

  remove(connection: WicConnection): void {
    this.byId.delete(connection.id)
    this.byFlowId.delete(connection.flow.id)
  }

  get(id: number): WicConnection | undefined {
    return this.byId.get(id)
  }

  ofFlow(flow: Flow): WicConnection | undefined {
    return this.byFlowId.get(flow.id)
  }

  /** Open connections other than this one, newest first. */
  others(connection: WicConnection | undefined): WicConnection[] {
    return [...this.byId.values()].filter((c) => c !== connection && !c.flow.closed).reverse()
  }

  all(): WicConnection[] {
    return [...this.byId.values()]
  }
}
