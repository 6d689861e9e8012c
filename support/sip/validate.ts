/**
 * Message-level checks done while parsing: the header fields a SIP element must be able to read before it can even
 * answer 400 are parsed against their RFC 3261 §25.1 grammar, and the single-valued ones must not conflict.
 * RFC 3261 §7.3.1: header fields whose values are not comma-separated lists (To, From, Call-ID, CSeq, Max-Forwards,
 * Content-Length) cannot appear more than once; RFC 4475 §3.3.8 and §3.3.9 expect a 400 for conflicting values.
 */
import { canonicalHeaderName } from './compact-names.ts'
import { parseCSeq } from './cseq.ts'
import type { HeaderField } from './message.ts'
import { parseNameAddr, parseNameAddrListDetailed } from './name-addr.ts'
import { SipParseError } from './parse-error.ts'
import { parseViaList } from './via.ts'

/** A header field with where its value starts in the text parsed. */
export interface LocatedField {
  readonly field: HeaderField
  readonly valueOffset: number
}

/**
 * callid = word [ "@" word ]; word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" /
 * ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
 */
const WORD = String.raw`[A-Za-z0-9\-.!%*_+\`'~()<>:\\"/[\]?{}]+`
const CALL_ID = new RegExp(`^${WORD}(?:@${WORD})?$`)
/** rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17: "the time zone MUST be GMT") */
const DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/

const SINGLE_VALUED = new Set(['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length'])
/**
 * RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the following header
 * fields: To, From, CSeq, Call-ID, Max-Forwards, and Via". Max-Forwards is left out here on purpose: RFC 4475 §3.4
 * (inv2543) is an RFC 2543 request without it that "must still be accepted"; whether a SUT sends it is a
 * conformance expectation, not a parse failure.
 */
const MANDATORY: ReadonlyArray<readonly [string, string]> = [
  ['via', 'Via'],
  ['from', 'From'],
  ['to', 'To'],
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
]

export interface Validated {
  /** The Content-Length value, when the header is present. */
  readonly contentLength: number | undefined
}

function check(name: string, value: string, method: string | undefined): void {
  switch (name) {
    case 'via':
      parseViaList(value)
      return
    case 'from':
    case 'to':
      parseNameAddr(value)
      return
    case 'call-id':
      if (!CALL_ID.test(value)) throw new SipParseError('not a "word[@word]" Call-ID', 0, 'Call-ID')
      return
    case 'cseq': {
      const cseq = parseCSeq(value)
      // RFC 3261 §8.1.1.5: "The method MUST match that of the request."
      if (method !== undefined && cseq.method !== method) {
        throw new SipParseError(
          `CSeq method "${cseq.method}" does not match the request method "${method}"`,
          0,
        )
      }
      return
    }
    case 'max-forwards':
      // RFC 3261 §20.22: "The Max-Forwards value is an integer in the range 0-255".
      if (!/^\d+$/.test(value) || Number(value) > 255) {
        throw new SipParseError(`"${value.slice(0, 40)}" is not an integer 0-255`, 0)
      }
      return
    case 'content-length':
      if (!/^\d+$/.test(value))
        throw new SipParseError(`"${value.slice(0, 40)}" is not a non-negative integer`, 0)
      return
    case 'contact':
      // Contact = ("Contact" / "m" ) HCOLON ( STAR / (contact-param *(COMMA contact-param)))
      if (value !== '*') parseNameAddrListDetailed(value)
      return
    case 'route':
    case 'record-route':
      // route-param = name-addr *( SEMI rr-param ): the URI is always in angle brackets.
      for (const p of parseNameAddrListDetailed(value)) {
        if (!p.bracketed) throw new SipParseError('URI must be enclosed in "<>" (name-addr form)', 0)
      }
      return
    case 'date':
      if (!DATE.test(value)) throw new SipParseError('not an RFC 1123 date in GMT', 0)
      return
    default:
      return
  }
}

/** Validates the header fields of a request (`method` given) or a response. */
export function validateHeaders(fields: readonly LocatedField[], method: string | undefined): Validated {
  const first = new Map<string, LocatedField>()
  for (const located of fields) {
    const { field, valueOffset } = located
    const name = canonicalHeaderName(field.name)
    try {
      check(name, field.value, method)
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error
      throw new SipParseError(
        `invalid ${field.name} header field: ${error.reason}`,
        valueOffset + error.offset,
      )
    }
    const earlier = first.get(name)
    if (earlier === undefined) {
      first.set(name, located)
    } else if (SINGLE_VALUED.has(name) && !sameValue(name, earlier.field.value, field.value)) {
      throw new SipParseError(
        `conflicting ${field.name} header fields ("${earlier.field.value}" and "${field.value}")`,
        valueOffset,
      )
    }
  }
  const missing = MANDATORY.filter(([key]) => !first.has(key)).map(([, label]) => label)
  if (missing.length > 0) {
    throw new SipParseError(`missing mandatory header field(s): ${missing.join(', ')} (RFC 3261 §8.1.1)`, 0)
  }
  const cl = first.get('content-length')
  return { contentLength: cl === undefined ? undefined : Number(cl.field.value) }
}

function sameValue(name: string, a: string, b: string): boolean {
  if (name === 'content-length') return Number(a) === Number(b)
  return a.replace(/[ \t]+/g, ' ') === b.replace(/[ \t]+/g, ' ')
}
