import type { Param } from './params.ts'
/** SIP-URI (RFC 3261 §19.1, §25.1). TODO: implementation in progress. */
export interface SipUri {
  scheme: string
  user?: string
  password?: string
  host: string
  port?: number
  params: Param[]
  headers?: string
  opaque?: string
  raw: string
}
export function parseUri(_text: string): SipUri {
  throw new Error('TODO')
}
export function formatUri(_uri: SipUri): string {
  throw new Error('TODO')
}
