import type { Requirement } from './checks/requirement.ts'

/**
 * Error vocabulary of the harness: one class per kind of failure, grouped by the side that is at fault (as jose
 * groups its errors: a class per condition, each with a stable static `code`). Reports and exit codes are decided
 * by `side`, read from the class; never by a code string or by message text.
 *
 * The sides, and the verdict each gives a scenario (after TTCN-3's verdicts, ETSI ES 201 873-1 §24: pass,
 * inconc, fail, error):
 * - `sut`: the system under test broke a requirement it MUST meet → FAIL (non-conformance, exit 1).
 * - `inconclusive`: the SUT gave no evidence either way (no answer before the deadline, a connection it closed, a
 *   precondition it did not meet) → INCONCLUSIVE (exit 1: conformance was not shown).
 * - `environment`: the run cannot judge the SUT (it did not start, it died, a port is taken, Docker is gone)
 *   → ENVIRONMENT ERROR (exit 3).
 * - `harness`: the harness or its input is wrong (a profile field, a step used out of order) → HARNESS ERROR
 *   (exit 2 for a profile, 4 otherwise).
 */
export type Side = 'sut' | 'inconclusive' | 'environment' | 'harness'

/** Stable codes, one per class (tests may assert on them; reports do not need them). */
export type HarnessErrorCode =
  | 'CONFORMANCE_FAILED'
  | 'SIP_PARSE_FAILED'
  | 'SUT_PROTOCOL_VIOLATION'
  | 'SIP_MESSAGE_TOO_LARGE'
  | 'SIP_TIMEOUT_AWAITING'
  | 'SIP_TRANSACTION_TIMEOUT'
  | 'TRANSPORT_FAILED'
  | 'TLS_HANDSHAKE_FAILED'
  | 'TRANSPORT_CLOSED'
  | 'WS_HANDSHAKE_FAILED'
  | 'PRECONDITION_FAILED'
  | 'SUT_START_FAILED'
  | 'SUT_DIED'
  | 'SUT_UNREACHABLE'
  | 'ENVIRONMENT_MISSING'
  | 'TLS_CERTIFICATE_REJECTED'
  | 'INTERRUPTED'
  | 'PROFILE_INVALID'
  | 'TOKEN_INVALID'
  | 'SCENARIO_MISUSE'

/** Base of every error the harness raises. The message starts with the code, so a log line says what it is. */
export abstract class HarnessError extends Error {
  static readonly code: HarnessErrorCode
  abstract readonly side: Side
  readonly code: HarnessErrorCode

  constructor(message: string, options?: { cause?: unknown }) {
    const code = (new.target as unknown as { code: HarnessErrorCode }).code
    super(`${code}: ${message}`, options)
    this.code = code
    this.name = new.target.name
  }
}

// ---- side: the system under test (FAIL) -----------------------------------------------------------------------

/** The SUT broke a requirement it MUST meet; `requirement` names the check, its level and clause. */
export class ConformanceFailure extends HarnessError {
  static override readonly code = 'CONFORMANCE_FAILED'
  readonly side = 'sut'
  /** The raw text of the message the check judged, when it named one (see the constructor's `judged`). */
  readonly judgedRaw: string | undefined
  constructor(
    readonly requirement: Requirement,
    readonly detail: string,
    options?: {
      cause?: unknown
      /**
       * The message the check judged, as the harness received it (its raw text), when the check had one: the
       * scenario's ladder blames exactly that message rather than one chosen from the failure's wording.
       */
      judged?: { readonly raw?: string | undefined } | undefined
    },
  ) {
    super(
      `${detail} [${requirement.level} ${requirement.clause}${requirement.id ? ` (${requirement.id})` : ''}]`,
      options,
    )
    this.judgedRaw = options?.judged?.raw
  }
}

/** A message or header from the wire that does not follow the RFC 3261 §25 grammar (see SipParseError). */
export abstract class SutProtocolError extends HarnessError {
  readonly side = 'sut'
}

/**
 * The SUT sent more than the harness keeps of one message (a WebSocket message over `maxPayload`, a stream
 * message whose Content-Length or header section exceeds the limit): the message was cut, never buffered whole.
 * RFC 7118 §5.1 maps one SIP message to one WebSocket message, and no SIP message of this suite comes near the
 * limit, so the size itself is the SUT's fault. `bytes` is the size announced (frame header, Content-Length).
 */
export class OversizeMessage extends SutProtocolError {
  static override readonly code = 'SIP_MESSAGE_TOO_LARGE'
  readonly bytes: number | undefined
  readonly limit: number | undefined
  constructor(message: string, options?: { cause?: unknown; bytes?: number; limit?: number }) {
    super(message, options)
    this.bytes = options?.bytes
    this.limit = options?.limit
  }
}

// ---- side: inconclusive (no evidence) --------------------------------------------------------------------------

export abstract class InconclusiveError extends HarnessError {
  readonly side = 'inconclusive'
}

/** A deadline passed while awaiting something from someone; the message says what was awaited and what arrived. */
export class NoAnswer extends InconclusiveError {
  static override readonly code = 'SIP_TIMEOUT_AWAITING'
}

/** A client transaction timed out (RFC 3261 Timer B/F): no final response arrived. */
export class TransactionTimeout extends InconclusiveError {
  static override readonly code = 'SIP_TRANSACTION_TIMEOUT'
}

/** A connection could not be opened or a message could not be sent (TCP refused, reset, DNS, a send error). */
export class TransportFailed extends InconclusiveError {
  static override readonly code = 'TRANSPORT_FAILED'
}

