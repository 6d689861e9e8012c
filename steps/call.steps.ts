import { Given, Then, When } from '@cucumber/cucumber'
import {
  checkCancelled,
  checkFinalRelayed,
  checkForeignInDialogRefused,
  checkInDialogCrossed,
  checkRecordRouted,
  checkRouteSetAtWic,
} from '../support/checks/dialog-checks.ts'
import { expectThat, firstOf, single } from '../support/checks/expectations.ts'
import { must } from '../support/checks/requirement.ts'
import { TRAVERSES_EPCSCF } from '../support/checks/requirements-routing.ts'
import { checkFlowFailed } from '../support/checks/routing-checks.ts'
import { checkOfferReachedCore, checkWebRtcAnswer, checkWebRtcOffer } from '../support/checks/sdp-checks.ts'
import { checkOfferAnchored, checkOfferUnchanged } from '../support/checks/media-profile-checks.ts'
import type { OfferOptions } from '../support/sdp/webrtc-sdp.ts'
import { withDeadline } from '../support/deadline.ts'
import { HarnessError, ScenarioMisuse } from '../support/errors.ts'
import { NETWORK_PARTY, type NetworkCall } from '../support/scscf/network-ua.ts'
import type { SipRequest, SipResponse } from '../support/sip/message.ts'
import { foreignInDialogRequest, WicCall } from '../support/wic/wic-calls.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { finalOrSilence } from './session.steps.ts'
import { callFromNetwork } from '../support/world/network-call.ts'

Given('the network is busy', function (this: HarnessWorld) {
  this.env.scscf.calls.network.behaviour = 'busy'
})

Given('the network rings without answering', function (this: HarnessWorld) {
  this.env.scscf.calls.network.behaviour = 'ring-forever'
})

Given('{actor} is in a call with the network', async function (this: HarnessWorld, actor: ActorName) {
  const call = placeCall(this, actor, NETWORK_PARTY)
  await this.precondition(`${actor} is in a call with the network`, () => answeredWith(this, call, 200))
})

When('{actor} calls the network', function (this: HarnessWorld, actor: ActorName) {
  placeCall(this, actor, NETWORK_PARTY)
})

When('{actor} calls {actor}', function (this: HarnessWorld, caller: ActorName, callee: ActorName) {
  placeCall(this, caller, this.subscriber(callee).impu)
})

When('{actor} calls the network with audio and video', function (this: HarnessWorld, actor: ActorName) {
  placeCall(this, actor, NETWORK_PARTY, { video: true })
})

/** The media profile (epcscf.media): scenarios of the other profile are N/A. */
Given('the profile says the eP-CSCF {word} media', function (this: HarnessWorld, verb: string) {
  const wanted = verb === 'anchors' ? 'anchored' : 'transparent'
  const media = this.env.profile.epcscf.media
  return media === wanted ? undefined : this.notApplicable(`the profile's epcscf.media is ${media}`)
})

Then("{actor}'s offer reaches the S-CSCF unchanged", async function (this: HarnessWorld, actor: ActorName) {
  const { invite } = callOf(this, actor)
  checkOfferUnchanged(
    invite,
    single(await atScscf(this, invite), 'the INVITE at the S-CSCF', must('TR 23.701 X.2.2')),
  )
})

Then(
  "{actor}'s offer reaches the S-CSCF without ICE, DTLS or BUNDLE",
  async function (this: HarnessWorld, actor: ActorName) {
    const { invite } = callOf(this, actor)
    checkOfferAnchored(
      single(await atScscf(this, invite), 'the INVITE at the S-CSCF', must('TR 23.701 X.2.2')),
    )
  },
)

When('{actor} cancels her/his call once it rings', async function (this: HarnessWorld, actor: ActorName) {
  await this.guard(callOf(this, actor).ringing(this.env.profile.waitMs))
  book(this).cancel = await this.guard(callOf(this, actor).cancel())
})

When('{actor} hangs up', function (this: HarnessWorld, actor: ActorName) {
  const call = callOf(this, actor)
  const response = call.hangUp() // awaited, with a deadline, by the Then step (the far side answers there)
  response.catch(() => undefined)
  book(this).sent.set(actor, { request: lastSent(call), response })
})

When('the network calls {actor}', function (this: HarnessWorld, actor: ActorName) {
  book(this).network = { call: callFromNetwork(this, actor) }
})

When('the network hangs up on {actor}', async function (this: HarnessWorld, actor: ActorName) {
  const network = networkOf(this)
  const call = await within(this, network.call, `the network's call to ${actor} to be set up`)
  network.bye = this.env.scscf.calls.network.send(call, 'BYE')
})

