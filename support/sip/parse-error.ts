import { HarnessError } from '../errors.ts'

/** A message or header that does not follow the RFC 3261 §25 grammar. `offset` is in the text parsed. */
export class SipParseError extends HarnessError {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly context = 'message',
  ) {
    super('SIP_PARSE_FAILED', `${context}: ${reason} (at offset ${offset})`)
  }
}
