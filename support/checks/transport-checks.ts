import type { SecureVersion } from 'node:tls'
import { ScenarioMisuse, type HarnessError } from '../errors.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should } from './requirement.ts'

/**
 * Checks of the W2 transport security (R06, R07). TS 33.210 is network domain security: it applies to W2 through
 * TS 33.203 (Annex X), which refers to it for TLS [R]. Secure WebSocket for SIP is RFC 7118 §9.1 (Security
 * Considerations), a RECOMMENDED there and what TS 24.371 A.3.2 step 2 describes.
 *
 * Only the server ending a handshake reaches these checks as `tls-refused`: a certificate the harness rejects
 * (ServerCertificateRejected) or a version the harness cannot offer (EnvironmentMissing) are environment errors,
 * decided from the TLS error code in support/transport/tls-failure.ts, and never reach a verdict on the SUT.
 */

/**
 * A WIC's attempt to open its WSS connection offering only some TLS versions: `connected` (TLS and the `sip`
 * upgrade done), `upgrade-refused` (TLS done, the upgrade answered with an HTTP error), or `tls-refused` (the TLS
 * handshake failed: an alert, or the connection closed before TLS completed).
 */
export interface TlsOutcome {
  readonly offered: readonly SecureVersion[]
  readonly stage: 'connected' | 'upgrade-refused' | 'tls-refused'
  readonly status: number | undefined
  readonly error: HarnessError | undefined
}

/**
 * RFC 9325 §3.1.1 (BCP 195), read as quoted by a TLS scanner's guideline checks and an IETF draft [V~]: TLS 1.2 is
 * the MUST, TLS 1.3 a SHOULD. TS 33.210 §6.2.1 ("TLS 1.3 ... shall be supported") is network domain security; it
 * reaches W2 only through TS 33.203 Annex X, which is informative, so it does not make TLS 1.3 a MUST here.
 */
const SUPPORTED = must('RFC 9325 §3.1.1; TS 24.371 A.3.2 step 2', {
  id: 'R07',
  quote: 'Implementations MUST support TLS 1.2 [RFC5246].',
  source: 'V',
})

const TLS13 = should('RFC 9325 §3.1.1 (TS 33.210 §6.2.1 through the informative TS 33.203 Annex X)', {
  id: 'R07',
  quote:
    'Implementations SHOULD support TLS 1.3 [RFC8446] and, if implemented, MUST prefer to negotiate TLS 1.3 ' +
    'over earlier versions of TLS.',
  source: 'V',
})

const WSS = must('TS 24.371 A.3.2 step 2; RFC 7118 §9.1', {
  id: 'R06',
  quote:
    'The WIC opens a WSS (secure Web Socket) connection to the eP-CSCF. The TLS connection provides one-way ' +
    'authentication of the server based on the server certificate.',
  source: 'V',
})

const NOT_SUPPORTED = must('TS 33.210 §6.2.1 (through TS 33.203 Annex X); RFC 8996 §2-§3; RFC 9325 §3.1.1', {
  id: 'R07',
  quote:
    'SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported. (RFC 8996 §2 and §3 [R]: ' +
    '"TLS 1.0 MUST NOT be used", "TLS 1.1 MUST NOT be used".)',
  source: 'V',
})

/** `TLSv1` → `TLS 1.0`: the names the requirement uses. */
export function tlsName(version: SecureVersion): string {
  return version === 'TLSv1' ? 'TLS 1.0' : version.replace('TLSv', 'TLS ')
}

function offered(outcome: TlsOutcome): string {
  return outcome.offered.map(tlsName).join(', ')
}

function what(outcome: TlsOutcome): string {
  switch (outcome.stage) {
    case 'connected':
      return 'the TLS handshake completed and the WebSocket upgraded (101, sip)'
    case 'upgrade-refused':
      return `the TLS handshake completed and the upgrade was answered with HTTP ${outcome.status ?? '?'}`
    case 'tls-refused':
      return `the TLS handshake failed: ${outcome.error?.message ?? 'no detail'}`
  }
}

/**
 * R07 then R06: a WIC offering only TLS 1.2 (MUST) or TLS 1.3 (SHOULD, RFC 9325 §3.1.1) completes TLS, validating
 * the eP-CSCF's certificate (chain to the profile's CA, host name), and opens its SIP WebSocket from the authorized
 * origin. A refused TLS 1.3-only handshake is a WARN, and then there is no WebSocket to judge.
 */
export function checkTlsAccepted(outcome: TlsOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no TLS connection was attempted in this scenario')
  const refusal = () =>
    `expected the eP-CSCF to complete TLS with a WIC offering only ${offered(outcome)}, but ${what(outcome)}`
  if (outcome.offered.length > 0 && outcome.offered.every((v) => v === 'TLSv1.3')) {
    if (!adviseThat(outcome.stage !== 'tls-refused', TLS13, refusal)) return
  } else expectThat(outcome.stage !== 'tls-refused', SUPPORTED, refusal)
  expectThat(
    outcome.stage === 'connected',
    WSS,
    () =>
      `expected the eP-CSCF to open the WIC's secure WebSocket from the authorized origin over ${offered(outcome)}, but ${what(outcome)}`,
  )
}

/**
 * R07: "SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported": a WIC offering only
 * such a version fails at the TLS handshake, before any HTTP (let alone SIP) is exchanged.
 */
export function checkTlsRefused(outcome: TlsOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no TLS connection was attempted in this scenario')
  expectThat(
    outcome.stage === 'tls-refused',
    NOT_SUPPORTED,
    () =>
      `expected the eP-CSCF to refuse the TLS handshake of a WIC offering only ${offered(outcome)}, but ${what(outcome)}`,
  )
}
