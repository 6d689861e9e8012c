import { ScenarioMisuse } from '../errors.ts'
import type { PresentedCertificate } from '../probe/certificate.ts'
import type { PlainUpgradeAnswer } from '../probe/port-scan.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should, type MustRequirement, type ShouldRequirement } from './requirement.ts'

/**
 * The exposed surface of the WIC-facing side (issue 9 §4): no plain-text SIP WebSocket on any port of the W2 host,
 * and the certificate the eP-CSCF shows there.
 */

// Catalogue R06 [V]: "Profile test: plain `ws://` to the eP-CSCF's W2 listener is refused (no 101) or not offered at
// all." SA3 (TS 33.203 Annex X, read through TS 24.371 A.3.2 step 2) has the WIC reach the eP-CSCF over WSS only;
// RFC 7118 §8.1 (from memory) RECOMMENDS secure WebSocket. A second, plain listener is unprotected access to W2.
const NO_PLAIN_W2 = must('TS 24.371 A.3.2 step 2; TS 33.203 Annex X; RFC 7118 §8.1', {
  id: 'R06',
  quote:
    'The WIC opens a WSS (secure Web Socket) connection to the eP-CSCF. The TLS connection provides one-way ' +
    'authentication of the server based on the server certificate.',
  source: 'V',
})

/** The probe of the W2 host: which ports it asked and what each did. */
export interface SurfaceScan {
  readonly host: string
  readonly span: string
  /** Ports left out because the harness itself listens there (mock S-CSCF, WWSF). */
  readonly skipped: readonly number[]
  readonly answers: readonly PlainUpgradeAnswer[]
}

/** One line per port that listens, for the report: `45443 hung-up`, `45060 answered SIP/2.0 400 ...`. */
export function describeScan(scan: SurfaceScan): string {
  const open = scan.answers.filter((a) => a.outcome !== 'closed')
  const lines = open.map(
    (a) => `${a.port} ${a.outcome}${a.firstLine === undefined ? '' : ` (${a.firstLine})`}`,
  )
  return (
    `probed ${scan.answers.length} TCP ports of ${scan.host} (${scan.span}; skipped, the harness's own: ` +
    `${scan.skipped.join(', ') || 'none'}); listening: ${lines.join('; ') || 'none'}`
  )
}

/**
 * No port of the WIC-facing host upgrades a plain-text WebSocket with the `sip` subprotocol (101 and
 * `Sec-WebSocket-Protocol: sip`): whatever listens there (the WSS port, the Mw ports, a management port) speaks
 * TLS, SIP, or refuses. The scan must have reached the eP-CSCF at all (some port listening), or it proves nothing.
 */
export function checkNoPlainSipWebSocket(scan: SurfaceScan | undefined): void {
  if (scan === undefined) throw new ScenarioMisuse('the harness has not probed the W2 host in this scenario')
  expectThat(
    scan.answers.some((a) => a.outcome !== 'closed'),
    NO_PLAIN_W2,
    () => `expected the eP-CSCF to listen on some probed port, but none did: ${describeScan(scan)}`,
  )
  const plain = scan.answers.filter(
    (a) => a.status === 101 && (a.protocol ?? '').split(',').some((p) => p.trim().toLowerCase() === 'sip'),
  )
  expectThat(
    plain.length === 0,
    NO_PLAIN_W2,
    () =>
      `expected no plain-text (ws://) SIP WebSocket on ${scan.host}, but port(s) ${plain.map((a) => a.port).join(', ')} ` +
      `answered the upgrade with 101 and Sec-WebSocket-Protocol: sip; ${describeScan(scan)}`,
  )
}

// RFC 9325 (BCP 195) §4.2 and TS 33.210 §6.2.3's TLS profile (both from memory): certificates with RSA keys of at
// least 2048 bits or EC keys of at least 256 bits, signed with SHA-256 or better; a currently valid certificate.
const STRONG_CERTIFICATE = should('TS 33.210 §6.2.3 (through TS 33.203 Annex X); RFC 9325 §4.2', {
  id: 'R06',
  quote: 'The TLS connection provides one-way authentication of the server based on the server certificate.',
  source: 'R',
})

/** The certificate as one line for the report. */
export function describeCertificate(cert: PresentedCertificate): string {
  const size = cert.curve === undefined ? `${cert.keyBits ?? '?'} bits` : `${cert.curve}`
  return (
    `${cert.subject}: ${cert.keyType} ${size}, signed ${cert.signatureAlgorithm}, valid ` +
    `${cert.validFrom.toISOString()} to ${cert.validTo.toISOString()} (over ${cert.protocol}, ${cert.cipher})`
  )
}

/** Weak properties of a certificate, each a reason; none for a strong one. */
export function certificateWeaknesses(cert: PresentedCertificate, now: Date = new Date()): string[] {
  const weak: string[] = []
  const bits = cert.keyBits ?? 0
  if (cert.keyType === 'rsa' || cert.keyType === 'rsa-pss') {
    if (bits < 2048) weak.push(`an RSA key of ${bits} bits (fewer than 2048)`)
  } else if (cert.keyType === 'ec' && bits < 256) weak.push(`an EC key of ${bits} bits (fewer than 256)`)
  else if (cert.keyType === 'dsa') weak.push('a DSA key')
  if (/md5|sha1(?!\d)|SHA1$/i.test(cert.signatureAlgorithm))
    weak.push(`a signature with ${cert.signatureAlgorithm}`)
  if (cert.validTo.getTime() <= now.getTime()) weak.push(`expired at ${cert.validTo.toISOString()}`)
  if (cert.validFrom.getTime() > now.getTime()) weak.push(`not valid before ${cert.validFrom.toISOString()}`)
  return weak
}

