import { accessSync, constants } from 'node:fs'
import { createHash, X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { EnvironmentMissing, TlsHandshakeFailed } from '../errors.ts'

/**
 * The one place that drives Chromium (playwright-core, the Debian `chromium` package: no browser is downloaded at
 * run time). One browser per cucumber worker, launched on the first browser scenario and reused (a context per
 * WIC), closed when the worker ends (AfterAll) — no Chromium process outlives the run.
 *
 * Trust and names, without switching certificate checks off:
 * - `--ignore-certificate-errors-spki-list` with the SPKI (SHA-256, base64) of exactly the certificates the harness
 *   itself verified against the harness CA (the eP-CSCF's and the WWSF's): Chromium accepts those keys and no
 *   other (every other certificate error stays an error). It does not check their names, so the name check of the
 *   eP-CSCF's certificate is the certificate preflight's (support/pki/certificate-preflight.ts).
 * - `--host-resolver-rules`: the WWSF and eP-CSCF names resolve to their loopback addresses, with the port where
 *   the origin's port differs from the WWSF's real one (`MAP wwsf.harness.test:8443 127.0.0.1:26843`), so the
 *   page's origin, and the Origin the browser sends, is exactly the profile's authorized origin.
 * - Fake media devices and an auto-accepted permission prompt: getUserMedia gives a real track, and the
 *   RTCPeerConnection a genuine offer (ICE candidates, DTLS fingerprint, BUNDLE).
 */

export const DEFAULT_CHROMIUM = '/usr/bin/chromium'

export interface ChromiumOptions {
  /** Default /usr/bin/chromium. */
  readonly executablePath?: string
  /** `[pattern, replacement]` pairs for Chromium's host resolver, in order (the first match wins). */
  readonly hostRules: readonly (readonly [string, string])[]
  /** base64 SHA-256 of the SubjectPublicKeyInfo of each certificate to accept. */
  readonly spkiPins: readonly string[]
}

/** The command-line switches of the browser (pure: the unit tests read them). */
export function chromiumArgs(opts: ChromiumOptions): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    // Host candidates as addresses, not mDNS names (a permission-less page would get `.local` names).
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    `--host-resolver-rules=${opts.hostRules.map(([from, to]) => `MAP ${from} ${to}`).join(', ')}`,
    `--ignore-certificate-errors-spki-list=${opts.spkiPins.join(',')}`,
  ]
}

export class ChromiumDriver {
  private constructor(
    private readonly browser: Browser,
    /** Chromium's own version (`156.0.8078.73`), named in the browser WIC's trace observer. */
    readonly version: string,
  ) {}

  /**
   * Launches headless Chromium. A missing or unusable executable is an environment error that says how to
   * install it, never a skip.
   */
  static async launch(opts: ChromiumOptions): Promise<ChromiumDriver> {
    const executablePath = opts.executablePath ?? DEFAULT_CHROMIUM
    try {
      accessSync(executablePath, constants.X_OK)
    } catch {
      throw new EnvironmentMissing(missingText(executablePath, 'no executable there'))
    }
    let browser: Browser
    try {
      browser = await chromium.launch({
        executablePath,
        headless: true,
        args: chromiumArgs(opts),
        timeout: 30_000,
      })
    } catch (error) {
      throw new EnvironmentMissing(
        missingText(executablePath, (error as Error).message.split('\n')[0] ?? ''),
        {
          cause: error,
        },
      )
    }
    return new ChromiumDriver(browser, browser.version())
  }

  /** A fresh context (its own cookies and storage): one per browser WIC. */
  newContext(): Promise<BrowserContext> {
    return this.browser.newContext({ ignoreHTTPSErrors: false })
  }

  get connected(): boolean {
    return this.browser.isConnected()
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined)
  }
}

function missingText(path: string, detail: string): string {
  return (
    `Chromium could not be started from ${path} (${detail}): the browser WIC scenarios need it. Install the ` +
    'Debian package with `apt-get install chromium` (.ci/install-debian-packages.sh does), or give its path as ' +
    'browser.executablePath in the profile (or HARNESS_CHROMIUM)'
  )
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo (the form `--ignore-certificate-errors-spki-list` takes). */
export function spkiPin(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64')
}

/**
 * The certificate a TLS server at host:port serves, after Node verified it against `caPem` (chain and name
 * `servername`): what the browser may then accept by its key. A certificate the CA does not vouch for is refused.
 */
export function verifiedServerCertificate(opts: {
  readonly host: string
  readonly port: number
  readonly servername: string
  readonly caPem: string
  readonly timeoutMs: number
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: opts.host,
      port: opts.port,
      servername: opts.servername,
      ca: opts.caPem,
      ALPNProtocols: ['http/1.1'],
      timeout: opts.timeoutMs,
    })
    const where = `${opts.host}:${opts.port} (${opts.servername})`
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw
      socket.end()
      resolve(new X509Certificate(raw).toString())
    })
    socket.once('timeout', () => {
      socket.destroy()
      reject(new TlsHandshakeFailed(`no TLS handshake with ${where} within ${opts.timeoutMs} ms`))
    })
    socket.once('error', (error) =>
      reject(new TlsHandshakeFailed(`TLS with ${where}: ${error.message}`, { cause: error })),
    )
  })
}

// ---- the worker's one browser ------------------------------------------------------------------------------------

let shared: { key: string; driver: Promise<ChromiumDriver> } | undefined

/** The worker's browser for these options, launched once; a failed launch is not cached (each scenario says so). */
export async function sharedChromium(opts: ChromiumOptions): Promise<ChromiumDriver> {
  const key = JSON.stringify(opts)
  if (shared !== undefined && shared.key !== key) await closeChromium()
  const current = shared
  if (current !== undefined) {
    const driver = await current.driver
    if (driver.connected) return driver
  }
  const driver = ChromiumDriver.launch(opts)
  shared = { key, driver }
  driver.catch(() => {
    if (shared?.driver === driver) shared = undefined
  })
  return driver
}

/** Closes the worker's browser, if one was launched (AfterAll). */
export async function closeChromium(): Promise<void> {
  const current = shared
  shared = undefined
  if (current === undefined) return
  const driver = await current.driver.catch(() => undefined)
  await driver?.close()
}
