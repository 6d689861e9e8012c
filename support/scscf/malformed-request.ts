import { canonicalHeaderName } from '../sip/compact-names.ts'
import type { SipRequest } from '../sip/message.ts'
import { warningValue, type RejectReason } from './reject-reason.ts'

/**
 * RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the following header
 * fields: To, From, CSeq, Call-ID, Max-Forwards, and Via". The parser already refuses a request without Via,
 * From, To, Call-ID or CSeq (it cannot be answered through a transaction); this names what else is missing from a
 * request that parsed, or undefined when it is complete.
 */
export function missingMandatory(request: SipRequest): string | undefined {
  if (!request.has('Max-Forwards')) return 'Max-Forwards'
  return undefined
}

const ECHOED = new Set(['via', 'from', 'to', 'call-id', 'cseq'])
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/

/**
 * A 400 for a request the parser refused, written from its raw text (RFC 3261 §8.2: a UAS answers a malformed
 * request with 400 where it can). Only the header fields a response echoes are copied, line by line, so the
 * sender can match it (§8.2.6.2); undefined when the input is not a request line with a Via, or is an ACK (never
 * answered, §17.2.1).
 */
export function badRequestFromRaw(raw: string, reason: RejectReason, agent?: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? ''
  const lines = head.split(/\r?\n/)
  const requestLine = REQUEST_LINE.exec((lines[0] ?? '').trim())
  if (!requestLine || requestLine[1]?.toUpperCase() === 'ACK') return undefined
  const unfolded: string[] = []
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`
    else unfolded.push(line)
  }
  const echoed = unfolded.filter((line) => {
    const colon = line.indexOf(':')
    return colon > 0 && ECHOED.has(canonicalHeaderName(line.slice(0, colon).trim()))
  })
  if (!echoed.some((line) => canonicalHeaderName(line.slice(0, line.indexOf(':')).trim()) === 'via'))
    return undefined
  const out = [
    'SIP/2.0 400 Bad Request',
    ...echoed.map(printable),
    `Warning: ${warningValue(reason, agent)}`,
    'Content-Length: 0',
  ]
  return `${out.join('\r\n')}\r\n\r\n`
}

/** The line without control characters (a hostile request must not inject bytes into our answer). */
function printable(line: string): string {
  return [...line].filter((c) => c === '\t' || (c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)).join('')
}
