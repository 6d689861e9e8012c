import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls'
import { ServerCertificateRejected, SutStartFailed } from '../errors.ts'

/**
 * Before any scenario, the certificate the eP-CSCF serves on W2 is checked as a WIC will check it (RFC 5280 §6 path
 * validation to the profile's CA, RFC 6125 host name, validity dates). A mismatch is the environment's problem (a CA
 * that is not the one the SUT was provisioned with, an expired test certificate, another server name): the run stops
 * with ONE error that says what the SUT serves and what the profile trusts, instead of failing every scenario.
 */
export interface PreflightOptions {
  readonly host: string
  readonly port: number
  readonly servername: string
  readonly caPem: string
  readonly timeoutMs: number
}

export function preflightCertificate(options: PreflightOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sni = isIP(options.servername) === 0 ? options.servername : undefined
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(sni === undefined ? {} : { servername: sni }),
      ca: options.caPem,
      // Checked below, so that the failure names what was served rather than only an OpenSSL code.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    })
    const timer = setTimeout(
      () =>
        done(
          new SutStartFailed(
            `no TLS handshake with ${options.host}:${options.port} within ${options.timeoutMs} ms`,
          ),
        ),
      options.timeoutMs,
    )
    function done(error?: Error): void {
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => {})
      socket.destroy()
      if (error) reject(error)
      else resolve()
    }
    socket.once('error', (error) =>
      done(new SutStartFailed(`TLS preflight to ${options.host}:${options.port}: ${error.message}`)),
    )
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(false)
      const code = socket.authorized ? undefined : String(socket.authorizationError ?? 'UNKNOWN')
      const identity = checkServerIdentity(options.servername, peer)
      if (code === undefined && identity === undefined) return done()
      const tlsCode = code ?? (identity as Error & { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID'
      done(
        new ServerCertificateRejected(
          `the eP-CSCF at ${options.host}:${options.port} serves a certificate the WIC will reject (${tlsCode}): ` +
            `${describe(peer)}; the profile trusts ${describeCa(options.caPem)} and expects the name ` +
            `"${options.servername}" (epcscf.tls.ca, epcscf.wss.serverName). With epcscf.tls.ca: mint, configure ` +
            `the eP-CSCF with .harness/pki/server.crt and server.key (re-minted near expiry, same CA).`,
          { tlsCode },
        ),
      )
    })
  })
}

function describe(peer: PeerCertificate): string {
  const names = peer.subjectaltname ?? 'no subjectAltName'
  return `subject CN=${peer.subject?.CN ?? '?'}, issuer CN=${peer.issuer?.CN ?? '?'}, valid ${peer.valid_from} to ${peer.valid_to}, ${names}`
}

function describeCa(pem: string): string {
  try {
    const ca = new X509Certificate(pem)
    return `the CA "${ca.subject.replace(/\n/g, ', ')}" (valid to ${ca.validTo})`
  } catch {
    return 'a CA file that cannot be read as PEM'
  }
}
