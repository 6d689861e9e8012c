import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { JSONWebKeySet } from 'jose'
import { SigningKeys, type SigningAlgorithm, type TokenProfile } from './signing-keys.ts'

/**
 * The mock WWSF (TR 23.701 X.2.1.3 step 1, W1 reference point): an HTTPS server that logs the web user in and
 * returns the security token "with the IMS identities as claims within the security token". Web authentication is
 * a user/password form checked against the subscribers, as any common web login would be.
 *
 * - `POST /login` (`application/x-www-form-urlencoded` or JSON, fields `user` and `password`; `user` is the IMPI
 *   or its user part) → 200 `{ access_token, token_type: "Bearer", expires_in, impi, impu }`, or 401.
 * - `GET /.well-known/jwks.json` → the public signing key (RFC 7517).
 * - CORS (Fetch standard, "CORS protocol"), so that a WIC page served from the WWSF's own origin can log in from a
 *   browser: a request whose `Origin` is one of the allowed origins gets `Access-Control-Allow-Origin: <that
 *   origin>` (never `*`: the token is a credential for that origin only), every answer `Vary: Origin`; an
 *   `OPTIONS /login` preflight from an allowed origin gets 204 with the method and `Content-Type` allowed, from any
 *   other origin 403 without CORS headers (the browser then refuses the login).
 * Every exchange is recorded on leg W1 (the password redacted).
 */

export interface WwsfSubscriber {
  readonly impi: string
  readonly impus: readonly string[]
  readonly password: string
}

export interface WwsfOptions {
  readonly host?: string
  /** Default 8443; 0 picks a free port (see `port`). */
  readonly port?: number
  /** The origin the WWSF serves the WIC from. Default `https://wwsf.harness.test:8443`. */
  readonly origin?: string
  /** Origins a browser page may log in from (CORS); default `[origin]`. */
  readonly allowedOrigins?: readonly string[]
  /** `iss` of its tokens. Default: the origin. */
  readonly issuer?: string
  /** `aud` of its tokens: the eP-CSCF identity. Default `sip:epcscf.harness.test`. */
  readonly audience?: string
  readonly tls: { readonly cert: string; readonly key: string }
  readonly subscribers: readonly WwsfSubscriber[]
  readonly trace: TraceRecorder
  /** Default ES256. Ignored when `keys` is given. */
  readonly alg?: SigningAlgorithm
  /** The signing key; default a fresh one. */
  readonly keys?: SigningKeys
  /** Token lifetime in seconds. Default 300. */
  readonly lifetimeS?: number
  /** Identity claim names. Default `impi`, `impu`. */
  readonly claims?: { readonly impi?: string; readonly impu?: string }
  /** Observer name in the trace. Default `WWSF`. */
  readonly observer?: string
}

export interface LoginResult {
  readonly access_token: string
  readonly token_type: 'Bearer'
  readonly expires_in: number
  readonly impi: string
  readonly impu: readonly string[]
}

export const JWKS_PATH = '/.well-known/jwks.json'
const MAX_BODY = 16 * 1024

export class Wwsf implements AsyncDisposable {
  private stopped = false
  /** Serialized origins (scheme://host[:port], the form of the `Origin` header) that CORS allows. */
  private readonly corsOrigins: ReadonlySet<string>
  /** Static content served by GET (the browser WIC's pages and bundles, support/browser): path → body. */
  private readonly pages = new Map<string, { readonly contentType: string; readonly body: string }>()

  /** The key the WWSF signs with now, and the keys its JWKS publishes (key rotation: `rotate`). */
  private signing: SigningKeys
  private published: readonly SigningKeys[]
  /** When the WWSF last served its JWKS (ms since the epoch), 0 before. */
  lastJwksServedAt = 0

  private constructor(
    private readonly server: Server,
    private readonly opts: WwsfOptions,
    readonly initialKeys: SigningKeys,
    readonly tokenProfile: TokenProfile,
    private readonly observer: string,
  ) {
    this.signing = initialKeys
    this.published = [initialKeys]
    const allowed = opts.allowedOrigins ?? [opts.origin ?? 'https://wwsf.harness.test:8443']
    this.corsOrigins = new Set(allowed.map((o) => new URL(o).origin))
  }