/** The TLS handshake itself failed (an alert, a certificate the client rejects, a close before TLS completed). */
export class TlsHandshakeFailed extends InconclusiveError {
  static override readonly code = 'TLS_HANDSHAKE_FAILED'
}

/** The peer closed the connection while the harness still awaited something on it. */
export class TransportClosed extends InconclusiveError {
  static override readonly code = 'TRANSPORT_CLOSED'
}

/** The WebSocket upgrade was answered with an HTTP error, or a 101 the client must reject (RFC 6455 §4.1). */
export class HandshakeRefused extends InconclusiveError {
  static override readonly code = 'WS_HANDSHAKE_FAILED'
}

/**
 * A `Given` step could not establish what the scenario needs (e.g. Alice could not register): the scenario's own
 * requirement was not exercised. The cause (often a ConformanceFailure of another requirement) is kept.
 */
export class PreconditionFailed extends InconclusiveError {
  static override readonly code = 'PRECONDITION_FAILED'
}

// ---- side: the environment (ENVIRONMENT ERROR) ---------------------------------------------------------------

export abstract class EnvironmentError extends HarnessError {
  readonly side = 'environment'
}

export class SutStartFailed extends EnvironmentError {
  static override readonly code = 'SUT_START_FAILED'
}

export class SutDied extends EnvironmentError {
  static override readonly code = 'SUT_DIED'
}

/** An external SUT stopped answering on its addresses (its health probe failed after a transport failure). */
export class SutUnreachable extends EnvironmentError {
  static override readonly code = 'SUT_UNREACHABLE'
}

/** A program, image, engine or port the run needs is not there (kamailio not installed, Docker gone, port taken). */
export class EnvironmentMissing extends EnvironmentError {
  static override readonly code = 'ENVIRONMENT_MISSING'
}

/**
 * The harness's WIC rejected the eP-CSCF's certificate at the TLS handshake (`tlsCode`, the OpenSSL / Node code
 * carried as data: e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID). The SUT
 * refused nothing: the profile's CA or server name (`epcscf.tls.ca`, `epcscf.wss.serverName`) or the test PKI does
 * not match the certificate the SUT serves, so no verdict on the SUT can be given (never a FAIL).
 */
export class ServerCertificateRejected extends EnvironmentError {
  static override readonly code = 'TLS_CERTIFICATE_REJECTED'
  readonly tlsCode: string | undefined
  constructor(message: string, options?: { cause?: unknown; tlsCode?: string }) {
    super(message, options)
    const cause = options?.cause
    this.tlsCode =
      options?.tlsCode ?? (cause instanceof ServerCertificateRejected ? cause.tlsCode : undefined)
  }
}

/** The run was stopped (Ctrl-C, SIGTERM) before the scenario could finish. */
export class Interrupted extends EnvironmentError {
  static override readonly code = 'INTERRUPTED'
}

// ---- side: the harness or its input (HARNESS ERROR) -----------------------------------------------------------

export abstract class HarnessInputError extends HarnessError {
  readonly side = 'harness'
}

/** The profile or the command line is wrong (exit code 2); the message names the field, the value and the rule. */
export class ProfileError extends HarnessInputError {
  static override readonly code = 'PROFILE_INVALID'
}

/** The mock WWSF gave no usable token (the harness's own mock failed). */
export class TokenError extends HarnessInputError {
  static override readonly code = 'TOKEN_INVALID'
}

/** A step was used out of order (e.g. a Then before the When it reads): a defect of the feature file. */
export class ScenarioMisuse extends HarnessInputError {
  static override readonly code = 'SCENARIO_MISUSE'
}

/** The side of any thrown value: a HarnessError says so; anything else is a defect of the harness. */
export function sideOf(error: unknown): Side {
  return error instanceof HarnessError ? error.side : 'harness'
}

/** The same kind of error with another message (context added in front); the original is kept as the cause. */
export function rewrap(error: HarnessError, message: string): HarnessError {
  if (error instanceof ConformanceFailure)
    return new ConformanceFailure(error.requirement, message, { cause: error })
  const Kind = error.constructor as new (message: string, options?: { cause?: unknown }) => HarnessError
  return new Kind(message, { cause: error })
}

/**
 * The side of an error known only by its class name (cucumber's message stream records `exception.type`, the
 * error's name): the classes of this file (the ones a BeforeAll hook throws), by name; any other is the harness's.
 * Scenarios do not need it: their verdict.json records the side.
 */
export function sideOfClass(name: string): Side {
  const classes = [
    ConformanceFailure,
    NoAnswer,
    TransactionTimeout,
    TransportFailed,
    TlsHandshakeFailed,
    TransportClosed,
    HandshakeRefused,
    PreconditionFailed,
    SutStartFailed,
    SutDied,
    SutUnreachable,
    EnvironmentMissing,
    ServerCertificateRejected,
    Interrupted,
    ProfileError,
    TokenError,
    ScenarioMisuse,
    OversizeMessage,
  ]
  const match = classes.find((kind) => kind.name === name)
  return match === undefined ? 'harness' : sideByBase(match.prototype)
}

function sideByBase(prototype: HarnessError): Side {
  if (prototype instanceof ConformanceFailure || prototype instanceof SutProtocolError) return 'sut'
  if (prototype instanceof EnvironmentError) return 'environment'
  if (prototype instanceof InconclusiveError) return 'inconclusive'
  return 'harness'
}
