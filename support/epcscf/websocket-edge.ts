import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { Duplex } from 'node:stream'
import type { SecureVersion } from 'node:tls'
import { WebSocketServer, type WebSocket } from 'ws'
import type { TraceEndpoint } from '../trace/trace-event.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { Faults } from './faults.ts'
import { interceptClientFrames } from './frame-faults.ts'
import { checkOrigin, type OriginPolicy } from './origin-policy.ts'
import type { Variants } from './variants.ts'

/**
 * The W2 listener of the reference eP-CSCF: HTTPS with a manual WebSocket upgrade, so that every refusal is an
 * HTTP response the edge writes itself (and records), and no SIP is ever read from a refused connection.
 */

export interface WssListenOptions {
  readonly host: string
  /** 0 picks a free port (read it back from `port`). */
  readonly port: number
  /**
   * Several processes listen on the same port and the kernel spreads the connections over them (SO_REUSEPORT,
   * Linux): the load run's reference shards (support/load/reference-shards.ts). Default false.
   */
  readonly reusePort?: boolean
  /** Request-target the WebSocket is served on, e.g. `/`. */
  readonly path: string
  readonly tls: {
    readonly cert: string
    readonly key: string
    /** TS 33.210 §6.2.1: TLS 1.2 and TLS 1.3 shall be supported; TLS 1.0 and 1.1 shall not. */
    readonly minVersion?: SecureVersion
    readonly maxVersion?: SecureVersion
  }
}

/** A WebSocket that passed the handshake, with what the handshake said. */
export interface AcceptedWebSocket {
  readonly socket: WebSocket
  readonly local: { readonly address: string; readonly port: number }
  readonly remote: { readonly address: string; readonly port: number }
  /** The Origin header field value, or undefined when absent (and the policy allowed that). */
  readonly origin: string | undefined
  /** The negotiated subprotocol: `sip`, or '' under the `subprotocol-not-required` fault. */
  readonly protocol: string
}

export interface WebSocketEdgeOptions extends WssListenOptions {
  readonly origin: OriginPolicy
  readonly faults: Faults
  readonly variants?: Variants
  readonly trace: TraceRecorder
  readonly observer: string
  readonly onConnection: (connection: AcceptedWebSocket) => void
}

/** The subprotocol of SIP over WebSocket (RFC 7118 §4.1). */
export const SIP_SUBPROTOCOL = 'sip'
/** The only WebSocket version of RFC 6455 (§4.1: "The value of this header field MUST be 13"). */
const WS_VERSION = '13'
const WS_KEY = /^[+/0-9A-Za-z]{22}==$/
/** How often a kernel-chosen WSS port is chosen again when the `plain-ws-listener` fault's next port is taken. */
const PLAIN_PORT_ATTEMPTS = 5
/** The `w2-connection-cap` fault's limit of simultaneous W2 connections. */
export const W2_CONNECTION_CAP = 500

export class WebSocketEdge {
  private readonly wss: WebSocketServer
  /** The `plain-ws-listener` fault's ws:// listener on the WSS port + 1. */
  private plain: HttpServer | undefined

