import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { exportJWK, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import { mintCa } from '../pki/test-pki.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import { TOKEN_TYP } from './signing-keys.ts'

/**
 * An attacker's key server (issue 9 §2, RFC 8725 §3.10): an HTTPS endpoint apart from the WWSF that serves the
 * attacker's public key as a JWK Set (`/jwks.json`, for a `jku` header, RFC 7515 §4.1.2) and as an X.509
 * certificate (`/cert.pem`, for an `x5u` header, RFC 7515 §4.1.5), and signs tokens with the matching private key
 * whose header points at it. It counts every request, so that a scenario can prove the eP-CSCF never fetched it:
 * "blindly following a "jku" (JWK set URL) or "x5u" (X.509 URL) header, which may contain an arbitrary URL, could
 * result in server-side request forgery (SSRF) attacks" (RFC 8725 §3.10, recalled).
 */

export type KeyUrlHeader = 'jku' | 'x5u'

export interface DecoyFetch {
  readonly url: string
  readonly from: string
}

export class DecoyKeyServer implements AsyncDisposable {
  readonly fetches: DecoyFetch[] = []
  private stopped = false

  private constructor(
    private readonly server: Server,
    private readonly key: CryptoKey,
    private readonly jwks: string,
    private readonly certPem: string,
    private readonly trace: TraceRecorder,
  ) {}

  /** Starts on 127.0.0.1 and a free port, with the TLS certificate given (the harness's: the worst case). */
  static async start(opts: {
    readonly tls: { readonly cert: string; readonly key: string }
    readonly trace: TraceRecorder
    readonly host?: string
  }): Promise<DecoyKeyServer> {
    // A self-signed certificate of the attacker's own P-256 key: its key signs the decoy tokens (ES256).
    const attacker = await mintCa({ validDays: 1 })
    const key = await importPKCS8(attacker.key, 'ES256', { extractable: true })
    const jwk = { ...(await exportJWK(key)), kid: 'decoy', alg: 'ES256', use: 'sig' }
    delete jwk.d
    const server = createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' })
    const decoy = new DecoyKeyServer(server, key, JSON.stringify({ keys: [jwk] }), attacker.cert, opts.trace)
    server.on('request', (req, res) => {
      const url = `${decoy.url}${req.url ?? '/'}`
      decoy.fetches.push({ url, from: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}` })
      opts.trace.note('decoy key server', `fetched: ${req.method ?? '?'} ${url}`)
      const path = (req.url ?? '/').split('?')[0]
      if (path === '/jwks.json')
        res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' }).end(decoy.jwks)
      else if (path === '/cert.pem')
        res.writeHead(200, { 'Content-Type': 'application/pem-certificate-chain' }).end(decoy.certPem)
      else res.writeHead(404).end()
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    opts.trace.note(
      'decoy key server',
      `started: ${decoy.url} (jku ${decoy.urlOf('jku')}, x5u ${decoy.urlOf('x5u')})`,
    )
    return decoy
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo
    return `https://${address}:${port}`
  }

  /** The URL a token's `jku` or `x5u` header names. */
  urlOf(header: KeyUrlHeader): string {
    return `${this.url}${header === 'jku' ? '/jwks.json' : '/cert.pem'}`
  }

  /** `claims` signed by the attacker's key, the header naming this server in `header` (kid "decoy" for jku). */
  sign(claims: JWTPayload, header: KeyUrlHeader): Promise<string> {
    const kid = header === 'jku' ? { kid: 'decoy' } : {}
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: TOKEN_TYP, ...kid, [header]: this.urlOf(header) })
      .sign(this.key)
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.trace.note('decoy key server', `stopped after ${this.fetches.length} request(s)`)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }
}
