import {
  EnvironmentMissing,
  ServerCertificateRejected,
  TlsHandshakeFailed,
  type HarnessError,
} from '../errors.ts'
import { errorText } from './base-flow.ts'

/**
 * Which side a failed TLS handshake belongs to, decided by the error code Node / OpenSSL carry as data
 * (`error.code`), never by the message text:
 * - the client (the harness) rejected the server's certificate: an X.509 verification code (Node's list,
 *   https://nodejs.org/api/tls.html "X509 certificate error codes") or a host name mismatch → ServerCertificateRejected
 *   (environment: the profile's CA / server name or the test PKI, not the SUT);
 * - the client could not offer what was asked (this OpenSSL has no TLS 1.0 at its security level) →
 *   EnvironmentMissing;
 * - anything else (an alert from the server such as protocol_version, a reset, a close before TLS completed) →
 *   TlsHandshakeFailed: the server ended the handshake.
 */
const CERTIFICATE_REJECTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** OpenSSL refused to build a ClientHello from the options given (nothing was sent to the server). */
const CLIENT_CANNOT_OFFER = new Set(['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_NO_CIPHERS_AVAILABLE'])

/** The code Node attaches to a TLS error (`error.code`), or undefined. */
export function tlsErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** The error for a TLS handshake that failed after TCP connected: `what` says which handshake. */
export function tlsFailure(what: string, error: unknown): HarnessError {
  const code = tlsErrorCode(error)
  if (code !== undefined && CERTIFICATE_REJECTED.has(code))
    return new ServerCertificateRejected(
      `${what}: the harness rejected the eP-CSCF's certificate (${errorText(error)}); check the ` +
        `profile's epcscf.tls.ca and epcscf.wss.serverName against the certificate the SUT serves`,
      { cause: error, tlsCode: code },
    )
  if (code !== undefined && CLIENT_CANNOT_OFFER.has(code))
    return new EnvironmentMissing(
      `${what}: this Node/OpenSSL cannot offer the TLS versions or ciphers asked for (${code}); nothing was sent`,
      { cause: error },
    )
  return new TlsHandshakeFailed(`${what}: TLS handshake error ${errorText(error)}`, { cause: error })
}
