import type { SecureVersion } from 'node:tls'
import type { HarnessError } from '../errors.ts'
import { expectThat } from './expectations.ts'

/** Checks of the W2 transport security (TS 33.210 §6.2.1, TS 24.371 A.3.2 step 2, RFC 7118 §10.1; R06, R07). */

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

const VERSIONS = 'TS 33.210 §6.2.1, interop contract "TLS 1.2 or 1.3 only" (R07)'

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
 * R06/R07: a WIC offering only a version the eP-CSCF must support (TLS 1.2, TLS 1.3: "shall be supported")
 * completes TLS, validating the eP-CSCF's certificate (chain to the profile's CA, host name), and opens its SIP
 * WebSocket from the authorized origin.
 */
export function checkTlsAccepted(outcome: TlsOutcome | undefined): void {
  expectThat(outcome !== undefined, VERSIONS, () => 'no TLS connection was attempted in this scenario')
  expectThat(
    outcome.stage === 'connected',
    `${VERSIONS}; TS 24.371 A.3.2 step 2 (R06)`,
    () =>
      `expected the eP-CSCF to accept a WIC offering only ${offered(outcome)} with a certificate the WIC validates, but ${what(outcome)}`,
  )
}

/**
 * R07: "SSL 1.0, SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0 shall not be supported": a WIC offering only
 * such a version fails at the TLS handshake, before any HTTP (let alone SIP) is exchanged.
 */
export function checkTlsRefused(outcome: TlsOutcome | undefined): void {
  expectThat(outcome !== undefined, VERSIONS, () => 'no TLS connection was attempted in this scenario')
  expectThat(
    outcome.stage === 'tls-refused',
    VERSIONS,
    () =>
      `expected the eP-CSCF to refuse the TLS handshake of a WIC offering only ${offered(outcome)}, but ${what(outcome)}`,
  )
}
