import { Given, Then, When } from '@cucumber/cucumber'
import { expectThat, firstOf, single } from '../support/checks/expectations.ts'
import {
  checkOfferAnchored,
  checkOfferUnchanged,
  checkAnswerAnchored,
} from '../support/checks/media-profile-checks.ts'
import { registersFor, responsesTo, responsesToEach, scenarioRequests } from '../support/checks/mw-traffic.ts'
import { checkByeAnswered } from '../support/checks/dialog-checks.ts'
import { TRAVERSES_EPCSCF } from '../support/checks/requirements-routing.ts'
import { checkOwnViaOnTop, checkPathToEpcscf, checkRequireOption } from '../support/checks/register-checks.ts'
import {
  checkBinding,
  checkFinalRelayed,
  checkNoBinding,
  checkRegistered,
} from '../support/checks/registration-outcome-checks.ts'
import {
  checkNoBearerOnMw,
  checkRegisteredWithoutChallenge,
  checkTrustedNodeAuthorization,
} from '../support/checks/token-checks.ts'
import { must } from '../support/checks/requirement.ts'
import { REGISTRATION, TOKEN } from '../support/checks/requirements-registration.ts'
import { checkOfferReachedCore, checkWebRtcAnswer, checkWebRtcOffer } from '../support/checks/sdp-checks.ts'
import {
  checkNothingOnMwFromRefusedPage,
  checkOriginRefused,
  checkSipWebSocketOpen,
} from '../support/checks/websocket-checks.ts'
import type { BrowserWic } from '../support/browser/browser-wic.ts'
import { withDeadline } from '../support/deadline.ts'
import { PreconditionFailed, ScenarioMisuse } from '../support/errors.ts'
import { NETWORK_PARTY, type NetworkCall } from '../support/scscf/network-ua.ts'
import { isDeregistration } from '../support/sip/contact-expiry.ts'
import type { SipRequest, SipResponse } from '../support/sip/message.ts'
import { readSdp } from '../support/sdp/webrtc-sdp.ts'
import { browserWic, libraryNamed, openBrowserWic } from '../support/world/browser-actors.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { callFromNetwork } from '../support/world/network-call.ts'

// Real WICs in a real browser (issue 11): JsSIP or SIP.js on a WWSF page in headless Chromium.

Given(
  "{actor}'s browser WIC runs {word} on a page from the authorized WWSF origin",
  async function (this: HarnessWorld, actor: ActorName, library: string) {
    const wic = await this.precondition(`${actor}'s ${library} page is open`, () =>
      openBrowserWic(this, actor, libraryNamed(library)),
    )
    // Opened or refused: whether the eP-CSCF accepts the authorized origin is a Then of its own (R01).
    await this.guard(wic.waitFor('socket', ['open', 'closed'], 'its WebSocket to open or be refused'))
  },
)

Given(
  "{actor}'s browser WIC runs {word} on a page from {string}",
  async function (this: HarnessWorld, actor: ActorName, library: string, origin: string) {
    await this.precondition(`${actor}'s ${library} page from ${origin} is open`, () =>
      openBrowserWic(this, actor, libraryNamed(library), origin),
    )
  },
)

Given(
  "{actor}'s browser WIC is registered with IMS digest",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor}'s browser WIC is registered`, () => registerBrowser(this, actor, true))
  },
)

When(
  "{actor}'s browser WIC registers with IMS digest",
  async function (this: HarnessWorld, actor: ActorName) {
    await registerBrowser(this, actor, false)
  },
)

When("{actor}'s browser WIC de-registers", async function (this: HarnessWorld, actor: ActorName) {
  const wic = browserWic(this, actor)
  await wic.unregister()
  await this.guard(wic.waitFor('registration', ['unregistered', 'failed'], 'the outcome of its de-REGISTER'))
})

Then(
  "{actor}'s page received the S-CSCF's 200 to its de-registration, and the S-CSCF no longer holds the binding",
  function (this: HarnessWorld, actor: ActorName) {
    const { impu } = this.subscriber(actor)
    const removals = registersFor(pageTrafficOnMw(this, actor), impu).filter(isDeregistration)
    const { final } = registrationOf(this, actor)
    checkFinalRelayed(
      final,
      200,
      responsesToEach(removals, this.env.scscf.sentResponses),
      REGISTRATION.deregistered,
    )
    checkNoBinding(this.env.scscf.bindings(impu).length, impu, REGISTRATION.deregistered)
  },
)

Then(
  'the eP-CSCF opened the WebSocket of {actor}\'s page with subprotocol "sip"',
  async function (this: HarnessWorld, actor: ActorName) {
    checkSipWebSocketOpen(await handshakeView(this, actor))
  },
)

