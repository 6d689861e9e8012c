import type { ClientRequest, IncomingMessage } from 'node:http'
import type net from 'node:net'
import type tls from 'node:tls'
import WebSocket from 'ws'
import { HarnessError, NoAnswer, TransportFailed } from '../errors.ts'
import type { TraceEndpoint } from '../trace/trace-event.ts'
import { errorText } from './base-flow.ts'
import { requestText, responseText } from './handshake-text.ts'
import { tlsFailure } from './tls-failure.ts'
import { maxMessageBytes } from './limits.ts'
import type { Peer, TraceTag } from './peer.ts'
import { plainAddress } from './stream-flow.ts'
import { WsHandshakeError } from './ws-handshake-error.ts'
import { WsFlow, wsFlow } from './ws-flow.ts'

export { WsHandshakeError } from './ws-handshake-error.ts'

/** Options of `WssClient.connect`. `protocols` defaults to `['sip']` (RFC 7118 §4.1). */
export interface WssConnectOptions extends TraceTag {
  readonly url: string
  readonly origin?: string
  readonly protocols?: string[]
  /** Trust anchors for the server certificate (PEM); without it the system store applies. */
  readonly ca?: string | Buffer
  readonly minVersion?: tls.SecureVersion
  readonly maxVersion?: tls.SecureVersion
  /** OpenSSL cipher list, e.g. `DEFAULT@SECLEVEL=0` so that a client may offer TLS 1.0/1.1 at all (R07 tests). */
  readonly ciphers?: string
  /** TLS SNI; by default the URL host name (none for an IP address). */
  readonly servername?: string
  /** Deadline of the whole opening handshake: connect, TLS, HTTP upgrade. */
  readonly timeoutMs: number
  /** Extra header fields of the upgrade request (e.g. Cookie, Authorization). */
  readonly headers?: Record<string, string>
  /** Largest WebSocket message kept, in bytes (default `maxMessageBytes()`, 1 MiB); a larger one is cut (1009). */
  readonly maxPayload?: number
}

const MAX_BODY_CHARS = 64 * 1024

/**
 * WebSocket client for SIP over WebSockets (RFC 7118) on `wss:` or `ws:` URLs. The upgrade request and its
 * response are recorded as one trace event each (HTTPS/HTTP endpoints); the connected socket becomes a WsFlow.
 */
export class WssClient {
  /**
   * Opens the WebSocket. Resolves with the flow (its `protocol` is the negotiated subprotocol). Rejects with
   * WsHandshakeError when the server refuses the upgrade or selects no/another subprotocol,
   * HarnessError('TRANSPORT_FAILED') naming the error code on TCP/TLS failures, and on the deadline with an
   * error saying what did not complete (WS_HANDSHAKE_FAILED if the connection was up, else TRANSPORT_FAILED).
   */
  static connect(opts: WssConnectOptions): Promise<WsFlow> {
    return new Handshake(opts).run()
  }
}

/** One connection attempt: the state the ws events feed. */
class Handshake {
  private readonly secure: boolean
  private readonly protocols: string[]
  private readonly label: string
  private socket: net.Socket | undefined
  private tcpUp = false
  private connectionUp = false
  private upgrade: IncomingMessage | undefined
  private settled = false

  constructor(private readonly opts: WssConnectOptions) {
    this.secure = opts.url.startsWith('wss:')
    this.protocols = opts.protocols ?? ['sip']
    this.label = `${this.secure ? 'WSS' : 'WS'} handshake with ${opts.url}`
  }

