import { ScenarioMisuse } from '../errors.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should } from './requirement.ts'

/**
 * A WebSocket edge that survives hostile clients (issue 9 §5; RFC 6455 §5.1, §5.4, §7.4.1, §8.1, §10.4; RFC 7118
 * §5; RFC 4475 §3.1.2). The RFC 6455 sentences below are quoted from memory (source R) unless marked V.
 */

const FRAGMENTS = must('RFC 6455 §5.4; RFC 7118 §5', {
  id: 'R08',
  quote: 'Clients and servers MUST support receiving both fragmented and unfragmented messages.',
  source: 'R',
})
const MASKED = must('RFC 6455 §5.1', {
  id: 'R09',
  quote: 'The server MUST close the connection upon receiving a frame that is not masked.',
  source: 'V',
})
const UTF8 = must('RFC 6455 §8.1', {
  id: 'R08',
  quote:
    'When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a ' +
    'valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.',
  source: 'R',
})
const SURVIVES = must('RFC 6455 §10.4; RFC 3261 §16.3', {
  id: 'R73',
  quote:
    'Implementations that have implementation- and/or platform-specific limitations regarding the frame size or ' +
    'total message size after reassembly from multiple frames MUST protect themselves against exceeding those limits.',
  source: 'R',
})
/**
 * R73 under connection exhaustion (issue 9 §5, 1,000 half-open TLS connections). No RFC sentence obliges an edge to
 * stay available while connections are held open (RFC 6455 §10.4 is about frame and message sizes): this is the SA3
 * availability property the catalogue files under R73, held as a MUST by the harness itself, and said so.
 */
const SURVIVES_EXHAUSTION = must(
  "the SA3 availability of W2 to authorized WICs (catalogue R73; the harness's own requirement: no RFC sentence)",
  { id: 'R73' },
)
const CLOSE_CODE = (code: number, meaning: string) =>
  should('RFC 6455 §7.4.1', {
    quote: `${code} indicates that an endpoint is terminating the connection ${meaning}`,
  })
const BAD_REQUEST = should('RFC 4475 §3.1.2; RFC 3261 §16.3, §21.4.1', {
  id: 'R70',
  quote: 'An element receiving this request should respond with a 400 Bad Request.',
  source: 'R',
})

/** How the server ended (or did not end) the connection (support/wic/raw-frames.ts reports it). */
export interface CloseSeen {
  readonly how: 'close-frame' | 'closed' | 'open'
  readonly code?: number
  readonly reason?: string
}

/** The frame-level attacks and the close code RFC 6455 §7.4.1 gives each. */
export type FrameAttack = 'unmasked frame' | 'invalid UTF-8' | 'oversized message'

const EXPECTED_CODE: Readonly<Record<FrameAttack, { code: number; meaning: string }>> = {
  'unmasked frame': { code: 1002, meaning: 'due to a protocol error' },
  'invalid UTF-8': {
    code: 1007,
    meaning:
      'because it has received data within a message that was not consistent with the type of the message',
  },
  'oversized message': {
    code: 1009,
    meaning: 'because it has received a message that is too big for it to process',
  },
}

export interface FrameAttackOutcome {
  readonly attack: FrameAttack
  readonly close: CloseSeen
  /** A SIP answer that came back before the close, if any (first line). */
  readonly answered: string | undefined
  readonly waitedMs: number
}

function describeClose(close: CloseSeen, waitedMs: number): string {
  if (close.how === 'open') return `the connection was still open after ${waitedMs} ms`
  if (close.how === 'closed') return 'the connection was closed without a Close frame'
  return `a Close frame with ${close.code === undefined ? 'no code' : `code ${close.code}`}${close.reason ? ` (${close.reason})` : ''}`
}

/**
 * An unmasked frame (RFC 6455 §5.1) or invalid UTF-8 in a text frame (§8.1) fails the connection: closed, with or
 * without a Close frame; a Close frame's code SHOULD be the one §7.4.1 defines (1002, 1007). An oversized message
 * may be processed (the eP-CSCF's limit is its own) or refused with 1009.
 */
export function checkFrameAttackAnswered(outcome: FrameAttackOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no hostile frame was sent in this scenario')
  const { attack, close } = outcome
  const seen = () => describeClose(close, outcome.waitedMs)
  if (attack === 'unmasked frame')
    expectThat(
      close.how !== 'open',
      MASKED,
      () => `expected the eP-CSCF to close the connection, but ${seen()}`,
    )
  if (attack === 'invalid UTF-8')
    expectThat(
      close.how !== 'open',
      UTF8,
      () =>
        `expected the eP-CSCF to fail the WebSocket connection, but ${seen()}${outcome.answered ? `; it answered ${outcome.answered}` : ''}`,
    )
  const { code, meaning } = EXPECTED_CODE[attack]
  adviseThat(
    close.how !== 'close-frame' || close.code === code,
    CLOSE_CODE(code, meaning),
    () => `expected Close code ${code} after the ${attack}, got ${seen()}`,
  )
}