Then(
  "{actor}'s browser registration succeeds and the S-CSCF holds the binding",
  function (this: HarnessWorld, actor: ActorName) {
    const { final, okAtMw } = registrationOf(this, actor)
    checkRegistered(final, actor, okAtMw)
    const req = this.tokens.has(actor) ? TOKEN.accepted : REGISTRATION.digestForwarded
    checkBinding(
      this.env.scscf.bindings(this.subscriber(actor).impu).length,
      this.subscriber(actor).impu,
      req,
    )
  },
)

Then(
  "the REGISTER of {actor}'s browser WIC reached the S-CSCF with the eP-CSCF's Via on top, a Path to it and Require: path",
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, fwd] = firstRegisterPair(this, actor)
    checkOwnViaOnTop(sent, fwd, this.env.profile.epcscf.topology)
    checkPathToEpcscf(fwd, {
      address: this.env.profile.epcscf.mw.address,
      port: this.env.ports.mw,
      hostnames: this.env.profile.scscf.hostnames,
    })
    checkRequireOption(fwd, 'path')
  },
)

Then(
  "the eP-CSCF refuses the WebSocket of {actor}'s page with an HTTP 4xx, 403 recommended, and nothing reaches the S-CSCF",
  async function (this: HarnessWorld, actor: ActorName) {
    checkOriginRefused(await handshakeView(this, actor, ['open', 'closed']), 'R12')
    checkNothingOnMwFromRefusedPage(pageTrafficOnMw(this, actor))
  },
)

When(
  '{actor} logs in on the WWSF form of her/his page, and her/his browser WIC registers with the token',
  async function (this: HarnessWorld, actor: ActorName) {
    if (this.env.profile.wwsf.impi === 'digest-username')
      return this.notApplicable('wwsf.impi is digest-username: the page libraries send the token alone')
    return registerWithPageToken(this, actor)
  },
)

Then(
  "the S-CSCF registered {actor}'s page without a digest challenge, with auth-done for her/his IMPI, and never saw the token",
  function (this: HarnessWorld, actor: ActorName) {
    const { impi, impu } = this.subscriber(actor)
    const forwarded = registersFor(pageTrafficOnMw(this, actor), impu)
    checkRegisteredWithoutChallenge(responsesTo(forwarded, this.env.scscf.sentResponses), actor, impi)
    checkTrustedNodeAuthorization(forwarded.slice(0, 1), impi)
    checkNoBearerOnMw(pageTrafficOnMw(this, actor), this.token(actor))
  },
)

When("{actor}'s browser WIC calls the network", async function (this: HarnessWorld, actor: ActorName) {
  await browserWic(this, actor).call(NETWORK_PARTY)
})

Then(
  "{actor}'s browser sent a genuine WebRTC offer, and it reached the S-CSCF as the profile's media handling says",
  async function (this: HarnessWorld, actor: ActorName) {
    const { sent, atCore } = await offerOnMw(this, actor)
    checkOfferReachedCore(sent, atCore)
    return this.env.profile.epcscf.media === 'anchored'
      ? checkOfferAnchored(atCore)
      : checkOfferUnchanged(sent, atCore)
  },
)

Then(
  "{actor}'s browser call is answered with a WebRTC answer",
  async function (this: HarnessWorld, actor: ActorName) {
    const wic = browserWic(this, actor)
    // A page that rejects a bad answer (failed) still shows the 200 OK it judged: the check reads that answer.
    await wic.waitFor('call', ['established', 'failed', 'terminated'], 'an answer to its INVITE')
    checkWebRtcAnswer(
      firstOf(
        wic.responsesReceived('INVITE').filter((r) => r.status === 200),
        `a 200 OK to ${actor}'s INVITE`,
        INVITE_ANSWERED,
      ),
      sentInvite(wic),
    )
  },
)

When("{actor}'s browser WIC hangs up", async function (this: HarnessWorld, actor: ActorName) {
  await browserWic(this, actor).hangup()
})

Then(
  "the BYE of {actor}'s browser call reached the S-CSCF through the eP-CSCF and was answered",
  async function (this: HarnessWorld, actor: ActorName) {
    const wic = browserWic(this, actor)
    await wic.waitFor('call', ['terminated'], 'its BYE to be answered')
    single(
      this.atScscf('BYE', sentInvite(wic).get('Call-ID')),
      `${actor}'s BYE at the S-CSCF`,
      TRAVERSES_EPCSCF,
    )
  },
)