/** The certificate is reported (a note in the verdict); a weak one is a WARN (SHOULD), never a FAIL. */
export function checkCertificateStrength(cert: PresentedCertificate | undefined): string {
  if (cert === undefined) throw new ScenarioMisuse('no certificate was inspected in this scenario')
  const weak = certificateWeaknesses(cert)
  adviseThat(
    weak.length === 0,
    STRONG_CERTIFICATE,
    () => `the eP-CSCF's W2 certificate has ${weak.join('; ')}: ${describeCertificate(cert)}`,
  )
  return describeCertificate(cert)
}

/** The families of weak TLS 1.2 suites a hostile or outdated WIC offers alone (OpenSSL names). */
export type WeakSuiteFamily =
  'without forward secrecy' | 'with NULL encryption' | 'with RC4' | 'with 3DES' | 'of export grade'

// RFC 9325 §4.1 (BCP 195; quoted from memory, as RFC 7525 §4.1 words them), applied to W2 through TS 33.210 §6.2.3
// and TS 33.203 Annex X (from memory). TS 33.210 §6.2.3 has TLS 1.2 use only suites with forward secrecy (ECDHE,
// DHE); that sentence is reasoned from memory, hence source R.
const NO_NULL = must('RFC 9325 §4.1; TS 33.210 §6.2.3 (through TS 33.203 Annex X)', {
  id: 'R07',
  quote: 'Implementations MUST NOT negotiate the cipher suites with NULL encryption.',
  source: 'R',
})
const NO_RC4 = must('RFC 9325 §4.1; RFC 7465 §2; TS 33.210 §6.2.3', {
  id: 'R07',
  quote: 'Implementations MUST NOT negotiate RC4 cipher suites.',
  source: 'R',
})
const NO_EXPORT = must('RFC 9325 §4.1; TS 33.210 §6.2.3', {
  id: 'R07',
  quote:
    'Implementations MUST NOT negotiate cipher suites offering less than 112 bits of security, including ' +
    "so-called 'export-level' encryption (which provide 40 or 56 bits of security).",
  source: 'R',
})
const NO_3DES = should('RFC 9325 §4.1; TS 33.210 §6.2.3', {
  id: 'R07',
  quote:
    'Implementations SHOULD NOT negotiate cipher suites that use algorithms offering less than 128 bits of security.',
  source: 'R',
})
const FORWARD_SECRECY = must('TS 33.210 §6.2.3 (through TS 33.203 Annex X); RFC 9325 §4.1', {
  id: 'R07',
  quote:
    "Implementations SHOULD NOT negotiate cipher suites based on RSA key transport, a.k.a. 'static RSA'.",
  source: 'R',
})

export const WEAK_SUITES: Readonly<
  Record<
    WeakSuiteFamily,
    { readonly suites: readonly string[]; readonly requirement: MustRequirement | ShouldRequirement }
  >
> = {
  'without forward secrecy': {
    suites: [
      'AES128-GCM-SHA256',
      'AES256-GCM-SHA384',
      'AES128-SHA256',
      'AES256-SHA256',
      'AES128-SHA',
      'AES256-SHA',
      'ECDH-ECDSA-AES128-GCM-SHA256',
      'ECDH-RSA-AES128-GCM-SHA256',
    ],
    requirement: FORWARD_SECRECY,
  },
  'with NULL encryption': {
    suites: ['ECDHE-ECDSA-NULL-SHA', 'ECDHE-RSA-NULL-SHA', 'NULL-SHA256', 'NULL-SHA', 'NULL-MD5'],
    requirement: NO_NULL,
  },
  'with RC4': {
    suites: ['ECDHE-ECDSA-RC4-SHA', 'ECDHE-RSA-RC4-SHA', 'RC4-SHA', 'RC4-MD5'],
    requirement: NO_RC4,
  },
  'with 3DES': {
    suites: ['ECDHE-ECDSA-DES-CBC3-SHA', 'ECDHE-RSA-DES-CBC3-SHA', 'DES-CBC3-SHA'],
    requirement: NO_3DES,
  },
  'of export grade': {
    suites: ['EXP-RC4-MD5', 'EXP-DES-CBC-SHA', 'EXP-EDH-RSA-DES-CBC-SHA', 'EXP-RC2-CBC-MD5'],
    requirement: NO_EXPORT,
  },
}

export function isWeakSuiteFamily(name: string): name is WeakSuiteFamily {
  return Object.hasOwn(WEAK_SUITES, name)
}

/** What the eP-CSCF did with a TLS 1.2 offer of one weak family only (probe/tls-offer.ts). */
export interface WeakSuiteOutcome {
  readonly family: WeakSuiteFamily
  readonly offered: readonly string[]
  readonly accepted: string | undefined
  readonly detail: string
}

/** The eP-CSCF refuses the handshake of a WIC that offers only suites of a weak family. */
export function checkWeakSuitesRefused(outcome: WeakSuiteOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no weak TLS 1.2 offer was made in this scenario')
  const { requirement } = WEAK_SUITES[outcome.family]
  const message = () =>
    `expected the eP-CSCF to refuse a TLS 1.2 handshake offering only suites ${outcome.family} ` +
    `(${outcome.offered.join(', ')}), but it negotiated ${outcome.accepted ?? '?'}`
  if (requirement.level === 'MUST') expectThat(outcome.accepted === undefined, requirement, message)
  else adviseThat(outcome.accepted === undefined, requirement, message)
}
