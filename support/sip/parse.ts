import type { SipRequest, SipResponse } from './message.ts'
/** SIP message parser (RFC 3261 §7, §25). TODO: implementation in progress. */
export function parseMessage(_text: string): SipRequest | SipResponse {
  throw new Error('TODO')
}
