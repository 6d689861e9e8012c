import type { SecureVersion } from 'node:tls'
import { ScenarioMisuse, type HarnessError } from '../errors.ts'
import { expectThat } from './expectations.ts'
import { must } from './requirement.ts'

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

const SUPPORTED = must('TS 33.210 §6.2.1 (through TS 33.203 Annex X); TS 24.371 A.3.2 step 2', {
  id: 'R07',
  quote:
    'TLS 1.2 as specified in RFC 5246 shall be supported. TLS 1.3 as specified in RFC 8446 shall be supported.',
  source: 'V',
})

const WSS = must('TS 24.371 A.3.2 step 2; RFC 7118 §9.1', {
  id: 'R06',
  quote:
    'The WIC opens a WSS (secure Web Socket) connection to the eP-CSCF. The TLS connection provides one-way ' +
    'authentication of the server based on the server certificate.',
  source: 'V',
})

const NOT_SUPPORTED = must('TS 33.210 §6.2.1 (through TS 33.203 Annex X)', {
  id: 'R07',
  quote: 'SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported.',
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
 * R07 then R06: a WIC offering only a version the eP-CSCF must support (TLS 1.2, TLS 1.3: "shall be supported")
 * completes TLS, validating the eP-CSCF's certificate (chain to the profile's CA, host name), and opens its SIP
 * WebSocket from the authorized origin.
 */
export function checkTlsAccepted(outcome: TlsOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no TLS connection was attempted in this scenario')
  expectThat(
    outcome.stage !== 'tls-refused',
    SUPPORTED,
    () =>
      `expected the eP-CSCF to complete TLS with a WIC offering only ${offered(outcome)}, but ${what(outcome)}`,
  )
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
