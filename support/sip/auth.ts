import type { Param } from './params.ts'
/** Authorization / WWW-Authenticate values (RFC 7235 §2.1). TODO: implementation in progress. */
export interface AuthValue {
  scheme: string
  params: Param[]
  token68?: string
  raw: string
}
export function parseAuthValue(_value: string): AuthValue {
  throw new Error('TODO')
}
export function formatAuthValue(_a: { scheme: string; params?: readonly Param[]; token68?: string }): string {
  throw new Error('TODO')
}