When("the network calls {actor}'s browser WIC", function (this: HarnessWorld, actor: ActorName) {
  networkCalls.set(this, callFromNetwork(this, actor))
})

Then(
  "{actor}'s browser WIC rings with a WebRTC offer, answers, and the answer reaches the network as the profile's media handling says",
  async function (this: HarnessWorld, actor: ActorName) {
    checkWebRtcOffer(await ringing(this, actor))
    const final = await answerAndSettle(this, actor)
    return this.env.profile.epcscf.media === 'anchored'
      ? checkAnswerAnchored(final)
      : checkWebRtcAnswer(final)
  },
)

When("the network hangs up on {actor}'s browser WIC", async function (this: HarnessWorld, actor: ActorName) {
  const call = await this.guard(
    withDeadline(theNetworkCall(this), this.env.profile.waitMs, `the network's call to ${actor}`),
  )
  networkByes.set(this, this.guard(this.env.scscf.calls.network.send(call, 'BYE')))
})

Then(
  "{actor}'s browser WIC receives the BYE and answers it",
  async function (this: HarnessWorld, actor: ActorName) {
    const bye = await this.guard(
      withDeadline(
        networkByes.get(this) ?? Promise.reject(new ScenarioMisuse('the network sent no BYE')),
        this.env.profile.waitMs * 2,
        `the answer to the network's BYE to ${actor}`,
      ),
    )
    checkByeAnswered(bye, `${actor}'s page`)
    await byeAtPage(this, actor)
  },
)

// --- helpers --------------------------------------------------------------------------------------------------------

/**
 * The scenario's Mw requests since the actor's page opened: what a SUT forwards late of an earlier scenario (its
 * de-registration, a retransmission) arrives after this scenario began but is no page's (keep-alive probes and
 * reg-event traffic left out, as everywhere).
 */
function pageTrafficOnMw(world: HarnessWorld, actor: ActorName): SipRequest[] {
  const since = browserWic(world, actor).openedAt
  return scenarioRequests(world.env.scscf.allReceived.filter((entry) => entry.at >= since))
}

const INVITE_ANSWERED = must('RFC 3261 §16.7 step 5', { id: 'R58' })
const networkCalls = new WeakMap<HarnessWorld, Promise<NetworkCall>>()
const networkByes = new WeakMap<HarnessWorld, Promise<SipResponse>>()

/** REGISTER with digest and wait for the outcome; `mustSucceed`: a precondition, so anything else fails it. */
async function registerBrowser(world: HarnessWorld, actor: ActorName, mustSucceed: boolean): Promise<void> {
  const wic = browserWic(world, actor)
  await wic.register()
  const state = await world.guard(
    wic.waitFor('registration', ['registered', 'failed'], 'the outcome of its REGISTER'),
  )
  if (mustSucceed && state.registration !== 'registered')
    throw new PreconditionFailed(`${actor}'s ${wic.library} page did not register: ${JSON.stringify(state)}`)
}

/** The page's handshake as the checks of the scripted WIC read it, once the socket settled in `states`. */
async function handshakeView(
  world: HarnessWorld,
  actor: ActorName,
  states: ('open' | 'closed')[] = ['open'],
) {
  const wic = browserWic(world, actor)
  const state = await world.guard(wic.waitFor('socket', states, 'its WebSocket to open or be refused'))
  const { status, origin } = wic.handshake
  if (origin !== wic.pageOrigin)
    throw new PreconditionFailed(
      `the browser sent Origin ${origin ?? '(none)'}, not its page's ${wic.pageOrigin}`,
    )
  return { ok: state.socket === 'open' && status === 101, status, protocol: state.protocol }
}

/** The last final response to a REGISTER the page received, and the S-CSCF's 200 to the actor's REGISTERs. */
function registrationOf(
  world: HarnessWorld,
  actor: ActorName,
): { final: SipResponse; okAtMw: SipResponse | undefined } {
  const wic = browserWic(world, actor)
  const finals = wic.responsesReceived('REGISTER').filter((r) => r.status >= 200)
  const final = firstOf(finals.slice(-1), `a final response to ${actor}'s REGISTER`, REGISTRATION.okRelayed)
  const forwarded = registersFor(pageTrafficOnMw(world, actor), world.subscriber(actor).impu)
  const okAtMw = responsesTo(forwarded, world.env.scscf.sentResponses)
    .filter((r) => r.status === 200)
    .at(-1)
  return { final, okAtMw }
}

