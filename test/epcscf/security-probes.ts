/**
 * Probes of the SA3 attack matrix's fault switches (issue 9 §4–§6), shared by security-faults.test.ts (each check
 * holds without its fault and fails with it, at a requirement the fault declares) and faults.test.ts (every fault
 * has a probe that sees its defect). A probe runs the check of the scenario that guards the fault.
 */
import assert from 'node:assert/strict'
import { checkWicHeaderNotOnMw, WIC_WRITTEN, type WicPHeader } from '../../support/checks/security-checks.ts'
import {
  checkNoPlainSipWebSocket,
  checkWeakSuitesRefused,
  WEAK_SUITES,
} from '../../support/checks/exposure-checks.ts'
import {
  checkEdgeSurvived,
  checkFragmentedProcessed,
  checkFrameAttackAnswered,
} from '../../support/checks/robustness-checks.ts'
import {
  checkSameOriginAccepted,
  checkTwoOriginsRefused,
  checkVersionRefused,
} from '../../support/checks/handshake-checks.ts'
import { checkSecondMessageNotProcessed } from '../../support/checks/robustness-checks.ts'
import { checkKeepAlivePong, checkOriginRefused } from '../../support/checks/websocket-checks.ts'
import { describeKeepAlive, pingForPong } from '../../support/wic/keep-alive.ts'
import { ConformanceFailure } from '../../support/errors.ts'
import { HalfOpenConnections } from '../../support/probe/half-open.ts'
import { rawHandshake } from '../../support/probe/handshake.ts'
import { OPCODE, RawWebSocket } from '../../support/wic/raw-frames.ts'
import { localPki } from '../helpers/pki.ts'
import { portRange, scanPlainWebSocket } from '../../support/probe/port-scan.ts'
import { offerTls12Suites } from '../../support/probe/tls-offer.ts'
import type { FaultName } from '../../support/epcscf/faults.ts'
import { ORIGIN, type Bench } from './bench.ts'

/** Runs the guarding check; resolves when it holds, rejects with its failure otherwise. */
export type Probe = (bench: Bench) => Promise<void>

/** Alice registers writing her own `header`; the REGISTERs at the S-CSCF are judged. */
const registerWriting =
  (header: WicPHeader): Probe =>
  async (bench) => {
    const wic = await bench.wic()
    const outcome = await wic.register({ extraHeaders: [[header, WIC_WRITTEN[header]]] })
    const atMw = bench.atScscf('REGISTER')
    checkWicHeaderNotOnMw({ header, kind: 'register', finalStatus: outcome.final.status, atMw })
  }

/** Registered Alice sends a MESSAGE writing her own `header`; the MESSAGE at the S-CSCF is judged. */
const requestWriting =
  (header: WicPHeader): Probe =>
  async (bench) => {
    const wic = await bench.wic()
    assert.equal((await wic.register()).final.status, 200, 'alice registers')
    bench.scscf.setOriginatingHandler(() => 200)
    const request = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', {
      body: 'x',
      headers: [[header, WIC_WRITTEN[header]]],
    })
    const finalStatus = (await wic.request(request)).status
    const atMw = bench.atScscf('MESSAGE').filter((r) => r.get('Call-ID') === request.get('Call-ID'))
    checkWicHeaderNotOnMw({ header, kind: 'request', finalStatus, atMw })
  }

/** The W2 host around the bench's WSS port, scanned for a plain-text SIP WebSocket. */
const plainSurface: Probe = async (bench) => {
  const port = Number(new URL(bench.epcscf.wssUrl).port)
  const ports = portRange(`${port - 2}-${port + 2}`)
  const answers = await scanPlainWebSocket({
    host: '127.0.0.1',
    ports,
    path: '/',
    origin: ORIGIN,
    perPortMs: 1000,
  })
  checkNoPlainSipWebSocket({ host: '127.0.0.1', span: `${port - 2}-${port + 2}`, skipped: [], answers })
}

/** A TLS 1.2 offer of NULL-encryption suites only, to the bench's W2 port. */
const nullSuites: Probe = async (bench) => {
  const url = new URL(bench.epcscf.wssUrl)
  const family = 'with NULL encryption'
  const offer = await offerTls12Suites({
    host: url.hostname,
    port: Number(url.port),
    servername: 'epcscf.harness.test',
    suites: WEAK_SUITES[family].suites,
    timeoutMs: 2000,
  })
  assert.notEqual(offer.outcome, 'unavailable', 'this OpenSSL can offer a NULL suite')
  const accepted = offer.outcome === 'accepted' ? offer.cipher : undefined
  checkWeakSuitesRefused({ family, offered: offer.offered, accepted, detail: '' })
}

/** A raw WebSocket to the bench's W2 port from the authorized origin. */
async function hostile(bench: Bench): Promise<RawWebSocket> {
  const url = new URL(bench.epcscf.wssUrl)
  return RawWebSocket.open({
    host: url.hostname,
    port: Number(url.port),
    path: '/',
    servername: 'epcscf.harness.test',
    ca: (await localPki()).ca.cert,
    origin: ORIGIN,
    timeoutMs: 2000,
    trace: bench.trace,
  })
}

