import { connect, createSecureContext } from 'node:tls'
import { NoAnswer, TransportFailed } from '../errors.ts'

/**
 * A TLS 1.2 client that offers only some cipher suites (issue 9 §4: weak suites on W2). The certificate is not
 * verified: the question is which suite the server agrees to, and the WICs verify the certificate elsewhere.
 * One connection, one deadline, the socket destroyed before the promise settles.
 */

/** What the server did with the offer. */
export type SuiteOffer =
  | { readonly outcome: 'accepted'; readonly offered: readonly string[]; readonly cipher: string }
  | { readonly outcome: 'refused'; readonly offered: readonly string[]; readonly detail: string }
  /** This harness's OpenSSL cannot offer any of the suites (nothing was sent). */
  | { readonly outcome: 'unavailable'; readonly offered: readonly string[] }

/** The suites (OpenSSL names) this process can offer at security level 0; the others are dropped. */
export function offerableSuites(suites: readonly string[]): string[] {
  return suites.filter((suite) => {
    try {
      createSecureContext({ ciphers: `${suite}:@SECLEVEL=0`, maxVersion: 'TLSv1.2' })
      return true
    } catch {
      return false
    }
  })
}

export function offerTls12Suites(options: {
  host: string
  port: number
  servername: string
  suites: readonly string[]
  timeoutMs: number
}): Promise<SuiteOffer> {
  const offered = offerableSuites(options.suites)
  if (offered.length === 0) return Promise.resolve({ outcome: 'unavailable', offered })
  return new Promise((resolve, reject) => {
    let connected = false
    const socket = connect({
      host: options.host,
      port: options.port,
      servername: options.servername,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: `${offered.join(':')}:@SECLEVEL=0`,
    })
    const done = (settle: () => void): void => {
      clearTimeout(timer)
      socket.destroy()
      settle()
    }
    const timer = setTimeout(
      () =>
        done(() =>
          reject(
            new NoAnswer(
              `no TLS handshake outcome from ${options.host}:${options.port} within ${options.timeoutMs} ms ` +
                `for an offer of ${offered.join(', ')}`,
            ),
          ),
        ),
      options.timeoutMs,
    )
    socket.once('connect', () => (connected = true))
    socket.once('secureConnect', () => {
      const cipher = socket.getCipher().standardName
      done(() => resolve({ outcome: 'accepted', offered, cipher }))
    })
    socket.once('error', (error: Error & { code?: string }) => {
      // Before TCP connected: nothing was asked of TLS (connection refused): not a refusal to judge.
      if (!connected && error.code === 'ECONNREFUSED')
        return done(() =>
          reject(new TransportFailed(`${options.host}:${options.port} refused the TCP connection`)),
        )
      done(() =>
        resolve({ outcome: 'refused', offered, detail: `${error.code ?? ''} ${error.message}`.trim() }),
      )
    })
    socket.once('close', () => done(() => resolve({ outcome: 'refused', offered, detail: 'closed' })))
  })
}
