import { SipResponse, type HeaderField } from '../sip/message.ts'

/**
 * A 400 (Bad Request) for input that did not parse as a SIP message, when enough of it can be read to address a
 * response (RFC 3261 §8.2.6.2 copies Via, From, To, Call-ID and CSeq; §21.4.1: "The request could not be
 * understood due to malformed syntax. The Reason-Phrase SHOULD identify the syntax problem in more detail").
 * Returns undefined for a response, an ACK, or text without a Via: nothing can or may be answered then.
 */
export function badRequestFor(raw: string, problem: string): SipResponse | undefined {
  const [startLine = '', ...lines] = unfold(raw.split(/\r?\n\r?\n/, 1)[0] ?? '')
  const request = /^([A-Za-z!%*_+`'~.-]+) +\S+ +SIP\/\d+\.\d+\s*$/i.exec(startLine)
  if (request === null || request[1]?.toUpperCase() === 'ACK') return undefined
  const wanted: Readonly<Record<string, string>> = {
    via: 'Via',
    v: 'Via',
    from: 'From',
    f: 'From',
    to: 'To',
    t: 'To',
    'call-id': 'Call-ID',
    i: 'Call-ID',
    cseq: 'CSeq',
  }
  const headers: HeaderField[] = []
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = wanted[line.slice(0, colon).trim().toLowerCase()]
    if (name !== undefined) headers.push({ name, value: line.slice(colon + 1).trim() })
  }
  if (!headers.some((h) => h.name === 'Via')) return undefined
  headers.push({ name: 'Content-Length', value: '0' })
  // Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB): no CR or LF.
  const detail = problem.replace(/[\r\n\t]+/g, ' ').slice(0, 120)
  return new SipResponse({ status: 400, reason: `Bad Request - ${detail}`, headers })
}

/** Header lines with RFC 3261 §7.3.1 folding (CRLF followed by whitespace) undone. */
function unfold(head: string): string[] {
  const lines: string[] = []
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`
    else lines.push(line)
  }
  return lines
}