When(
  "{actor} sends a BYE in {actor}'s call from her/his own WebSocket",
  function (this: HarnessWorld, sender: ActorName, owner: ActorName) {
    const dialog = callOf(this, owner).requireDialog()
    const response = foreignInDialogRequest(this.wic(sender), dialog, 'BYE')
    response.catch(() => undefined) // settled, with a deadline, by the Then step
    book(this).sent.set(sender, { request: dialog.sent.at(-1) as SipRequest, response })
  },
)

When(
  '{actor} re-INVITEs, UPDATEs and sends a MESSAGE in her/his call',
  async function (this: HarnessWorld, actor: ActorName) {
    book(this).exchanges = await exchangeInDialog(this, callOf(this, actor))
  },
)

When('{actor} sends a BYE with a To-tag outside any dialog', function (this: HarnessWorld, actor: ActorName) {
  const wic = this.wic(actor)
  const request = wic.createRequest('BYE', NETWORK_PARTY, { to: `<${NETWORK_PARTY}>;tag=nodialog` })
  book(this).sent.set(actor, { request, response: pending(wic.request(request)) })
})

Then(
  'each of them reached the S-CSCF through the eP-CSCF and was answered',
  async function (this: HarnessWorld) {
    for (const { request, response } of book(this).exchanges)
      checkInDialogCrossed(request, await atScscf(this, request), response, 'the S-CSCF', hiding(this))
  },
)

Then(
  "{actor}'s call is answered with a WebRTC answer",
  async function (this: HarnessWorld, actor: ActorName) {
    const call = callOf(this, actor)
    checkWebRtcAnswer(await answeredWith(this, call, 200), call.invite)
  },
)

Then("{actor}'s WebRTC offer reaches the S-CSCF", async function (this: HarnessWorld, actor: ActorName) {
  const { invite } = callOf(this, actor)
  const arrived = single(await atScscf(this, invite), 'the INVITE at the S-CSCF', must('TR 23.701 X.2.2'))
  checkOfferReachedCore(invite, arrived)
})

Then(
  "the eP-CSCF Record-Routes {actor}'s INVITE toward the S-CSCF and in the 200 OK to her/him",
  function (this: HarnessWorld, actor: ActorName) {
    const { invite, final } = callOf(this, actor)
    checkRecordRouted(invite, inviteAtScscf(this, invite), 'at the S-CSCF')
    checkRouteSetAtWic(final as SipResponse, coreRecordRoutes(this), 'bottom')
  },
)

Then(
  "every request of {actor}'s call reached the S-CSCF through the eP-CSCF",
  async function (this: HarnessWorld, actor: ActorName) {
    const { ack, final } = callOf(this, actor)
    const arrived = await atScscf(this, ack)
    checkInDialogCrossed(ack as SipRequest, arrived, final as SipResponse, 'the S-CSCF', hiding(this))
    const bye = await answered(this, actor)
    checkInDialogCrossed(
      bye.request,
      await atScscf(this, bye.request),
      bye.response,
      'the S-CSCF',
      hiding(this),
    )
  },
)

Then(
  "{actor}'s WIC rings with a WebRTC offer and she/he answers",
  async function (this: HarnessWorld, actor: ActorName) {
    checkWebRtcOffer((await answerIncoming(this, actor)).invite)
  },
)

Then("{actor}'s WIC rings and she/he answers", async function (this: HarnessWorld, actor: ActorName) {
  await answerIncoming(this, actor)
})

Then(
  "the eP-CSCF Record-Routes the network's INVITE to {actor}",
  async function (this: HarnessWorld, actor: ActorName) {
    const network = await within(this, networkOf(this).call, `the network's call to ${actor}`)
    checkRecordRouted(network.invite, callOf(this, actor).invite, `at ${actor}'s WIC`)
  },
)

Then(
  "the eP-CSCF Record-Routes {actor}'s call to {actor} on both WebSockets",
  function (this: HarnessWorld, caller: ActorName, callee: ActorName) {
    checkRouteSetAtWic(callOf(this, caller).final as SipResponse, coreRecordRoutes(this), 'bottom')
    checkRouteSetAtWic(callOf(this, callee).invite, coreRecordRoutes(this), 'top')
  },
)

Then('{actor} receives the ACK', async function (this: HarnessWorld, actor: ActorName) {
  await this.guard(callOf(this, actor).acknowledged())
})

Then(
  "{actor} receives the BYE on her/his WebSocket and the network's BYE is answered",
  async function (this: HarnessWorld, actor: ActorName) {
    const received = await receivedOrNone(this, actor, 'BYE') // the WIC answers it once received
    const response = await settle(this, networkOf(this).bye as Promise<SipResponse>, 'BYE')
    const sent = (await networkOf(this).call).sent.filter((r) => r.method === 'BYE')
    const bye = firstOf(sent, "the network's BYE", TRAVERSES_EPCSCF)
    checkInDialogCrossed(bye, received, response, `${actor}'s WebSocket`, hiding(this))
  },
)

