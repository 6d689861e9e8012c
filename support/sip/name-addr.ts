import type { Param } from './params.ts'
import type { SipUri } from './uri.ts'
/** name-addr / addr-spec (RFC 3261 §20.10, §25.1). TODO: implementation in progress. */
export interface NameAddr {
  displayName?: string
  uri: SipUri
  params: Param[]
  raw: string
}
export function parseNameAddr(_value: string): NameAddr {
  throw new Error('TODO')
}
export function parseNameAddrList(_value: string): NameAddr[] {
  throw new Error('TODO')
}
export function formatNameAddr(_n: NameAddr): string {
  throw new Error('TODO')
}
