import type { SipRequest, SipResponse } from './message.ts'
/** Response construction (RFC 3261 §8.2.6). TODO: implementation in progress. */
export function createResponse(_request: SipRequest, _status: number, _reason?: string): SipResponse {
  throw new Error('TODO')
}
export function reasonPhrase(_status: number): string {
  throw new Error('TODO')
}
