import type { IncomingHttpHeaders } from 'node:http'
import { HandshakeRefused } from '../errors.ts'

/**
 * The server answered the WebSocket opening handshake (RFC 6455 §4.1, RFC 7118 §4) but did not accept it:
 * a status other than 101, or a 101 that the client must reject (e.g. no subprotocol selected while `sip`
 * was requested). `status`, `headers` (lower-case names) and `body` are the server's answer.
 */
export class WsHandshakeError extends HandshakeRefused {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
    message: string,
  ) {
    super(message)
  }
}
