import { HarnessError, type HarnessErrorCode } from '../errors.ts'

/**
 * The WIC could not open its WebSocket to the eP-CSCF. `code` is `WS_HANDSHAKE_FAILED` when the server answered
 * the upgrade with an HTTP error (`status` set: 403 for a refused Origin, RFC 6455 §4.2.2 / §10.2), otherwise
 * the transport's code (`TRANSPORT_FAILED` for TCP or TLS failures, naming the TLS error).
 */
export class WicConnectError extends HarnessError {
  constructor(
    code: HarnessErrorCode,
    message: string,
    readonly url: string,
    readonly status?: number | undefined,
    readonly responseHeaders?: Readonly<Record<string, string | string[] | undefined>> | undefined,
    readonly responseBody?: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}
