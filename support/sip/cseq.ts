/**
 * CSeq, RFC 3261 §20.16: "CSeq = "CSeq" HCOLON 1*DIGIT LWS Method". RFC 3261 §8.1.1.5: "The sequence number value
 * MUST be expressible as a 32-bit unsigned integer and MUST be less than 2**31."
 */
import { isToken } from './lex.ts'
import { SipParseError } from './parse-error.ts'

const CSEQ = /^(\d+)[ \t]+(\S+)$/

export function parseCSeq(value: string): { seq: number; method: string } {
  const m = CSEQ.exec(value.trim())
  if (!m) throw new SipParseError('CSeq is not "<number> <method>"', 0, 'CSeq')
  const [, digits = '', method = ''] = m
  if (!isToken(method))
    throw new SipParseError(`CSeq method "${method}" is not a token`, digits.length, 'CSeq')
  const seq = Number(digits)
  if (digits.length > 10 || seq >= 2 ** 31) {
    throw new SipParseError(
      `CSeq sequence number ${digits} is not less than 2**31 (RFC 3261 §8.1.1.5)`,
      0,
      'CSeq',
    )
  }
  return { seq, method }
}
