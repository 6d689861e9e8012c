import { Given, Then, When } from '@cucumber/cucumber'
import { scenarioRequests } from '../support/checks/mw-traffic.ts'
import {
  checkKeepAlivePong,
  checkNoSipProcessed,
  checkNoSubprotocolHandshake,
  checkOriginRefused,
  checkSipWebSocketOpen,
  type KeepAliveView,
} from '../support/checks/websocket-checks.ts'
import { NoAnswer, ScenarioMisuse, TransportClosed } from '../support/errors.ts'
import type { SipMessage } from '../support/sip/message.ts'
import { describeKeepAlive, pingForPong } from '../support/wic/keep-alive.ts'
import type { Wic } from '../support/wic/wic.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

When(
  'a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld) {
    await this.tryHandshake(this.env.profile.epcscf.origin.allowed[0])
  },
)

When(
  'a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF without the sip subprotocol',
  async function (this: HarnessWorld) {
    await this.tryHandshake(this.env.profile.epcscf.origin.allowed[0], [])
  },
)

When(
  'a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF offering {string}',
  async function (this: HarnessWorld, offered: string) {
    await this.tryHandshake(this.env.profile.epcscf.origin.allowed[0], offered.split(/,\s*/))
  },
)

When(
  'a WIC page from {string} opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld, origin: string) {
    await this.tryHandshake(origin)
  },
)

When(
  /^a WIC page from the authorized origin (on another port|on the default port|under a sub-domain|with a suffix|with a prefix|under another domain|over the other scheme) opens a WebSocket to the eP-CSCF$/,
  async function (this: HarnessWorld, variation: string) {
    const origin = nearMiss(this.env.profile.epcscf.origin.allowed[0] ?? '', variation)
    if (origin === undefined)
      return this.notApplicable(`the authorized origin has no "${variation}" variation`)
    await this.tryHandshake(origin)
    return undefined
  },
)

When('a client without Origin opens a WebSocket to the eP-CSCF', async function (this: HarnessWorld) {
  await this.tryHandshake(undefined)
})

Given('the profile refuses handshakes without Origin', function (this: HarnessWorld) {
  const policy = this.env.profile.epcscf.origin.missingOrigin
  return policy === 'refuse' ? undefined : this.notApplicable(`epcscf.origin.missingOrigin is "${policy}"`)
})

Then('the eP-CSCF opens the WebSocket with subprotocol "sip"', function (this: HarnessWorld) {
  checkSipWebSocketOpen(this.handshake)
})

Then(
  'the eP-CSCF refuses the WebSocket handshake with an HTTP 4xx, 403 recommended',
  function (this: HarnessWorld) {
    checkOriginRefused(this.handshake, 'R12')
  },
)

Then(
  'the eP-CSCF refuses the handshake without Origin with an HTTP 4xx, 403 recommended',
  function (this: HarnessWorld) {
    checkOriginRefused(this.handshake, 'R13')
  },
)

Then(
  'the eP-CSCF processes no SIP on a WebSocket without the sip subprotocol',
  async function (this: HarnessWorld) {
    const open = checkNoSubprotocolHandshake(this.handshake)
    if (open) checkNoSipProcessed(await probeWithRegister(this, this.handshake?.wic))
  },
)

When("{actor}'s WIC sends a double-CRLF keep-alive", async function (this: HarnessWorld, actor: ActorName) {
  const outcome = await this.guard(pingForPong(this.wic(actor).flow, this.env.profile.waitMs))
  const view = { answered: outcome.answered, description: describeKeepAlive(outcome) }
  pongs.set(this, new Map([...(pongs.get(this) ?? []), [actor, view]]))
})

Then("the eP-CSCF answers {actor}'s keep-alive with a CRLF", function (this: HarnessWorld, actor: ActorName) {
  const pong = pongs.get(this)?.get(actor)
  if (pong === undefined) throw new ScenarioMisuse(`${actor}'s WIC sent no keep-alive in this scenario`)
  checkKeepAlivePong(pong)
})

Given('the profile says the eP-CSCF answers CRLF keep-alives', function (this: HarnessWorld) {
  const { crlf } = this.env.profile.epcscf.keepalive
  return crlf ? undefined : this.notApplicable('epcscf.keepalive.crlf is false')
})

/**
 * An origin that differs from the authorized one in one respect (RFC 6454 §5: scheme, host and port all count);
 * undefined when the variation does not exist (the default port of an origin that already uses it).
 */
function nearMiss(allowed: string, variation: string): string | undefined {
  const url = new URL(allowed)
  const serialise = (u: URL) => `${u.protocol}//${u.host}`
  switch (variation) {
    case 'on another port':
      url.port = String(Number(url.port || (url.protocol === 'https:' ? 443 : 80)) + 1)
      return serialise(url)
    case 'on the default port':
      if (url.port === '') return undefined
      url.port = ''
      return serialise(url)
    case 'under a sub-domain':
      url.hostname = `x.${url.hostname}`
      return serialise(url)
    case 'with a suffix':
      return `${serialise(url)}.evil.test`
    case 'with a prefix':
      url.hostname = `evil${url.hostname}`
      return serialise(url)
    case 'under another domain':
      url.hostname = `${url.hostname}.evil.test`
      return serialise(url)
    default:
      return `${url.protocol === 'https:' ? 'http:' : 'https:'}//${url.host}`
  }
}

/** What came back after each actor's keep-alive (one scenario per world). */
const pongs = new WeakMap<HarnessWorld, Map<ActorName, KeepAliveView>>()

/**
 * R04, variation: on a WebSocket opened without `sip`, the probe WIC sends a REGISTER and watches, for waitMs,
 * what comes back on it and what reaches the S-CSCF. A close of the WebSocket by the eP-CSCF is not an answer.
 */
async function probeWithRegister(world: HarnessWorld, wic: Wic | undefined) {
  if (wic === undefined) throw new ScenarioMisuse('the handshake was open but no probe WIC was kept')
  const waitedMs = world.env.profile.waitMs
  const answered: SipMessage[] = []
  const register = wic.createRequest('REGISTER', `sip:${world.env.profile.domain}`, { contact: true })
  try {
    await wic.send(register)
    answered.push(await wic.expectMessage({ description: 'any SIP', predicate: () => true }, waitedMs))
  } catch (error) {
    if (!(error instanceof NoAnswer || error instanceof TransportClosed)) throw error
  }
  return { answered, atMw: scenarioRequests(world.env.scscf.received), waitedMs }
}