/** Invalid UTF-8 in a text frame: the connection must be failed. */
const invalidUtf8: Probe = async (bench) => {
  const raw = await hostile(bench)
  try {
    raw.sendFrame(
      { opcode: OPCODE.text, payload: Buffer.from([0x4f, 0x50, 0xc3, 0x28, 0xff]) },
      'invalid UTF-8',
    )
    const close = await raw.awaitClose(1000)
    checkFrameAttackAnswered({ attack: 'invalid UTF-8', close, answered: undefined, waitedMs: 1000 })
  } finally {
    raw.close()
  }
}

/** After `attack` on one WebSocket, a fresh WIC registers. */
const survives =
  (after: string, attack: (raw: RawWebSocket) => void): Probe =>
  async (bench) => {
    const raw = await hostile(bench)
    attack(raw)
    await raw.awaitClose(500)
    raw.close()
    let outcome: { status: number | undefined; error: string | undefined }
    try {
      outcome = { status: (await (await bench.wic('bob')).register()).final.status, error: undefined }
    } catch (error) {
      outcome = { status: undefined, error: String(error) }
    }
    checkEdgeSurvived({ after, ...outcome })
  }

/** An unmasked text frame: the connection must be closed. */
const unmaskedFrame: Probe = async (bench) => {
  const raw = await hostile(bench)
  try {
    raw.sendFrame({ opcode: OPCODE.text, payload: Buffer.from('OPTIONS'), mask: false }, 'unmasked')
    const close = await raw.awaitClose(1000)
    checkFrameAttackAnswered({ attack: 'unmasked frame', close, answered: undefined, waitedMs: 1000 })
  } finally {
    raw.close()
  }
}

