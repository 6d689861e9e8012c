/**
 * Error vocabulary of the harness. Every error carries a stable `code` (listed in the README); tests assert on
 * the code, never on message wording.
 *
 * Two sides:
 * - `HarnessError`: something the harness or its input got wrong (a bad profile, a malformed message, a wait that
 *   ran past its deadline). A conformance verdict is still possible.
 * - `EnvironmentError`: the run cannot judge the system under test (a process died, a port never opened, Docker
 *   is gone). Reports tag these `[ENVIRONMENT]` so that a red run is not mistaken for non-conformance.
 * A SUT that misbehaves fails an expectation (`ConformanceError`), which names the requirement it broke.
 */
export type HarnessErrorCode =
  | 'SIP_PARSE_FAILED'
  | 'SIP_TIMEOUT_AWAITING'
  | 'SIP_UNEXPECTED_MESSAGE'
  | 'SIP_TRANSACTION_TIMEOUT'
  | 'TRANSPORT_FAILED'
  | 'TRANSPORT_CLOSED'
  | 'WS_HANDSHAKE_FAILED'
  | 'TOKEN_INVALID'
  | 'PROFILE_INVALID'
  | 'SUT_START_FAILED'
  | 'SUT_DIED'
  | 'ENVIRONMENT_MISSING'
  | 'CONFORMANCE_FAILED'

export class HarnessError extends Error {
  constructor(
    readonly code: HarnessErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options)
    this.name = new.target.name
  }
}

/** The run cannot judge the system under test: the failure is the environment's, not the SUT's. */
export class EnvironmentError extends HarnessError {}

/** The system under test broke a requirement: `requirement` names the clause, e.g. `RFC 3327 §5`. */
export class ConformanceError extends HarnessError {
  constructor(
    readonly requirement: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONFORMANCE_FAILED', `${message} [${requirement}]`, options)
  }
}