  run(): Promise<WsFlow> {
    return new Promise<WsFlow>((resolve, reject) => {
      let ws: WebSocket
      const settle = (outcome: () => void): void => {
        if (this.settled) return
        this.settled = true
        clearTimeout(timer)
        outcome()
      }
      const fail = (error: HarnessError): void =>
        settle(() => {
          this.opts.trace.note(this.opts.observer, `${this.label} failed`, error.message)
          if (ws) ws.terminate()
          reject(error)
        })
      const timer = setTimeout(() => fail(this.timeoutError()), this.opts.timeoutMs)
      try {
        ws = new WebSocket(this.opts.url, this.protocols, this.clientOptions())
      } catch (error) {
        fail(new TransportFailed(`${this.label}: ${errorText(error)}`, { cause: error }))
        return
      }
      ws.on('upgrade', (res: IncomingMessage) => {
        this.upgrade = res
        this.recordResponse(res, '', `WS upgrade accepted ${res.statusCode ?? 0} (${protocolLabel(res)})`)
      })
      ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
        void this.readBody(res).then((body) => {
          if (this.settled) return
          this.recordResponse(res, body, `WS upgrade refused ${res.statusCode ?? 0}`)
          fail(this.refusal(res, body))
        })
      })
      ws.on('error', (error: Error) => fail(this.failure(error)))
      ws.once('open', () =>
        settle(() => {
          ws.removeAllListeners('error')
          ws.removeAllListeners('unexpected-response')
          resolve(this.flow(ws))
        }),
      )
    })
  }

  private clientOptions(): WebSocket.ClientOptions {
    const o = this.opts
    const options: WebSocket.ClientOptions & { servername?: string } = {
      perMessageDeflate: false,
      followRedirects: false,
      // Without a limit ws buffers any message whole: one 90 MB frame from the SUT exhausted the heap (issue 7).
      maxPayload: o.maxPayload ?? maxMessageBytes(),
      finishRequest: (req: ClientRequest) => this.finishRequest(req),
    }
    if (o.origin !== undefined) options.origin = o.origin
    if (o.headers !== undefined) options.headers = o.headers
    if (o.ca !== undefined) options.ca = o.ca
    if (o.minVersion !== undefined) options.minVersion = o.minVersion
    if (o.maxVersion !== undefined) options.maxVersion = o.maxVersion
    if (o.ciphers !== undefined) options.ciphers = o.ciphers
    if (o.servername !== undefined) options.servername = o.servername
    return options
  }

  /** Records the upgrade request once the connection (and TLS) is up, which is when it goes on the wire. */
  private finishRequest(req: ClientRequest): void {
    const text = requestText(req)
    req.on('socket', (socket: net.Socket) => {
      this.socket = socket
      socket.once('connect', () => {
        this.tcpUp = true
      })
      socket.once(this.secure ? 'secureConnect' : 'connect', () => {
        this.connectionUp = true
        this.opts.trace.record({
          observer: this.opts.observer,
          direction: 'sent',
          leg: this.opts.leg,
          from: this.endpoint('local'),
          to: this.endpoint('remote'),
          raw: text,
          summary: `WS upgrade request GET ${req.path} (Sec-WebSocket-Protocol: ${this.protocols.join(', ') || 'none'})`,
        })
      })
    })
    req.end()
  }

  private recordResponse(res: IncomingMessage, body: string, summary: string): void {
    this.opts.trace.record({
      observer: this.opts.observer,
      direction: 'received',
      leg: this.opts.leg,
      from: this.endpoint('remote'),
      to: this.endpoint('local'),
      raw: responseText(res, body),
      summary,
    })
  }

  private readBody(res: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_CHARS) body += chunk
      })
      res.once('end', () => resolve(body))
      res.once('close', () => resolve(body))
      res.once('error', () => resolve(body))
    })
  }

  private refusal(res: IncomingMessage, body: string): WsHandshakeError {
    const status = res.statusCode ?? 0
    return new WsHandshakeError(
      status,
      res.headers,
      body,
      `${this.label} refused: ${status} ${res.statusMessage ?? ''}`.trimEnd(),
    )
  }

  /** An error event before 'open': a failed 101 (subprotocol, accept key), or a TCP/TLS failure. */
  private failure(error: Error): HarnessError {
    const res = this.upgrade
    if (res) {
      const requested = this.protocols.join(', ')
      const detail =
        error.message === 'Server sent no subprotocol'
          ? `the server accepted the upgrade (101) but selected no subprotocol while "${requested}" was requested (RFC 7118 §4.1, RFC 6455 §4.1)`
          : `the server's 101 response was rejected: ${error.message}`
      return new WsHandshakeError(res.statusCode ?? 0, res.headers, '', `${this.label} failed: ${detail}`)
    }
    // Which side ended the handshake is decided by the TLS error code (tls-failure.ts): a certificate the harness
    // rejects is not the SUT refusing TLS.
    if (this.tcpUp && !this.connectionUp && this.secure) return tlsFailure(`${this.label} failed`, error)
    const stage = !this.tcpUp ? 'TCP connection error' : 'error'
    return new TransportFailed(`${this.label} failed: ${stage} ${errorText(error)}`, {
      cause: error,
    })
  }

  private timeoutError(): HarnessError {
    const stage = this.connectionUp
      ? 'the connection was open but no upgrade response arrived'
      : `no ${this.secure ? 'TLS ' : ''}connection was established`
    const message = `${this.label} did not complete within ${this.opts.timeoutMs} ms (${stage})`
    return this.connectionUp ? new NoAnswer(message) : new TransportFailed(message)
  }

  private endpoint(side: 'local' | 'remote'): TraceEndpoint {
    const peer = this.peer(side, this.secure ? 'WSS' : 'WS')
    return { ...peer, transport: this.secure ? 'HTTPS' : 'HTTP' }
  }

  private peer(side: 'local' | 'remote', transport: 'WS' | 'WSS'): Peer {
    const s = this.socket
    if (side === 'local')
      return { transport, address: plainAddress(s?.localAddress ?? ''), port: s?.localPort ?? 0 }
    const url = new URL(this.opts.url)
    const address = s?.remoteAddress ?? url.hostname.replace(/^\[|\]$/g, '')
    const port = s?.remotePort ?? (url.port ? Number(url.port) : this.secure ? 443 : 80)
    return { transport, address: plainAddress(address), port }
  }

  private flow(ws: WebSocket): WsFlow {
    const transport = this.secure ? 'WSS' : 'WS'
    return wsFlow(ws, {
      local: this.peer('local', transport),
      remote: this.peer('remote', transport),
      trace: this.opts.trace,
      observer: this.opts.observer,
      leg: this.opts.leg,
    })
  }
}

function protocolLabel(res: IncomingMessage): string {
  const selected = res.headers['sec-websocket-protocol']
  return selected ? `protocol ${selected}` : 'no subprotocol'
}