  static async start(opts: WwsfOptions): Promise<Wwsf> {
    const keys = opts.keys ?? (await SigningKeys.generate(opts.alg ?? 'ES256'))
    const origin = opts.origin ?? 'https://wwsf.harness.test:8443'
    const tokenProfile: TokenProfile = {
      issuer: opts.issuer ?? origin,
      audience: opts.audience ?? 'sip:epcscf.harness.test',
      lifetimeS: opts.lifetimeS ?? 300,
      ...(opts.claims === undefined ? {} : { claims: opts.claims }),
    }
    const server = createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' })
    const wwsf = new Wwsf(server, opts, keys, tokenProfile, opts.observer ?? 'WWSF')
    server.on('request', (req, res) => void wwsf.handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 8443, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    opts.trace.note(wwsf.observer, `started: W1 ${wwsf.url}, issuer ${tokenProfile.issuer}, key ${keys.kid}`)
    return wwsf
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get host(): string {
    return (this.server.address() as AddressInfo).address
  }

  /** `https://127.0.0.1:8443` (where the WIC and the harness reach it). */
  get url(): string {
    return `https://${this.host}:${this.port}`
  }

  get jwksUrl(): string {
    return `${this.url}${JWKS_PATH}`
  }

  get issuer(): string {
    return this.tokenProfile.issuer
  }

  /** The key the WWSF signs its tokens with now. */
  get keys(): SigningKeys {
    return this.signing
  }

  /** The JWK Set the WWSF publishes now (RFC 7517 §5). */
  get jwks(): JSONWebKeySet {
    return { keys: this.published.map((k) => k.publicJwk) }
  }

  /**
   * Key rotation: from now on the WWSF signs with `next` and publishes `published` (next first; default only
   * next, the previous keys removed). "Keys can be rolled over by periodically adding new keys to the JWK Set ...
   * The signer can begin using a new key at its discretion and signals the change to the verifier using the kid
   * value" (OpenID Connect Core 1.0 §10.1.1, recalled).
   */
  rotate(next: SigningKeys, published: readonly SigningKeys[] = [next]): void {
    this.signing = next
    this.published = [next, ...published.filter((k) => k.kid !== next.kid)]
    this.opts.trace.note(
      this.observer,
      `key rotation: signs with ${next.kid}, publishes ${this.published.map((k) => k.kid).join(', ')}`,
    )
  }

  /**
   * Serves `body` at `path` (GET) from the WWSF's own origin: the page of a browser WIC and its script, so that the
   * browser's Origin is the WWSF's (TR 23.701 X.2.1.2 step 1: the WIC is downloaded from the WWSF).
   */
  servePage(path: string, contentType: string, body: string): void {
    this.pages.set(path, { contentType, body })
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.opts.trace.note(this.observer, 'stopped')
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    try {
      body = await readBody(req)
    } catch {
      return this.answer(req, body, res, 413, { error: 'request too large' })
    }
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === JWKS_PATH) {
      this.lastJwksServedAt = Date.now()
      return this.answer(req, body, res, 200, this.jwks)
    }
    const page = req.method === 'GET' ? this.pages.get(path ?? '') : undefined
    if (page !== undefined) return this.page(req, res, page)
    if (path === '/login') {
      if (req.method === 'OPTIONS') return this.preflight(req, res)
      if (req.method !== 'POST')
        return this.answer(req, body, res, 405, { error: 'use POST' }, [['Allow', 'POST']])
      const form = parseForm(req.headers['content-type'], body)
      const subscriber = form === undefined ? undefined : this.authenticate(form.user, form.password)
      if (subscriber === undefined) return this.answer(req, body, res, 401, { error: 'invalid_grant' })
      const token = await this.keys.issue(this.tokenProfile, subscriber)
      const result: LoginResult = {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.tokenProfile.lifetimeS ?? 300,
        impi: subscriber.impi,
        impu: [...subscriber.impus],
      }
      return this.answer(req, body, res, 200, result, [['Cache-Control', 'no-store']])
    }
    return this.answer(req, body, res, 404, { error: 'not found' })
  }

  /** A static page: recorded with its size only (a bundle is hundreds of kilobytes of script). */
  private page(req: IncomingMessage, res: ServerResponse, page: { contentType: string; body: string }): void {
    res.statusCode = 200
    res.setHeader('Content-Type', page.contentType)
    res.setHeader('Cache-Control', 'no-store')
    res.end(page.body)
    this.record(req, '', 200, res, `[${Buffer.byteLength(page.body)} octets of ${page.contentType}]`)
  }

  private authenticate(user: string | undefined, password: string | undefined): WwsfSubscriber | undefined {
    if (user === undefined || password === undefined) return undefined
    const name = user.toLowerCase()
    return this.opts.subscribers.find(
      (s) =>
        (s.impi.toLowerCase() === name || s.impi.split('@')[0]?.toLowerCase() === name) &&
        s.password === password,
    )
  }

  private answer(
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
    status: number,
    json: unknown,
    headers: [string, string][] = [],
  ): void {
    const text = JSON.stringify(json)
    res.statusCode = status
    res.setHeader('Content-Type', 'application/json')
    this.cors(req, res)
    for (const [name, value] of headers) res.setHeader(name, value)
    res.end(text)
    this.record(req, body, status, res, text)
  }

  /** `Vary: Origin` always; `Access-Control-Allow-Origin` only for an allowed origin, and then exactly it. */
  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    res.setHeader('Vary', 'Origin')
    const origin = req.headers.origin
    if (origin === undefined || !this.corsOrigins.has(origin)) return false
    res.setHeader('Access-Control-Allow-Origin', origin)
    return true
  }