/** A REGISTER split over a text frame and continuation frames is processed: a SIP answer to it comes back. */
export function checkFragmentedProcessed(answer: string | undefined, callId: string, waitedMs: number): void {
  expectThat(
    answer !== undefined && answer.startsWith('SIP/2.0 ') && answer.includes(callId),
    FRAGMENTS,
    () =>
      `expected a SIP response to the REGISTER (Call-ID ${callId}) sent in three frames, but ` +
      (answer === undefined ? `none came within ${waitedMs} ms` : `got: ${answer.split('\r\n')[0] ?? ''}`),
  )
}

/** After the hostile input, a fresh WIC on a fresh WebSocket still registers (200). */
export interface SurvivalOutcome {
  readonly after: string
  /** The hostile input held connections open (connection exhaustion) rather than sending bad frames or messages. */
  readonly exhaustion?: boolean
  readonly status: number | undefined
  readonly error: string | undefined
}

export function checkEdgeSurvived(outcome: SurvivalOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no fresh WIC tried to register in this scenario')
  expectThat(
    outcome.status === 200,
    outcome.exhaustion === true ? SURVIVES_EXHAUSTION : SURVIVES,
    () =>
      `expected a fresh WIC to register (200) after the ${outcome.after}, but ` +
      (outcome.error === undefined ? `its registration ended ${outcome.status ?? '?'}` : outcome.error),
  )
}

/**
 * RFC 4475 §3.1.2 messages whose section lets an element be liberal and process the request (reasoned from
 * memory: §3.1.2.10 trailing SP in the Request-Line, .11 escaped headers in the Request-URI, .12 a Date not in GMT,
 * .14 spaces within an addr-spec, .15 a display name that is not a quoted-string): any answer is acceptable.
 */
const LENIENT_ALLOWED: ReadonlySet<string> = new Set(['trws', 'escruri', 'baddate', 'badaspec', 'baddn'])

/** An invalid RFC 4475 §3.1.2 request: a 400 (505 for badvers) when answered; dropping it is allowed. */
export function checkTortureAnswered(file: string, answer: string | undefined): void {
  const status = Number(/^SIP\/2\.0 (\d{3})/.exec(answer ?? '')?.[1] ?? 0)
  const due = file === 'badvers' ? [400, 505] : [400]
  adviseThat(
    answer === undefined || due.includes(status) || LENIENT_ALLOWED.has(file),
    BAD_REQUEST,
    () =>
      `expected ${due.join(' or ')} (or no answer) to RFC 4475 ${file}, got ${answer?.split('\r\n')[0] ?? ''}`,
  )
}

/**
 * RFC 7118 §5.1, recalled (the text could not be read here): "Each SIP message MUST be carried within a single
 * WebSocket message, and a WebSocket message MUST NOT contain more than one SIP message." A WebSocket message with
 * two SIP messages is the WIC's violation; the eP-CSCF may drop it, answer 400, close the connection, or process the
 * first and discard the bytes after its Content-Length (as RFC 3261 §18.3 has a message transport do). What it must
 * not do is take the second as a SIP message of its own: nothing of it may reach Mw.
 * Review note (2026-12-04): RFC 7118's sentence binds the sender; the receiver's MUST the FAIL rests on is RFC 3261
 * §18.3's for a message-oriented transport (a WebSocket message is one transport message), quoted first below.
 */
const ONE_SIP_MESSAGE = must('RFC 3261 §18.3 (the receiver); RFC 7118 §5.1 (the sender)', {
  id: 'R08',
  quote:
    'In the case of message-oriented transports (such as UDP), if the message has a Content-Length header field, ' +
    'the message body is assumed to contain that many bytes. If there are additional bytes in the transport packet ' +
    'beyond the end of the body, they MUST be discarded. [RFC 3261 §18.3] Each SIP message MUST be carried within ' +
    'a single WebSocket message, and a WebSocket message MUST NOT contain more than one SIP message. [RFC 7118 §5.1]',
  source: 'R',
})
const NOT_ANSWERED = should(
  'RFC 7118 §5.1 (reasoned: an answer other than 400 says the second was processed)',
  {
    id: 'R08',
    source: 'R',
  },
)

/** What came of one WebSocket message carrying two SIP messages. */
export interface SmuggledOutcome {
  /** The second message's Call-ID, which nothing the eP-CSCF sends on Mw may carry. */
  readonly marker: string
  /** Requests at the S-CSCF (all of them, background included) whose text carries the marker. */
  readonly atMw: readonly string[]
  /** First lines of the answers on the hostile WebSocket that carry the marker. */
  readonly answers: readonly string[]
  readonly waitedMs: number
}

export function checkSecondMessageNotProcessed(outcome: SmuggledOutcome | undefined): void {
  if (outcome === undefined) throw new ScenarioMisuse('no WebSocket message with two SIP messages was sent')
  expectThat(
    outcome.atMw.length === 0,
    ONE_SIP_MESSAGE,
    () =>
      `expected nothing of the second SIP message (Call-ID ${outcome.marker}) in a WebSocket message to reach ` +
      `the S-CSCF, but within ${outcome.waitedMs} ms it received: ${outcome.atMw.join(' | ')}`,
  )
  const processed = outcome.answers.filter((line) => !/^SIP\/2\.0 400 /.test(line))
  adviseThat(
    processed.length === 0,
    NOT_ANSWERED,
    () =>
      `the eP-CSCF answered the second SIP message of one WebSocket message (Call-ID ${outcome.marker}) with ` +
      `${processed.join(', ')} (nothing of it reached the S-CSCF)`,
  )
}
