/** CSeq (RFC 3261 §20.16). TODO: implementation in progress. */
export function parseCSeq(_value: string): { seq: number; method: string } {
  throw new Error('TODO')
}
