import { HandshakeRefused } from '../errors.ts'

/**
 * The eP-CSCF answered the WIC's WebSocket upgrade with an HTTP error (`status`: 403 for a refused Origin, RFC 6455
 * §4.2.2 / §10.2), or with a 101 the WIC must reject. TCP, TLS and deadline failures keep their own classes.
 */
export class WicConnectError extends HandshakeRefused {
  constructor(
    message: string,
    readonly url: string,
    readonly status: number,
    readonly responseHeaders?: Readonly<Record<string, string | string[] | undefined>> | undefined,
    readonly responseBody?: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