function firstRegisterPair(world: HarnessWorld, actor: ActorName): [SipRequest, SipRequest] {
  const sent = browserWic(world, actor).requestsSent('REGISTER')[0]
  if (sent === undefined) throw new ScenarioMisuse(`${actor}'s page sent no REGISTER in this scenario`)
  const forwarded = registersFor(pageTrafficOnMw(world, actor), world.subscriber(actor).impu)
  return [sent, firstOf(forwarded, `${actor}'s REGISTER at the S-CSCF (from the eP-CSCF)`, REGISTRATION.path)]
}

/** The page's first INVITE with SDP. */
function sentInvite(wic: BrowserWic): SipRequest {
  const invite = wic.requestsSent('INVITE').find((r) => r.body.trim() !== '')
  if (invite === undefined) throw new ScenarioMisuse(`the ${wic.library} page sent no INVITE with an offer`)
  return invite
}

/**
 * The page's INVITE (awaited) and its copy at the S-CSCF. The offer must be a browser's (candidates, a DTLS
 * fingerprint, BUNDLE): otherwise the harness's browser, not the SUT, is at fault, and the scenario says so.
 */
async function offerOnMw(
  world: HarnessWorld,
  actor: ActorName,
): Promise<{ sent: SipRequest; atCore: SipRequest }> {
  const wic = browserWic(world, actor)
  await world.guard(wic.waitFor('call', ['established', 'failed', 'terminated'], 'an answer to its INVITE'))
  const sent = sentInvite(wic)
  const sdp = readSdp(sent.body)
  if (!(sdp.bundle.length > 0 && sdp.media.every((m) => m.candidates > 0 && m.fingerprint !== undefined)))
    throw new PreconditionFailed(
      `the ${wic.library} page's offer is not a full WebRTC offer (candidates, fingerprint, BUNDLE): ${sent.body}`,
    )
  const atCore = single(
    world.atScscf('INVITE', sent.get('Call-ID')),
    `${actor}'s INVITE at the S-CSCF`,
    TRAVERSES_EPCSCF,
  )
  return { sent, atCore }
}

function theNetworkCall(world: HarnessWorld): Promise<NetworkCall> {
  const call = networkCalls.get(world)
  if (call === undefined) throw new ScenarioMisuse('step: the network has placed no call')
  return call
}

/** The INVITE that reached the page, once it rings. */
async function ringing(world: HarnessWorld, actor: ActorName): Promise<SipRequest> {
  const wic = browserWic(world, actor)
  await world.guard(wic.waitFor('call', ['incoming'], "the network's INVITE"))
  return single(wic.requestsReceived('INVITE'), `the network's INVITE at ${actor}'s page`, TRAVERSES_EPCSCF)
}

/** The page answers; the network's INVITE transaction ends with the page's 200 (through the eP-CSCF). */
async function answerAndSettle(world: HarnessWorld, actor: ActorName): Promise<SipResponse> {
  await browserWic(world, actor).answer()
  const call = await world.guard(
    withDeadline(
      theNetworkCall(world),
      world.env.profile.waitMs * 2,
      `the final response to the network's INVITE to ${actor}`,
    ),
  )
  const final = call.final
  expectThat(
    final?.status === 200,
    INVITE_ANSWERED,
    () => `expected the page's 200 OK at the network, got ${final?.summary() ?? 'nothing'}`,
  )
  return final as SipResponse
}

/** The network's BYE at the page: the page's call ended (DevTools' frame events may trail the 200 on Mw). */
async function byeAtPage(world: HarnessWorld, actor: ActorName): Promise<void> {
  const wic = browserWic(world, actor)
  await wic.waitFor('call', ['terminated'], "the network's BYE to end the call").catch(() => undefined)
  single(wic.requestsReceived('BYE'), `the BYE at ${actor}'s page`, TRAVERSES_EPCSCF)
}

/** The page's form logs in at the WWSF (a harness mock: its refusal is a precondition), then registers with the token. */
async function registerWithPageToken(world: HarnessWorld, actor: ActorName): Promise<undefined> {
  const wic = browserWic(world, actor)
  const { impi, password } = world.subscriber(actor)
  const login = await world.precondition(`${actor} logs in at the WWSF`, () => wic.logIn(impi, password))
  if (login.token === undefined)
    throw new PreconditionFailed(`the WWSF refused ${actor}'s login (HTTP ${login.loginStatus ?? 'none'})`)
  world.tokens.set(actor, login.token)
  const { carriage } = world.env.profile.wwsf
  await wic.registerWithToken(
    carriage === 'rfc8898' ? `Bearer ${login.token}` : `Bearer access_token="${login.token}"`,
  )
  await world.guard(
    wic.waitFor('registration', ['registered', 'failed'], 'the outcome of its token REGISTER'),
  )
}
