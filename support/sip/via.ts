import type { SipMessage } from './message.ts'
import type { Param } from './params.ts'
/** Via (RFC 3261 §20.42). TODO: implementation in progress. */
export interface Via {
  protocol: string
  transport: string
  host: string
  port?: number
  params: Param[]
  branch?: string
  raw: string
}
export function parseViaList(_value: string): Via[] {
  throw new Error('TODO')
}
export function viasOf(_message: SipMessage): Via[] {
  throw new Error('TODO')
}
export function formatVia(_v: Via): string {
  throw new Error('TODO')
}
