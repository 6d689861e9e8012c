/**
 * How much the harness keeps of one message from the wire, whatever the system under test sends. No SIP message
 * of this suite comes near 1 MiB (a WebRTC INVITE with SDP is about 3 kB; RFC 3261 §18.1.1 treats 1300 bytes as
 * large); a message above the limit is cut before it is buffered whole and becomes an OversizeMessage verdict.
 * `HARNESS_MAX_MESSAGE_BYTES` overrides the default (a vendor whose eP-CSCF sends large bodies on purpose).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** The limit in force: `HARNESS_MAX_MESSAGE_BYTES` when it is a positive whole number, else the default. */
export function maxMessageBytes(): number {
  return positiveInteger(process.env.HARNESS_MAX_MESSAGE_BYTES) ?? DEFAULT_MAX_MESSAGE_BYTES
}

/** Messages a flow queues before any handler is attached; older ones are dropped (and counted) beyond it. */
export const MAX_PENDING_INBOUND = 1000

export function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value)
  return n > 0 && Number.isSafeInteger(n) ? n : undefined
}

/** `94,371,840 bytes (90.0 MiB)`: a size as a person reads it. */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`
  if (bytes < 1024) return exact
  const units = ['KiB', 'MiB', 'GiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${exact} (${value.toFixed(1)} ${units[unit]})`
}
