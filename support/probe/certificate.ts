import { X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'

/**
 * What certificate the eP-CSCF presents on W2 (issue 9 §4): key type and size, signature algorithm, validity.
 * One TLS handshake, certificate not verified here (the WICs verify it; a rejected one is an environment error
 * there), one deadline, the socket destroyed before the promise settles.
 */
export interface PresentedCertificate {
  readonly subject: string
  /** `rsa`, `ec`, `ed25519`, ... */
  readonly keyType: string
  /** RSA modulus bits, or the EC curve's size in bits. */
  readonly keyBits: number | undefined
  readonly curve: string | undefined
  /** `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, ... or the OID when unknown. */
  readonly signatureAlgorithm: string
  readonly validFrom: Date
  readonly validTo: Date
  /** The TLS version and cipher suite of the handshake that showed it. */
  readonly protocol: string
  readonly cipher: string
}

export function presentedCertificate(options: {
  host: string
  port: number
  servername: string
  timeoutMs: number
}): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      servername: options.servername,
      rejectUnauthorized: false,
    })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(`no TLS handshake with ${options.host}:${options.port} within ${options.timeoutMs} ms`),
      )
    }, options.timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      try {
        const raw = socket.getPeerX509Certificate()
        if (raw === undefined) throw new Error('the server presented no certificate')
        resolve(describe(raw, socket.getProtocol() ?? '?', socket.getCipher().standardName))
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      } finally {
        socket.destroy()
      }
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
  })
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
  prime192v1: 192,
}

function describe(cert: X509Certificate, protocol: string, cipher: string): PresentedCertificate {
  const details = cert.publicKey.asymmetricKeyDetails ?? {}
  const curve = details.namedCurve
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    keyType: cert.publicKey.asymmetricKeyType ?? '?',
    keyBits: details.modulusLength ?? (curve === undefined ? undefined : CURVE_BITS[curve]),
    curve,
    signatureAlgorithm: signatureAlgorithm(cert.raw),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    protocol,
    cipher,
  }
}

const SIGNATURE_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature } (RFC 5280 §4.1). */
export function signatureAlgorithm(der: Buffer): string {
  const outer = header(der, 0)
  const tbs = header(der, outer.content)
  const algorithm = header(der, tbs.content + tbs.length)
  const oid = header(der, algorithm.content)
  const text = oidText(der.subarray(oid.content, oid.content + oid.length))
  return SIGNATURE_OIDS[text] ?? text
}

/** A DER tag-length header at `at`: where the content starts and how long it is. */
function header(der: Buffer, at: number): { content: number; length: number } {
  const first = der[at + 1] ?? 0
  if (first < 0x80) return { content: at + 2, length: first }
  const count = first & 0x7f
  let length = 0
  for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? 0)
  return { content: at + 2 + count, length }
}

function oidText(bytes: Buffer): string {
  const head = bytes[0] ?? 0
  const parts = [Math.floor(head / 40), head % 40]
  let value = 0
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) {
      parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}