Then(
  "{actor} receives {actor}'s BYE on her/his WebSocket and the call ends",
  async function (this: HarnessWorld, actor: ActorName, sender: ActorName) {
    const received = await receivedOrNone(this, actor, 'BYE') // the WIC answers it once received
    const sent = await answered(this, sender)
    checkInDialogCrossed(sent.request, received, sent.response, `${actor}'s WebSocket`, hiding(this))
  },
)

Then(
  "{actor}'s CANCEL is answered 200 and her/his INVITE 487",
  async function (this: HarnessWorld, actor: ActorName) {
    const final = await settle(this, callOf(this, actor).answered())
    checkCancelled(book(this).cancel as SipResponse, final, this.env.profile.waitMs)
  },
)

Then(
  "{actor}'s call fails with {status}",
  async function (this: HarnessWorld, actor: ActorName, status: number) {
    checkFinalRelayed(await settle(this, callOf(this, actor).answered()), status, this.env.profile.waitMs)
  },
)

Then(
  "the network's call to {actor} fails with an error response",
  async function (this: HarnessWorld, actor: ActorName) {
    const final = networkOf(this).call.then((call) => call.final as SipResponse)
    const { response, waitedMs } = await finalOrSilence(this, final, actor)
    checkFlowFailed(response, waitedMs, this.env.profile.timers.T1)
  },
)

Then("{actor}'s BYE is refused and reaches nothing", async function (this: HarnessWorld, actor: ActorName) {
  const { request, response } = await answered(this, actor)
  const arrived = this.atScscf('BYE', request.get('Call-ID')).filter(
    (r) => r.get('CSeq') === request.get('CSeq'),
  )
  checkForeignInDialogRefused(request, response, arrived)
})

// --- the scenario's calls -------------------------------------------------------------------------------------------

/** The calls of one scenario: each actor's call, the network's, the last in-dialog exchange of each actor. */
interface CallBook {
  readonly calls: Map<ActorName, WicCall>
  readonly sent: Map<ActorName, { request: SipRequest; response: Promise<SipResponse> }>
  network: { call: Promise<NetworkCall>; bye?: Promise<SipResponse> } | undefined
  /** Requests sent within a dialog and their final responses (undefined: none within waitMs), ACKs included. */
  exchanges: { request: SipRequest; response: SipResponse | undefined }[]
  cancel: SipResponse | undefined
}

const books = new WeakMap<HarnessWorld, CallBook>()

function book(world: HarnessWorld): CallBook {
  let found = books.get(world)
  if (found === undefined) {
    found = { calls: new Map(), sent: new Map(), network: undefined, cancel: undefined, exchanges: [] }
    books.set(world, found)
  }
  return found
}

function placeCall(world: HarnessWorld, actor: ActorName, target: string, offer: OfferOptions = {}): WicCall {
  const call = WicCall.place(world.wic(actor), target, offer)
  book(world).calls.set(actor, call)
  return call
}

function callOf(world: HarnessWorld, actor: ActorName): WicCall {
  const call = book(world).calls.get(actor)
  if (call === undefined) throw new ScenarioMisuse(`step: ${actor} has no call in this scenario`)
  return call
}

function networkOf(world: HarnessWorld): NonNullable<CallBook['network']> {
  const network = book(world).network
  if (network === undefined) throw new ScenarioMisuse('step: the network has placed no call')
  return network
}

/** The actor's last in-dialog request and its final response (within waitMs). */
async function answered(
  world: HarnessWorld,
  actor: ActorName,
): Promise<{ request: SipRequest; response: SipResponse | undefined }> {
  const sent = book(world).sent.get(actor)
  if (sent === undefined) throw new ScenarioMisuse(`step: ${actor} sent nothing in a dialog`)
  return { request: sent.request, response: await settle(world, sent.response, sent.request.method) }
}

function lastSent(call: WicCall): SipRequest {
  const request = call.requireDialog().sent.at(-1)
  if (request === undefined) throw new ScenarioMisuse('step: nothing was sent in the dialog')
  return request
}

async function answerIncoming(world: HarnessWorld, actor: ActorName): Promise<WicCall> {
  const call = await world.guard(WicCall.incoming(world.wic(actor)))
  book(world).calls.set(actor, call)
  await world.guard(call.answer(200))
  return call
}