/** A REGISTER in three frames (text, continuation, continuation with FIN): it must be answered. */
const fragmentedRegister: Probe = async (bench) => {
  const raw = await hostile(bench)
  try {
    const text = Buffer.from(
      [
        'REGISTER sip:ims.harness.test SIP/2.0',
        'Via: SIP/2.0/WSS h7.invalid;branch=z9hG4bKh7frag;rport',
        'Max-Forwards: 70',
        'From: <sip:alice@ims.harness.test>;tag=h7',
        'To: <sip:alice@ims.harness.test>',
        'Call-ID: h7-fragmented',
        'CSeq: 1 REGISTER',
        'Contact: <sip:h7@h7.invalid;transport=ws>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    )
    const third = Math.ceil(text.length / 3)
    for (let i = 0; i < 3; i++)
      raw.sendFrame(
        {
          opcode: i === 0 ? OPCODE.text : OPCODE.continuation,
          payload: text.subarray(i * third, (i + 1) * third),
          fin: i === 2,
        },
        `fragment ${i + 1}`,
      )
    checkFragmentedProcessed(await raw.nextMessage(1500), 'h7-fragmented', 1500)
  } finally {
    raw.close()
  }
}

/** A hand-written handshake to the bench's W2 port with these Origin lines (and version). */
async function handshake(bench: Bench, origins: string[], version = '13') {
  const url = new URL(bench.epcscf.wssUrl)
  return rawHandshake({
    host: url.hostname,
    port: Number(url.port),
    path: '/',
    servername: 'epcscf.harness.test',
    ca: (await localPki()).ca.cert,
    headers: [
      ...origins.map((o): [string, string] => ['Origin', o]),
      ['Sec-WebSocket-Version', version],
      ['Sec-WebSocket-Protocol', 'sip'],
    ],
    timeoutMs: 2000,
    trace: bench.trace,
  })
}

/** An origin the Origin matrix refuses (websocket-origin.feature's near misses). */
const originRefused =
  (origin: string): Probe =>
  async (bench) => {
    const head = await handshake(bench, [origin])
    const protocol = head.headers.find(([n]) => n === 'sec-websocket-protocol')?.[1]
    checkOriginRefused({ ok: head.status === 101, status: head.status, protocol }, 'R12')
  }

/** A REGISTER for Alice and one for Bob in one WebSocket message: nothing of Bob's may reach the S-CSCF. */
const twoInOne: Probe = async (bench) => {
  const raw = await hostile(bench)
  const register = (user: string, callId: string) =>
    [
      'REGISTER sip:ims.harness.test SIP/2.0',
      `Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK${callId};rport`,
      'Max-Forwards: 70',
      `From: <sip:${user}@ims.harness.test>;tag=${callId}`,
      `To: <sip:${user}@ims.harness.test>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
  try {
    const text = register('alice', 'two-in-one-first') + register('bob', 'two-in-one-second')
    raw.sendFrame({ opcode: OPCODE.text, payload: Buffer.from(text) }, 'two REGISTERs')
    await raw.nextMessage(1000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const atMw = bench.scscf.allReceived
      .map((entry) => entry.request.toString())
      .filter((t) => t.includes('two-in-one-second'))
    checkSecondMessageNotProcessed({ marker: 'two-in-one-second', atMw, answers: [], waitedMs: 1300 })
  } finally {
    raw.close()
  }
}

/** 600 half-open TLS connections held while Bob registers afresh. */
const halfOpen: Probe = async (bench) => {
  const url = new URL(bench.epcscf.wssUrl)
  const held = await HalfOpenConnections.open({
    host: url.hostname,
    port: Number(url.port),
    count: 600,
    connectTimeoutMs: 2000,
  })
  try {
    let outcome: { status: number | undefined; error: string | undefined }
    try {
      outcome = { status: (await (await bench.wic('bob')).register()).final.status, error: undefined }
    } catch (error) {
      outcome = { status: undefined, error: String(error) }
    }
    checkEdgeSurvived({ after: held.describe(), exhaustion: true, ...outcome })
  } finally {
    held.close()
  }
}

/** Bob's WIC sends a double CRLF on its WebSocket and awaits the single CRLF (keepalive.feature). */
const keepAlive: Probe = async (bench) => {
  const outcome = await pingForPong((await bench.wic('bob')).flow, 1000)
  checkKeepAlivePong({ answered: outcome.answered, description: describeKeepAlive(outcome) })
}

export const SECURITY_PROBES: readonly [FaultName, string, Probe][] = [
  ['crlf-keepalive-unanswered', 'double-CRLF keep-alive', keepAlive],
  ['origin-host-suffix-match', 'prefixed host', originRefused('https://evilwwsf.harness.test:8443')],
  [
    'origin-host-prefix-match',
    'host under another domain',
    originRefused('https://wwsf.harness.test.evil.test:8443'),
  ],
  [
    'origin-case-sensitive',
    'host in upper case',
    async (bench) =>
      checkSameOriginAccepted(await handshake(bench, ['https://WWSF.HARNESS.TEST:8443']), 'upper case'),
  ],
  [
    'origin-first-header-only',
    'two Origin header fields',
    async (bench) =>
      checkTwoOriginsRefused(await handshake(bench, [ORIGIN, 'https://evil.harness.test:8443']), []),
  ],
  [
    'websocket-version-unchecked',
    'Sec-WebSocket-Version: 25',
    async (bench) => checkVersionRefused(await handshake(bench, [ORIGIN], '25'), '25'),
  ],
  ['ws-message-split', 'two REGISTERs in one message', twoInOne],
  ['w2-connection-cap', '600 half-open TLS connections', halfOpen],
  ['unmasked-frames-accepted', 'unmasked frame', unmaskedFrame],
  ['fragmented-messages-dropped', 'REGISTER in three frames', fragmentedRegister],
  ['utf8-unchecked', 'invalid UTF-8', invalidUtf8],
  [
    'hostile-frames-stop-edge',
    'unmasked frame',
    survives('unmasked frame', (raw) =>
      raw.sendFrame({ opcode: OPCODE.text, payload: Buffer.from('OPTIONS'), mask: false }, 'unmasked'),
    ),
  ],
  [
    'malformed-sip-stops-edge',
    'RFC 4475 badinv01-like garbage',
    survives('unparseable SIP', (raw) =>
      raw.sendFrame(
        { opcode: OPCODE.text, payload: Buffer.from('INVITE sip:a SIP/2.0\r\nVia: ;;\r\n\r\n') },
        'garbage',
      ),
    ),
  ],
  ['weak-tls12-ciphers', 'TLS 1.2 NULL suites', nullSuites],
  ['plain-ws-listener', 'W2 host scan', plainSurface],
  ['trust-wic-charging-vector', 'REGISTER', registerWriting('P-Charging-Vector')],
  ['trust-wic-charging-vector', 'MESSAGE', requestWriting('P-Charging-Vector')],
  ['trust-wic-asserted-identity', 'REGISTER', registerWriting('P-Asserted-Identity')],
  ['trust-wic-asserted-identity', 'MESSAGE', requestWriting('P-Asserted-Identity')],
  ['trust-wic-visited-network', 'REGISTER', registerWriting('P-Visited-Network-ID')],
  ['trust-wic-access-network-info', 'REGISTER', registerWriting('P-Access-Network-Info')],
  ['trust-wic-access-network-info', 'MESSAGE', requestWriting('P-Access-Network-Info')],
]

/**
 * The probes as faults.test.ts wants them: one per fault, resolving with the failure it saw (the defect) or
 * undefined when the check held; any other error is the probe's own and rejects.
 */
export const SECURITY_DEFECT_PROBES: Readonly<Record<string, (bench: Bench) => Promise<string | undefined>>> =
  Object.fromEntries(
    SECURITY_PROBES.map(([fault, , probe]) => [
      fault,
      (bench: Bench) =>
        probe(bench).then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof ConformanceFailure) return error.message
            throw error
          },
        ),
    ]),
  )