  /** CORS preflight of the login (`POST` with a JSON or form body, so `Content-Type` is the header asked for). */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = this.cors(req, res) ? 204 : 403
    if (res.statusCode === 204) {
      res.setHeader('Access-Control-Allow-Methods', 'POST')
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type')
      res.setHeader('Access-Control-Max-Age', '600')
    }
    res.end()
    this.record(req, '', res.statusCode, res, '')
  }

  private record(
    req: IncomingMessage,
    body: string,
    status: number,
    res: ServerResponse,
    text: string,
  ): void {
    const client = {
      transport: 'HTTPS',
      address: req.socket.remoteAddress ?? '',
      port: req.socket.remotePort ?? 0,
    }
    const self = { transport: 'HTTPS', address: this.host, port: this.port }
    const requestHead = `${req.method ?? '?'} ${req.url ?? '/'} HTTP/${req.httpVersion}`
    const headerLines = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`)
    this.opts.trace.record({
      observer: this.observer,
      direction: 'received',
      leg: 'W1',
      from: client,
      to: self,
      summary: requestHead.replace(/ HTTP\/.*$/, ''),
      raw: [requestHead, ...headerLines, '', redact(body)].join('\r\n'),
    })
    const responseHead = `HTTP/1.1 ${status} ${res.statusMessage}`
    const responseHeaders = Object.entries(res.getHeaders()).map(([k, v]) => `${k}: ${String(v)}`)
    this.opts.trace.record({
      observer: this.observer,
      direction: 'sent',
      leg: 'W1',
      from: self,
      to: client,
      summary: `${status} ${res.statusMessage} (${req.method ?? '?'} ${(req.url ?? '/').split('?')[0] ?? ''})`,
      raw: [responseHead, ...responseHeaders, '', text].join('\r\n'),
    })
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
      if (body.length > MAX_BODY) {
        reject(new Error('body too large'))
        req.destroy()
      }
    })
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

/** `user` and `password` from a form or JSON body; undefined when the body is neither. */
function parseForm(
  contentType: string | undefined,
  body: string,
): { user: string | undefined; password: string | undefined } | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/json') {
    try {
      const json = JSON.parse(body) as Record<string, unknown>
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
      return { user: str(json.user ?? json.username), password: str(json.password) }
    } catch {
      return undefined
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body)
    return {
      user: form.get('user') ?? form.get('username') ?? undefined,
      password: form.get('password') ?? undefined,
    }
  }
  return undefined
}

/** The password never goes into the trace (reports are shared). */
function redact(body: string): string {
  return body
    .replace(/("password"\s*:\s*")[^"]*(")/g, '$1********$2')
    .replace(/(^|&)(password=)[^&]*/g, '$1$2********')
}
