import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generate } from 'selfsigned'

/**
 * The harness's test PKI: one CA and server certificates it signs, for the WSS listener of an eP-CSCF (W2) and
 * the HTTPS listener of the WWSF (W1). This is the only module that imports `selfsigned`.
 *
 * Every key is EC P-256 and every signature ECDSA with SHA-256: TLS 1.2 and 1.3 both accept it, and 33.210 §6.2.1
 * leaves the choice of signature algorithm open as long as TLS 1.2+ is used.
 */

/** The default names of a server certificate (the contract's eP-CSCF and WWSF host names, and loopback). */
export const DEFAULT_SERVER_HOSTS: readonly string[] = [
  'epcscf.harness.test',
  'wwsf.harness.test',
  'localhost',
]
export const DEFAULT_SERVER_IPS: readonly string[] = ['127.0.0.1']

/**
 * Which server certificate to mint. Anything but `valid` is for negative tests (a WIC must refuse the TLS
 * handshake, RFC 6125 §6 / RFC 5280 §6.1):
 * - `expired`: signed by the CA, but its validity ended yesterday.
 * - `not-yet-valid`: signed by the CA, valid from tomorrow.
 * - `wrong-host`: signed by the CA, valid, but its only name is `wrong-host.harness.invalid` (no IP address).
 * - `untrusted-issuer`: valid names and dates, but self-signed, so it does not chain to the CA.
 */
export type ServerCertVariant = 'valid' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'untrusted-issuer'

export interface PemPair {
  readonly cert: string
  readonly key: string
}

export interface TestPki {
  /** The CA: trust anchor for WICs (its key signs further server certificates through `mintServerCert`). */
  readonly ca: PemPair
  /** The server certificate and its private key (PKCS #8). */
  readonly server: PemPair
  /** Where `ca.crt`, `server.crt` and `server.key` were written, when a folder was given. */
  readonly files?: { readonly ca: string; readonly cert: string; readonly key: string } | undefined
}

export interface MintServerCertOptions {
  /** DNS subjectAltNames; the first one is also the subject CN. */
  readonly hosts: readonly string[]
  /** IP address subjectAltNames. */
  readonly ips: readonly string[]
  /** Validity of a `valid` certificate in days (default 30). */
  readonly validDays?: number
  readonly variant?: ServerCertVariant
}

export interface MintTestPkiOptions extends MintServerCertOptions {
  /** When given, `ca.crt`, `ca.key`, `server.crt` and `server.key` (keys mode 0600) are written here. */
  readonly dir?: string
  /** Validity of the CA in days (default CA_VALID_DAYS); `validDays` is the server certificate's. */
  readonly caValidDays?: number
}

const DAY_MS = 86_400_000
const EC = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const

/** How long a minted CA lives: long, so that an eP-CSCF configured to trust it once keeps trusting it. */
export const CA_VALID_DAYS = 3650

/** Mints a CA (`mintServerCert` signs with its key; `mintTestPki` writes the key so that renewals keep the CA). */
export async function mintCa(opts: { validDays?: number } = {}): Promise<PemPair> {
  const now = Date.now()
  const pems = await generate(
    [
      { name: 'commonName', value: 'eP-CSCF harness test CA' },
      { name: 'organizationName', value: 'epcscf-harness' },
    ],
    {
      ...EC,
      notBeforeDate: new Date(now - DAY_MS),
      notAfterDate: new Date(now + (opts.validDays ?? CA_VALID_DAYS) * DAY_MS + DAY_MS),
      extensions: [
        // Conforming CAs MUST include this extension in all CA certificates that contain public keys used to
        // validate digital signatures on certificates and MUST mark the extension as critical in such
        // certificates. https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.9
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  )
  return { cert: pems.cert, key: pems.private }
}

/** Mints a server certificate signed by `ca` (or self-signed for the `untrusted-issuer` variant). */
export async function mintServerCert(ca: PemPair, opts: MintServerCertOptions): Promise<PemPair> {
  const variant = opts.variant ?? 'valid'
  const now = Date.now()
  const validDays = opts.validDays ?? 30
  const hosts = variant === 'wrong-host' ? ['wrong-host.harness.invalid'] : [...opts.hosts]
  const ips = variant === 'wrong-host' ? [] : [...opts.ips]
  const [notBefore, notAfter] =
    variant === 'expired'
      ? [now - (validDays + 1) * DAY_MS, now - DAY_MS]
      : variant === 'not-yet-valid'
        ? [now + DAY_MS, now + (validDays + 1) * DAY_MS]
        : [now - 60_000, now + validDays * DAY_MS]
  const pems = await generate(
    [
      { name: 'commonName', value: hosts[0] ?? ips[0] ?? 'localhost' },
      { name: 'organizationName', value: 'epcscf-harness' },
    ],
    {
      ...EC,
      notBeforeDate: new Date(notBefore),
      notAfterDate: new Date(notAfter),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...hosts.map((value) => ({ type: 2 as const, value })),
            ...ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
      ...(variant === 'untrusted-issuer' ? {} : { ca }),
    },
  )
  return { cert: pems.cert, key: pems.private }
}

/**
 * Mints a CA and one server certificate. With `dir`, writes `ca.crt`, `ca.key`, `server.crt` and `server.key` there,
 * for systems under test that read files (Kamailio's tls.cfg, a container's volume).
 */
export async function mintTestPki(opts: MintTestPkiOptions): Promise<TestPki> {
  const ca = await mintCa({ ...(opts.caValidDays === undefined ? {} : { validDays: opts.caValidDays }) })
  const server = await mintServerCert(ca, opts)
  if (opts.dir === undefined) return { ca, server }
  await mkdir(opts.dir, { recursive: true })
  const files = {
    ca: join(opts.dir, 'ca.crt'),
    cert: join(opts.dir, 'server.crt'),
    key: join(opts.dir, 'server.key'),
  }
  await writeFile(files.ca, ca.cert, { mode: 0o644 })
  await writeFile(join(opts.dir, 'ca.key'), ca.key, { mode: 0o600 })
  await writeFile(files.cert, server.cert, { mode: 0o644 })
  await writeFile(files.key, server.key, { mode: 0o600 })
  // writeFile's mode applies only when it creates the file; an older key file keeps its mode otherwise.
  await chmod(files.key, 0o600)
  return { ca, server, files }
}
