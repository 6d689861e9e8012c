import { Then, When } from '@cucumber/cucumber'
import {
  checkCorsHeaders,
  checkSameOriginAccepted,
  checkTwoOriginsRefused,
  checkVersionRefused,
  type CorsSample,
  type HandshakeHead,
} from '../support/checks/handshake-checks.ts'
import { rawHandshake } from '../support/probe/handshake.ts'
import type { HarnessWorld } from '../support/world/harness-world.ts'

/**
 * The Origin matrix's hand-written handshakes (issue 9 §3): what a WebSocket library does not send. Each handshake
 * offers `sip` and version 13 unless the row changes that.
 */

/** Per scenario: the answers, with what each handshake sent. */
const sent = new WeakMap<HarnessWorld, { origins: string[]; version: string; heads: HandshakeHead[] }>()

When(
  'a WIC page from the authorized origin in upper case opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld) {
    await handshake(this, [upperCaseHost(authorized(this))])
  },
)

When(
  /^a client opens a WebSocket to the eP-CSCF with two Origin header fields, the authorized one (first|last)$/,
  async function (this: HarnessWorld, place: string) {
    const both = [authorized(this), 'https://evil.harness.test:8443']
    await handshake(this, place === 'first' ? both : both.reverse())
  },
)

When(
  'a WIC page from the authorized origin asks the eP-CSCF for WebSocket version {int}',
  async function (this: HarnessWorld, version: number) {
    await handshake(this, [authorized(this)], String(version))
  },
)

When(
  'WIC pages from the authorized origin and from {string} open WebSockets to the eP-CSCF',
  async function (this: HarnessWorld, other: string) {
    for (const origin of [authorized(this), other]) await handshake(this, [origin])
  },
)

Then(
  'the eP-CSCF opens the WebSocket of that same origin with subprotocol "sip"',
  function (this: HarnessWorld) {
    const s = sent.get(this)
    checkSameOriginAccepted(s?.heads[0], s?.origins[0] ?? '')
  },
)

Then('the eP-CSCF refuses the handshake with two Origins with an HTTP 4xx', function (this: HarnessWorld) {
  checkTwoOriginsRefused(sent.get(this)?.heads[0], sent.get(this)?.origins ?? [])
})

Then('the eP-CSCF refuses that version naming version 13', function (this: HarnessWorld) {
  checkVersionRefused(sent.get(this)?.heads[0], sent.get(this)?.version ?? '')
})

Then(
  'no answer names an origin in Access-Control-Allow-Origin but the authorized one that asked',
  function (this: HarnessWorld) {
    checkCorsHeaders(corsSamples(this))
  },
)

function authorized(world: HarnessWorld): string {
  return world.env.profile.epcscf.origin.allowed[0] ?? ''
}

/** `https://WWSF.HARNESS.TEST:8443`: the host in capitals, scheme and port as they are. */
function upperCaseHost(origin: string): string {
  const url = new URL(origin)
  return `${url.protocol}//${url.hostname.toUpperCase()}${url.port === '' ? '' : `:${url.port}`}`
}

/**
 * One hand-written handshake: each of `origins` as an Origin header field of its own (the first handshake of a
 * scenario with several origins sends them together; CORS scenarios call this once per origin).
 */
async function handshake(world: HarnessWorld, origins: string[], version = '13'): Promise<void> {
  const { wss } = world.env.profile.epcscf
  const head = await world.guard(
    rawHandshake({
      host: wss.host,
      port: world.env.ports.wss,
      path: wss.path,
      servername: wss.serverName,
      ca: world.env.caPem,
      headers: [
        ...origins.map((origin): [string, string] => ['Origin', origin]),
        ['Sec-WebSocket-Version', version],
        ['Sec-WebSocket-Protocol', 'sip'],
      ],
      timeoutMs: world.env.profile.waitMs,
      trace: world.env.trace,
    }),
  )
  const previous = sent.get(world) ?? { origins: [], version, heads: [] }
  sent.set(world, { origins: [...previous.origins, ...origins], version, heads: [...previous.heads, head] })
}

/** The CORS scenario's handshakes: the first from the authorized origin, the others from origins it refuses. */
function corsSamples(world: HarnessWorld): CorsSample[] {
  const s = sent.get(world)
  return (s?.heads ?? []).map((head, i) => ({ origin: s?.origins[i] ?? '', authorized: i === 0, head }))
}
