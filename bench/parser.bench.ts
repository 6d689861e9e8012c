/**
 * Parser throughput against npm `sip` 0.0.6 (kirm/sip.js, the fastest npm SIP parser measured: research notes
 * libraries.md §5), on the REGISTER and the WebRTC INVITE of bench/sip-messages.ts. Run:
 * `node --import tsx bench/parser.bench.ts` (also part of `npm run bench`).
 *
 * What "parse" means on each side:
 * - harness `parseMessage`: splits the message into ordered, lossless header fields (names as written, raw text kept)
 *   and validates the start line and the Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Contact, Route,
 *   Record-Route and Date values against the RFC 3261 grammar (it throws on a defect), but builds no structured
 *   values: those are parsed on access, by viasOf(), parseNameAddr(), parseCSeq()...
 * - harness + proxy reads: the same, then the values a proxy reads are parsed into objects (every Via, To, From,
 *   Call-ID, CSeq, every Contact and Route).
 * - npm `sip` `parse`: regexes; builds every header up front into objects (Via, To, From, Contact, Route with their
 *   parameters, CSeq, the Digest params of Authorization; the To/From/Contact URIs stay strings), keeps neither the
 *   raw text nor the order of header fields, and drops a header it cannot parse silently.
 *
 * The machine is shared, so the contenders run interleaved in short slices (a load change during the run touches
 * all of them alike) and rates are per second of the process's CPU time.
 */
import { cpus, loadavg } from 'node:os'
import { parse as npmSipParse } from 'sip'
import { parseCSeq } from '../support/sip/cseq.ts'
import type { SipMessage } from '../support/sip/message.ts'
import { parseNameAddr, parseNameAddrList } from '../support/sip/name-addr.ts'
import { parseMessage } from '../support/sip/parse.ts'
import { viasOf } from '../support/sip/via.ts'
import { INVITE, REGISTER } from './sip-messages.ts'

interface Contender {
  readonly label: string
  readonly run: (text: string) => unknown
}

/** What a proxy reads of a request, through the harness's public header API. */
function proxyReads(message: SipMessage): number {
  let n = viasOf(message).length
  n += parseNameAddr(message.get('To') ?? '').params.length
  n += parseNameAddr(message.get('From') ?? '').params.length
  n += (message.get('Call-ID') ?? '').length
  n += parseCSeq(message.get('CSeq') ?? '').seq
  for (const value of message.getAll('Contact')) n += parseNameAddrList(value).length
  for (const value of message.getAll('Route')) n += parseNameAddrList(value).length
  return n
}

const CONTENDERS: readonly Contender[] = [
  { label: 'harness', run: parseMessage },
  { label: 'harness + proxy reads', run: (text) => proxyReads(parseMessage(text)) },
  { label: 'npm sip 0.0.6', run: npmSipParse },
]

const SLICE_NS = 20_000_000n
const ROUNDS = Number(process.env.PARSER_BENCH_ROUNDS ?? 75)

/** CPU time this process has used, in µs (user + system, all threads: garbage collection included). */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

/**
 * Runs each contender for one 20 ms slice per round, in turn; returns messages per second of CPU time per
 * contender. CPU time, not wall time: on a shared machine the process is descheduled now and then, and that time
 * is nobody's parsing.
 */
function measure(text: string): number[] {
  for (const c of CONTENDERS) for (let i = 0; i < 5000; i++) c.run(text) // warm-up
  const counts = CONTENDERS.map(() => 0)
  const micros = CONTENDERS.map(() => 0)
  for (let round = 0; round < ROUNDS; round++) {
    CONTENDERS.forEach((c, k) => {
      const start = process.hrtime.bigint()
      const cpu = cpuMicros()
      let count = 0
      while (process.hrtime.bigint() - start < SLICE_NS) {
        for (let i = 0; i < 100; i++) c.run(text)
        count += 100
      }
      micros[k] = (micros[k] ?? 0) + cpuMicros() - cpu
      counts[k] = (counts[k] ?? 0) + count
    })
  }
  return counts.map((count, k) => (count * 1e6) / (micros[k] ?? NaN))
}

/** Both parsers must read the message, or the comparison means nothing. */
function checkBothParse(label: string, text: string): void {
  const ours = parseMessage(text)
  const theirs = npmSipParse(text)
  if (theirs === undefined || !Array.isArray(theirs.headers.via) || ours.headers.length === 0) {
    throw new Error(`parser bench: the ${label} does not parse with both parsers`)
  }
}

const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')} msg/s`

const cpu = cpus()
process.stdout.write(
  `parser: node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `load average ${loadavg()[0]?.toFixed(2)} at start; ${ROUNDS} interleaved rounds of 20 ms each, ` +
    'messages per second of CPU time\n',
)
for (const [label, text] of [
  ['REGISTER', REGISTER],
  ['WebRTC INVITE', INVITE],
] as const) {
  checkBothParse(label, text)
  const [ours = NaN, withReads = NaN, npm = NaN] = measure(text)
  process.stdout.write(
    `parser: ${label} (${Buffer.byteLength(text)} octets): harness ${rate(ours)}, ` +
      `harness + proxy reads ${rate(withReads)}, npm sip ${rate(npm)}; ` +
      `ratio ${(ours / npm).toFixed(2)}× (with proxy reads ${(withReads / npm).toFixed(2)}×)\n`,
  )
}
