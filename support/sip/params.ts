/** Generic parameters (RFC 3261 §25.1 generic-param). TODO: implementation in progress. */
export interface Param {
  readonly name: string
  readonly value: string | undefined
  readonly quoted: boolean
}
export function parseParams(_text: string): Param[] {
  throw new Error('TODO')
}
export function getParam(params: readonly Param[], name: string): string | undefined {
  const k = name.toLowerCase()
  return params.find((p) => p.name.toLowerCase() === k)?.value
}
export function hasParam(params: readonly Param[], name: string): boolean {
  const k = name.toLowerCase()
  return params.some((p) => p.name.toLowerCase() === k)
}
export function formatParams(params: readonly Param[]): string {
  return params
    .map((p) => (p.value === undefined ? `;${p.name}` : `;${p.name}=${p.quoted ? `"${p.value}"` : p.value}`))
    .join('')
}
