/** Identifiers (RFC 3261 §8.1.1.7, §19.3). TODO: implementation in progress. */
export function newBranch(): string {
  throw new Error('TODO')
}
export function newTag(): string {
  throw new Error('TODO')
}
export function newCallId(_host?: string): string {
  throw new Error('TODO')
}
export function newCnonce(): string {
  throw new Error('TODO')
}
