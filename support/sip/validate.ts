/**
 * Message-level checks done while parsing: the header fields a SIP element must be able to read before it can even
 * answer 400 are parsed against their RFC 3261 §25.1 grammar, and the single-valued ones must not conflict.
 * RFC 3261 §7.3.1: header fields whose values are not comma-separated lists (To, From, Call-ID, CSeq, Max-Forwards,
 * Content-Length) cannot appear more than once; RFC 4475 §3.3.8 and §3.3.9 expect a 400 for conflicting values.
 */
import { isDigits, matchesClass, WORD } from './chars.ts'
import { parseCSeq } from './cseq.ts'
import type { HeaderField } from './message.ts'
import { parseNameAddr, parseNameAddrListDetailed } from './name-addr.ts'
import { SipParseError } from './parse-error.ts'
import { isPlainCSeq, isPlainNameAddr, isPlainVia } from './plain-scan.ts'
import { parseViaList } from './via.ts'

/**
 * callid = word [ "@" word ]; word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" /
 * ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
 */
function isCallId(text: string, a: number, b: number): boolean {
  const at = text.indexOf('@', a)
  if (at < 0 || at >= b) return matchesClass(text, a, b, WORD, false)
  return matchesClass(text, a, at, WORD, false) && matchesClass(text, at + 1, b, WORD, false)
}
/** rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17: "the time zone MUST be GMT") */
const DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/

/**
 * The header fields validated while parsing, by kind. VIA to CONTENT_LENGTH are tracked (index kind - 1): the
 * mandatory ones and, from FROM on, the single-valued ones.
 */
const OTHER = 0
const VIA = 1
const FROM = 2
const TO = 3
const CALL_ID = 4
const CSEQ = 5
const MAX_FORWARDS = 6
const CONTENT_LENGTH = 7
const CONTACT = 8
const ROUTE = 9
const RECORD_ROUTE = 10
const DATE_KIND = 11
const TRACKED = 7

/** Whether text[a, b) equals the lower-case ASCII `lower`, ignoring case. */
function named(text: string, a: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++)
    if ((text.charCodeAt(a + i) | 0x20) !== lower.charCodeAt(i)) return false
  return true
}

/**
 * The kind of the header field named text[a, b) as written (compact forms included, RFC 3261 §7.3.3), read
 * without a copy of the name. Names are tokens, so OR-ing 0x20 folds case without making two names equal.
 */
export function headerKind(text: string, a: number, b: number): number {
  switch (b - a) {
    case 1:
      switch (text.charCodeAt(a) | 0x20) {
        case 0x76:
          return VIA
        case 0x66:
          return FROM
        case 0x74:
          return TO
        case 0x69:
          return CALL_ID
        case 0x6d:
          return CONTACT
        case 0x6c:
          return CONTENT_LENGTH
        default:
          return OTHER
      }
    case 2:
      return named(text, a, 'to') ? TO : OTHER
    case 3:
      return named(text, a, 'via') ? VIA : OTHER
    case 4:
      return named(text, a, 'from')
        ? FROM
        : named(text, a, 'cseq')
          ? CSEQ
          : named(text, a, 'date')
            ? DATE_KIND
            : OTHER
    case 5:
      return named(text, a, 'route') ? ROUTE : OTHER
    case 7:
      return named(text, a, 'call-id') ? CALL_ID : named(text, a, 'contact') ? CONTACT : OTHER
    case 12:
      return named(text, a, 'max-forwards')
        ? MAX_FORWARDS
        : named(text, a, 'record-route')
          ? RECORD_ROUTE
          : OTHER
    case 14:
      return named(text, a, 'content-length') ? CONTENT_LENGTH : OTHER
    default:
      return OTHER
  }
}
/**
 * RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the following header
 * fields: To, From, CSeq, Call-ID, Max-Forwards, and Via". Max-Forwards is left out here on purpose: RFC 4475 §3.4
 * (inv2543) is an RFC 2543 request without it that "must still be accepted"; whether a SUT sends it is a
 * conformance expectation, not a parse failure.
 */
const MANDATORY: ReadonlyArray<readonly [number, string]> = [
  [VIA, 'Via'],
  [FROM, 'From'],
  [TO, 'To'],
  [CALL_ID, 'Call-ID'],
  [CSEQ, 'CSeq'],
]

export interface Validated {
  /** The Content-Length value, when the header is present. */
  readonly contentLength: number | undefined
}

