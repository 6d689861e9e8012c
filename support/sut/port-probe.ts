import { isIP } from 'node:net'
import { connect } from 'node:tls'
import { SutStartFailed } from '../errors.ts'

export interface TlsProbeOptions {
  readonly host: string
  readonly port: number
  /** Overall deadline, from the call. */
  readonly timeoutMs: number
  /** SNI to send; defaults to the host when it is a name (never an IP address, RFC 6066 §3). */
  readonly servername?: string
  /** Pause between attempts. */
  readonly intervalMs?: number
  /** Aborts the wait at once (for example when the SUT process exited); rejects with the signal's reason. */
  readonly signal?: AbortSignal
}

/**
 * Waits until `host:port` completes a TLS handshake (TLS 1.2 or later). Certificates are not checked here: this
 * says only that the SUT is up; the WIC checks the certificate against the CA when it connects.
 */
export async function waitForTlsPort(options: TlsProbeOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs
  const interval = options.intervalMs ?? 100
  let lastError = 'no attempt'
  let attempts = 0
  for (;;) {
    options.signal?.throwIfAborted()
    const remaining = deadline - performance.now()
    if (remaining <= 0) break
    attempts += 1
    try {
      await probeTlsOnce({ ...options, timeoutMs: Math.min(remaining, 3000) })
      return
    } catch (error) {
      options.signal?.throwIfAborted()
      lastError = (error as Error).message
    }
    const pause = Math.min(interval, deadline - performance.now())
    if (pause > 0) await sleep(pause, options.signal)
  }
  throw new SutStartFailed(
    `WSS port ${options.host}:${options.port} did not accept a TLS handshake within ${options.timeoutMs} ms ` +
      `(${attempts} attempts; last: ${lastError})`,
  )
}

/** One TLS handshake with `host:port`; resolves once it completed, then closes the connection. */
export function probeTlsOnce(options: Omit<TlsProbeOptions, 'intervalMs'>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const servername = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined)
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(servername === undefined ? {} : { servername }),
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    })
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners()
      socket.on('error', () => {})
      socket.destroy()
      if (error) reject(error)
      else resolve()
    }
    const onAbort = (): void => finish(new Error('aborted'))
    const timer = setTimeout(
      () => finish(new Error(`no TLS handshake within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    )
    options.signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('secureConnect', () => finish())
    socket.once('error', (error) => finish(error))
    socket.once('close', () => finish(new Error('connection closed before the TLS handshake completed')))
  })
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}
