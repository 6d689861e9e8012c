import { SutProtocolError } from '../errors.ts'

/**
 * A message or header that does not follow the RFC 3261 §25 grammar. `offset` is in the text parsed. On the wire it
 * is the sender's fault (the harness's own messages are built, not parsed), hence the side of the SUT.
 */
export class SipParseError extends SutProtocolError {
  static override readonly code = 'SIP_PARSE_FAILED'
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly context = 'message',
  ) {
    super(`${context}: ${reason} (at offset ${offset})`)
  }
}