/**
 * Checks one header field value, which is text[a, b) (the message text itself, so that the scan runs over a flat
 * string; for a folded field it is the unfolded value). The plain recognisers answer for the common spellings; the
 * full parsers read the rest and throw the reason of a defect.
 */
function check(
  kind: number,
  value: string,
  text: string,
  a: number,
  b: number,
  method: string | undefined,
): void {
  switch (kind) {
    case VIA:
      if (!isPlainVia(text, a, b)) parseViaList(value)
      return
    case FROM:
    case TO:
      if (!isPlainNameAddr(text, a, b)) parseNameAddr(value)
      return
    case CALL_ID:
      if (!isCallId(text, a, b)) throw new SipParseError('not a "word[@word]" Call-ID', 0, 'Call-ID')
      return
    case CSEQ: {
      if (isPlainCSeq(text, a, b, method)) return
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
    case MAX_FORWARDS:
      // RFC 3261 §20.22: "The Max-Forwards value is an integer in the range 0-255".
      if (!isDigits(text, a, b) || Number(value) > 255) {
        throw new SipParseError(`"${value.slice(0, 40)}" is not an integer 0-255`, 0)
      }
      return
    case CONTENT_LENGTH:
      if (!isDigits(text, a, b))
        throw new SipParseError(`"${value.slice(0, 40)}" is not a non-negative integer`, 0)
      return
    case CONTACT:
      // Contact = ("Contact" / "m" ) HCOLON ( STAR / (contact-param *(COMMA contact-param)))
      if (value !== '*' && !isPlainNameAddr(text, a, b)) parseNameAddrListDetailed(value)
      return
    case ROUTE:
    case RECORD_ROUTE:
      // route-param = name-addr *( SEMI rr-param ): the URI is always in angle brackets.
      if (isPlainNameAddr(text, a, b)) return
      for (const p of parseNameAddrListDetailed(value)) {
        if (!p.bracketed) throw new SipParseError('URI must be enclosed in "<>" (name-addr form)', 0)
      }
      return
    case DATE_KIND:
      if (!DATE.test(value)) throw new SipParseError('not an RFC 1123 date in GMT', 0)
      return
    default:
      return
  }
}

/**
 * Validates the header fields of a request (`method` given) or a response parsed from `text`. `kinds` are their
 * headerKind()s, `offsets` where their values start in the text (for error positions) and `verbatim` whether the
 * value stands there as it is (not folded).
 */
export function validateHeaders(
  text: string,
  headers: readonly HeaderField[],
  kinds: readonly number[],
  offsets: readonly number[],
  verbatim: readonly boolean[],
  method: string | undefined,
): Validated {
  const first = new Array<HeaderField | undefined>(TRACKED).fill(undefined)
  for (let n = 0; n < headers.length; n++) {
    const field = headers[n] as HeaderField
    const kind = kinds[n] as number
    if (kind === OTHER) continue
    const valueOffset = offsets[n] as number
    const value = field.value
    try {
      if (verbatim[n]) check(kind, value, text, valueOffset, valueOffset + value.length, method)
      else check(kind, value, value, 0, value.length, method)
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error
      throw new SipParseError(
        `invalid ${field.name} header field: ${error.reason}`,
        valueOffset + error.offset,
      )
    }
    if (kind > TRACKED) continue
    const earlier = first[kind - 1]
    if (earlier === undefined) {
      first[kind - 1] = field
    } else if (kind !== VIA && !sameValue(kind, earlier.value, field.value)) {
      throw new SipParseError(
        `conflicting ${field.name} header fields ("${earlier.value}" and "${field.value}")`,
        valueOffset,
      )
    }
  }
  const missing: string[] = []
  for (const [kind, label] of MANDATORY) if (first[kind - 1] === undefined) missing.push(label)
  if (missing.length > 0) {
    throw new SipParseError(`missing mandatory header field(s): ${missing.join(', ')} (RFC 3261 §8.1.1)`, 0)
  }
  const cl = first[CONTENT_LENGTH - 1]
  return { contentLength: cl === undefined ? undefined : Number(cl.value) }
}

function sameValue(kind: number, a: string, b: string): boolean {
  if (kind === CONTENT_LENGTH) return Number(a) === Number(b)
  return a === b || a.replace(/[ \t]+/g, ' ') === b.replace(/[ \t]+/g, ' ')
}