/**
 * A re-INVITE (with its ACK), an UPDATE and a MESSAGE within the call, one after the other; the ACK is listed with
 * the re-INVITE's 2xx as its "response" (an ACK has none of its own).
 */
async function exchangeInDialog(
  world: HarnessWorld,
  call: WicCall,
): Promise<{ request: SipRequest; response: SipResponse | undefined }[]> {
  const dialog = call.requireDialog()
  const out: { request: SipRequest; response: SipResponse | undefined }[] = []
  const actions: [string, () => Promise<SipResponse>][] = [
    ['INVITE', () => call.refresh('INVITE')],
    ['UPDATE', () => call.refresh('UPDATE')],
    ['MESSAGE', () => call.send('MESSAGE', { body: 'in the call', contentType: 'text/plain' })],
  ]
  for (const [method, action] of actions) {
    const before = dialog.sent.length
    const response = await settle(world, action(), method)
    for (const request of dialog.sent.slice(before)) out.push({ request, response })
  }
  return out
}

/** The Record-Route URIs the mock core inserts itself (everything else on a route set toward a WIC is the edge's). */
function coreRecordRoutes(world: HarnessWorld): string[] {
  return [world.env.scscf.calls.recordRouteUri]
}

/** A response settled later, with a deadline, by a Then step: no unhandled rejection meanwhile. */
function pending(response: Promise<SipResponse>): Promise<SipResponse> {
  response.catch(() => undefined)
  return response
}

function within<T>(world: HarnessWorld, promise: Promise<T>, what: string): Promise<T> {
  return world.guard(withDeadline(promise, world.env.profile.waitMs, what))
}

/** The final response to a request within waitMs, or undefined if none came (the check judges that). */
async function settle(
  world: HarnessWorld,
  final: Promise<SipResponse>,
  method = 'INVITE',
): Promise<SipResponse | undefined> {
  try {
    return await within(world, final, `a final response to the ${method}`)
  } catch (error) {
    if (error instanceof HarnessError && error.side === 'inconclusive') return undefined
    throw error
  }
}

/**
 * The call's final response, which must have `status`: a 2xx is forwarded at once (RFC 3261 §16.7 step 5), another
 * final after the proxy chose it (steps 6 and 9).
 */
async function answeredWith(world: HarnessWorld, call: WicCall, status: number): Promise<SipResponse> {
  const final = await within(world, call.answered(), `the final response to ${call.wic.observer}'s INVITE`)
  const clause = status < 300 ? 'RFC 3261 §16.7 step 5' : 'RFC 3261 §16.7 steps 6 and 9'
  expectThat(
    final.status === status,
    must(clause, { id: 'R58' }),
    () => `expected ${status} to the INVITE, got ${final.summary()}`,
  )
  return final
}

/**
 * The request of this Call-ID and CSeq at the S-CSCF, awaited for waitMs; none when it never came. Under topology
 * hiding (the eP-CSCF may map Call-ID and CSeq) the next one of the same method, in order of arrival.
 */
async function atScscf(world: HarnessWorld, sent: SipRequest | undefined): Promise<SipRequest[]> {
  if (sent === undefined) throw new ScenarioMisuse('step: nothing was sent in the dialog')
  const same = (r: SipRequest): boolean =>
    hiding(world) || (r.get('Call-ID') === sent.get('Call-ID') && r.get('CSeq') === sent.get('CSeq'))
  const description = `the ${sent.method} of ${sent.get('Call-ID') ?? '?'}`
  const waiting = world.env.scscf.expectRequest(
    { method: sent.method, predicate: same },
    { withinMs: world.env.profile.waitMs, description },
  )
  try {
    return [(await world.guard(waiting)).request]
  } catch (error) {
    if (error instanceof HarnessError && error.side === 'inconclusive') return []
    throw error
  }
}

/** Whether the profile lets the eP-CSCF hide topology (map Call-ID and CSeq: match by method and order). */
function hiding(world: HarnessWorld): boolean {
  return world.env.profile.epcscf.topology.hiding
}

/** The request of `method` the actor's WIC received in its call within waitMs, or none (the check judges that). */
async function receivedOrNone(world: HarnessWorld, actor: ActorName, method: string): Promise<SipRequest[]> {
  try {
    return [await world.guard(callOf(world, actor).receive(method, world.env.profile.waitMs))]
  } catch (error) {
    if (error instanceof HarnessError && error.side === 'inconclusive') return []
    throw error
  }
}

function inviteAtScscf(world: HarnessWorld, invite: SipRequest): SipRequest {
  const arrived = world.atScscf('INVITE', invite.get('Call-ID'))
  return single(arrived, 'the INVITE at the S-CSCF', TRAVERSES_EPCSCF)
}
