/**
 * Types for the part of npm `sip` 0.0.6 (kirm/sip.js, no types of its own) that the parser bench calls:
 * `parse(text)` returns the message with every known header parsed, or undefined when it cannot parse it.
 */
declare module 'sip' {
  export interface ParsedSipMessage {
    method?: string
    uri?: string
    status?: number
    reason?: string
    version: string
    /** Lower-case long names; Via, Contact, Route... as arrays of parsed values, unknown headers comma-joined. */
    headers: Record<string, unknown>
    content: string
  }
  export function parse(text: string): ParsedSipMessage | undefined
}