  private constructor(
    private readonly server: Server,
    private readonly opts: WebSocketEdgeOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: true,
      perMessageDeflate: false,
      maxPayload: 1 << 20,
      // RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection (1007); not under the fault.
      skipUTF8Validation: opts.faults.has('utf8-unchecked'),
      // Select `sip` when offered. Under the subprotocol-not-required fault a handshake without it reaches here
      // and gets a 101 without Sec-WebSocket-Protocol.
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    })
    this.wss.on('headers', (headers, req) => {
      // The `cors-echo-origin` variant: the 101 names the (accepted) requesting origin in Access-Control-Allow-Origin,
      // as Kamailio's websocket cors_mode 2 does; browsers ignore CORS headers on a WebSocket upgrade.
      const origin = req.headers.origin
      if (opts.variants?.has('cors-echo-origin') === true && typeof origin === 'string')
        headers.push(`Access-Control-Allow-Origin: ${origin}`)
      this.record(req, 'sent', `WS upgrade accepted 101`, `${headers.join('\r\n')}\r\n\r\n`)
    })
    this.wss.on('wsClientError', (error, socket, req) => {
      this.refuse(req, socket, 400, `Bad Request - ${error.message}`)
    })
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    )
    server.on('request', (req, res) => {
      this.record(
        req,
        'received',
        `HTTP ${req.method ?? '?'} ${req.url ?? ''} without upgrade`,
        rawRequest(req),
      )
      // The 426 (Upgrade Required) status code indicates that the server refuses to perform the request using
      // the current protocol but might be willing to do so after the client upgrades to a different protocol. The
      // server MUST send an Upgrade header field in a 426 response to indicate the required protocol(s).
      // https://www.rfc-editor.org/rfc/rfc9110#section-15.5.22
      const body = 'This endpoint serves SIP over WebSocket only (RFC 7118).\n'
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' })
      res.end(body)
    })
    server.on('tlsClientError', (error, socket) => {
      opts.trace.note(
        opts.observer,
        `W2 TLS handshake failed from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: ${error.message}`,
      )
    })
  }

  static async listen(opts: WebSocketEdgeOptions): Promise<WebSocketEdge> {
    // TS 33.210 §6.2.1: "SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported." Under
    // the legacy-tls-allowed fault the listener accepts TLS 1.0 and 1.1 (OpenSSL 3 needs security level 0 for them).
    const legacy = opts.faults.has('legacy-tls-allowed')
    // RFC 9325 §4.1: no NULL, RC4, export or static-RSA suites (Node's default list has none of the first three,
    // and the reference's EC certificate rules out static RSA). Under the weak-tls12-ciphers fault the listener
    // offers every suite OpenSSL has, NULL encryption included, at security level 0.
    const weak = opts.faults.has('weak-tls12-ciphers')
    const server = createServer({
      cert: opts.tls.cert,
      key: opts.tls.key,
      minVersion: legacy ? 'TLSv1' : (opts.tls.minVersion ?? 'TLSv1.2'),
      maxVersion: opts.tls.maxVersion ?? 'TLSv1.3',
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      ...(weak ? { ciphers: 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' } : {}),
    })
    // The w2-connection-cap fault: at most 500 connections at once, and a TLS connection that never completes its
    // handshake is kept (Node's 120 s handshake timeout): 1,000 half-open connections lock every WIC out.
    if (opts.faults.has('w2-connection-cap')) server.maxConnections = W2_CONNECTION_CAP
    const edge = new WebSocketEdge(server, opts)
    await listening(server, opts.port, opts.host, opts.reusePort ?? false)
    if (opts.faults.has('plain-ws-listener')) {
      // SA3 (TS 33.203 Annex X, RFC 7118 §8.1): no unprotected access on W2. Under the fault the same edge also
      // upgrades plain-text ws:// on the next port, Origin and subprotocol checks and all.
      const plain = createHttpServer()
      plain.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        edge.upgrade(req, socket, head),
      )
      // The next port may be taken (by another program, or as the local port of a connection). A WSS port the
      // kernel chose (0) is chosen again, a few times; a port the caller fixed fails. Either way a failed start
      // closes the WSS listener again, so that it leaves nothing listening.
      for (let attempt = 1; ; attempt += 1) {
        const error = await listening(plain, edge.port + 1, opts.host, false).then(
          () => undefined,
          (e: unknown) => e,
        )
        if (error === undefined) break
        const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        if (opts.port !== 0 || !taken || attempt === PLAIN_PORT_ATTEMPTS) {
          await edge.close()
          throw error
        }
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await listening(server, 0, opts.host, opts.reusePort ?? false)
      }
      edge.plain = plain
    }
    return edge
  }

  /** The port actually bound (differs from the option when that was 0). */
  get port(): number {
    const address = this.server.address()
    return typeof address === 'object' && address !== null ? address.port : this.opts.port
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host
    return `wss://${host}:${this.port}${this.opts.path}`
  }

  /** Closes every WebSocket (1001 going away) and the listener. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'eP-CSCF stopping')
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    // Give the close frames a moment, then cut whatever is left (TLS sockets that never upgraded included).
    await new Promise((resolve) => setTimeout(resolve, 20).unref())
    for (const ws of this.wss.clients) ws.terminate()
    this.server.closeAllConnections()
    this.plain?.closeAllConnections()
    this.plain?.close()
    await closed
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.record(req, 'received', `WS upgrade ${req.method ?? '?'} ${req.url ?? ''}`, rawRequest(req))
    socket.on('error', () => socket.destroy())

    const target = new URL(req.url ?? '/', 'https://edge.invalid')
    if (target.pathname !== this.opts.path) {
      this.refuse(req, socket, 404, `Not Found - SIP over WebSocket is served on ${this.opts.path}`)
      return
    }
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      this.refuse(req, socket, 400, 'Bad Request - not a WebSocket opening handshake')
      return
    }
    if (!WS_KEY.test(req.headers['sec-websocket-key'] ?? '')) {
      this.refuse(req, socket, 400, 'Bad Request - missing or invalid Sec-WebSocket-Key')
      return
    }
    // The websocket-version-unchecked fault skips this check and treats whatever version was asked for as 13 (`ws`
    // itself would refuse a version other than 8 and 13).
    if (this.opts.faults.has('websocket-version-unchecked')) req.headers['sec-websocket-version'] = WS_VERSION
    const version = req.headers['sec-websocket-version']
    if (version !== WS_VERSION) {
      // If this version does not match a version understood by the server, the server MUST abort the WebSocket
      // handshake described in this section and instead send an appropriate HTTP error code (such as 426
      // Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is
      // capable of understanding. https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
      this.refuse(req, socket, 426, 'Upgrade Required - WebSocket version 13 only', {
        'Sec-WebSocket-Version': WS_VERSION,
      })
      return
    }

    // If the server does not wish to accept this connection, it MUST return an appropriate HTTP error code
    // (e.g., 403 Forbidden) and abort the WebSocket handshake described in this section.
    // https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
    const decision = checkOrigin(
      headerLines(req, 'origin'),
      this.opts.origin,
      this.opts.faults,
      this.opts.variants,
    )
    if (!decision.accept) {
      this.refuse(req, socket, decision.status, decision.reason)
      return
    }

    // The WebSocket client MUST include the "sip" value in the Sec-WebSocket-Protocol header field (RFC 7118 §4.1);
    // a server that does not agree to a subprotocol "MUST NOT send back a |Sec-WebSocket-Protocol| header field"
    // (RFC 6455 §4.2.2). Like Kamailio, the edge refuses with 400 and names the subprotocol it speaks.
    // https://www.rfc-editor.org/rfc/rfc7118#section-4.1
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
    // Under the `subprotocol-ignored` variant the 101 has no Sec-WebSocket-Protocol and the reference processes no
    // SIP on the connection (reference-epcscf.ts).
    const ignored = this.opts.variants?.has('subprotocol-ignored') === true
    if (!offered.includes(SIP_SUBPROTOCOL) && !ignored && !this.opts.faults.has('subprotocol-not-required')) {
      this.refuse(req, socket, 400, 'Bad Request - the "sip" WebSocket subprotocol is required (RFC 7118)', {
        'Sec-WebSocket-Protocol': SIP_SUBPROTOCOL,
        'Sec-WebSocket-Version': WS_VERSION,
      })
      return
    }

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!this.opts.faults.has('crlf-keepalive-unanswered')) this.answerKeepAlives(ws, req)
      // The hostile-frames-stop-edge fault: a frame-level protocol error (unmasked frame, invalid UTF-8, a message
      // over maxPayload) takes the whole W2 listener down, as a crash would (RFC 6455 §10.4 broken).
      if (this.opts.faults.has('hostile-frames-stop-edge')) ws.once('error', () => void this.close())
      interceptClientFrames(socket, this.opts.faults)
      this.opts.onConnection({
        socket: ws,
        local: {
          address: req.socket.localAddress ?? this.opts.host,
          port: req.socket.localPort ?? this.port,
        },
        remote: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
        origin: decision.origin,
        protocol: ws.protocol,
      })
    })
  }

  /**
   * CRLF keep-alive on the WebSocket flow. RFC 5626 §4.4.1 (quoted from memory): "the UA periodically ... sends a
   * double-CRLF (the "ping") then waits to receive a single CRLF (the "pong")", and §3.5.1 has the edge proxy
   * answer each ping with a pong. RFC 7118 does not forbid the mechanism on WebSocket, and SIP.js sends "\r\n\r\n"
   * as a WebSocket message and expects "\r\n" back; the reference answers it, and the WsFlow drops it as no SIP.
   */
  private answerKeepAlives(ws: WebSocket, req: IncomingMessage): void {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data)
      if (bytes.length !== 4 || bytes.toString('latin1') !== '\r\n\r\n') return
      this.record(req, 'sent', 'CRLF keep-alive pong (2 bytes)', '\r\n', 'WSS')
      ws.send('\r\n')
    })
  }

  /** Writes an HTTP error and closes: nothing after a refused handshake is read. */
  private refuse(
    req: IncomingMessage,
    socket: Duplex,
    status: number,
    reason: string,
    extra: Readonly<Record<string, string>> = {},
  ): void {
    const body = `${reason}\n`
    const headers: Record<string, string> = {
      Connection: 'close',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      ...extra,
    }
    const raw =
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `\r\n${body}`
    this.record(req, 'sent', `WS upgrade refused ${status}`, raw)
    if (socket.writable) socket.end(raw)
    socket.once('finish', () => socket.destroy())
    setTimeout(() => socket.destroy(), 1000).unref()
  }

  private record(
    req: IncomingMessage,
    direction: 'sent' | 'received',
    summary: string,
    raw: string,
    transport: 'HTTPS' | 'WSS' = 'HTTPS',
  ): void {
    const remote: TraceEndpoint = {
      transport,
      address: req.socket.remoteAddress ?? '',
      port: req.socket.remotePort ?? 0,
    }
    const local: TraceEndpoint = {
      transport,
      address: req.socket.localAddress ?? this.opts.host,
      port: req.socket.localPort ?? this.port,
    }
    this.opts.trace.record({
      observer: this.opts.observer,
      direction,
      leg: 'W2',
      from: direction === 'received' ? remote : local,
      to: direction === 'received' ? local : remote,
      raw,
      summary,
    })
  }
}

function listening(server: HttpServer, port: number, host: string, reusePort: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host, reusePort }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
}

/** Every value of a header, one per field line as sent (Node joins repeated lines; rawHeaders keeps them). */
function headerLines(req: IncomingMessage, name: string): string[] {
  const values: string[] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === name) values.push(req.rawHeaders[i + 1] ?? '')
  }
  return values
}

/** The handshake request as it came, reassembled from Node's raw header list. */
function rawRequest(req: IncomingMessage): string {
  const lines = [`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`]
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}
