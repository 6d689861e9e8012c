import { Given, Then, When } from '@cucumber/cucumber'
import { registersFor, responsesTo, scenarioRequests } from '../support/checks/mw-traffic.ts'
import {
  checkAssertedIdentity,
  checkForwardedOnce,
  checkFlowFailed,
  checkNothingForwarded,
  checkRefusedUnregistered,
  checkRoutedAlongServiceRoute,
  checkServiceRouteEnforced,
  checkTerminatingDelivered,
  flowFailedWaitMs,
  STANDALONE_ROUTED,
  UNREGISTERED_NOT_FORWARDED,
  type TerminatingDelivery,
} from '../support/checks/routing-checks.ts'
import { checkNoBinding } from '../support/checks/registration-outcome-checks.ts'
import { REGISTRATION } from '../support/checks/requirements-registration.ts'
import { withDeadline } from '../support/deadline.ts'
import { NoAnswer, ScenarioMisuse, TransactionTimeout } from '../support/errors.ts'
import type { SipResponse } from '../support/sip/message.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

When(
  '{actor} sends a MESSAGE to {actor}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    await this.originate(from, 'MESSAGE', to)
  },
)

When(
  '{actor} sends a MESSAGE to {actor} without preloading her/his Service-Route',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    await this.originate(from, 'MESSAGE', to, { route: [] })
  },
)

When(
  '{actor} sends a MESSAGE to {actor} claiming to be {actor}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName, claimed: ActorName) {
    await this.originate(from, 'MESSAGE', to, { from: claimed })
  },
)

When(
  '{actor} sends a MESSAGE to {actor} asserting she/he is {string}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName, identity: string) {
    claims.set(this, identity)
    const asserted: [string, string][] = [['P-Asserted-Identity', `<${identity}>`]]
    await this.originate(from, 'MESSAGE', to, {
      headers: [...asserted, ['P-Preferred-Identity', `<${identity}>`]],
    })
  },
)

Then(
  "{actor}'s MESSAGE reaches the S-CSCF with a Route to the Service-Route",
  function (this: HarnessWorld, actor: ActorName) {
    const [request, sent] = [arrivedAtScscf(this, actor), serviceRouteSent(this, actor)]
    checkRoutedAlongServiceRoute(request, this.wic(actor).serviceRoute, STANDALONE_ROUTED, sent)
  },
)

Then(
  "the eP-CSCF routes {actor}'s MESSAGE along her/his Service-Route or refuses it with 400",
  function (this: HarnessWorld, actor: ActorName) {
    const { request, response } = this.lastOriginated(actor)
    const atScscf = this.atScscf(request.method, request.get('Call-ID'))
    checkServiceRouteEnforced(
      { response, atScscf },
      this.wic(actor).serviceRoute,
      serviceRouteSent(this, actor),
    )
  },
)

Then(
  "{actor}'s MESSAGE reaches the S-CSCF asserting her/his default IMPU only",
  function (this: HarnessWorld, actor: ActorName) {
    const claimed = claims.get(this) ?? this.subscriber(actor).impu
    const { impu } = this.subscriber(actor)
    checkAssertedIdentity(arrivedAtScscf(this, actor), impu, claimed, this.wic(actor).associatedUris)
  },
)

Then(
  "the eP-CSCF refuses {actor}'s MESSAGE, preferably with 403 Forbidden",
  function (this: HarnessWorld, actor: ActorName) {
    checkRefusedUnregistered(this.lastOriginated(actor).response)
  },
)

/** R49: every Mw request of the scenario counts (keep-alive probes and reg-event traffic left out). */
Then('the eP-CSCF forwarded nothing to the S-CSCF', function (this: HarnessWorld) {
  checkNothingForwarded(scenarioRequests(this.env.scscf.received), UNREGISTERED_NOT_FORWARDED)
})

/** R49: every MESSAGE on Mw since the scenario began counts, whatever its Call-ID (registrations do not). */
Then('no MESSAGE reached the S-CSCF', function (this: HarnessWorld) {
  const messages = scenarioRequests(this.env.scscf.received).filter((r) => r.method === 'MESSAGE')
  checkNothingForwarded(messages, UNREGISTERED_NOT_FORWARDED)
})

Given('{actor} has de-registered', async function (this: HarnessWorld, actor: ActorName) {
  await this.precondition(`${actor} has de-registered`, async () => {
    await this.register(actor, (wic) => wic.deregister())
    const { impu } = this.subscriber(actor)
    checkNoBinding(this.env.scscf.bindings(impu).length, impu, REGISTRATION.deregistered)
  })
})

Given("{actor}'s WebSocket has closed", async function (this: HarnessWorld, actor: ActorName) {
  await this.precondition(`${actor}'s WebSocket has closed`, () => this.wic(actor).close())
})

When('the S-CSCF sends a MESSAGE to {actor}', function (this: HarnessWorld, actor: ActorName) {
  const tx = this.env.scscf.sendTerminating({
    method: 'MESSAGE',
    to: this.subscriber(actor).impu,
    body: 'harness',
  })
  tx.response.catch(() => undefined) // awaited (with a deadline) by the Then step
  this.terminating.set(actor, tx)
})

Then(
  '{actor} receives the MESSAGE on her/his WebSocket and her/his answer reaches the S-CSCF',
  async function (this: HarnessWorld, actor: ActorName) {
    checkTerminatingDelivered(await this.guard(delivery(this, actor)))
  },
)

Then(
  "the eP-CSCF answers the S-CSCF's MESSAGE to {actor} with an error, 430 Flow Failed recommended",
  async function (this: HarnessWorld, actor: ActorName) {
    const { response, waitedMs } = await finalOrSilence(this, terminatingResponse(this, actor), actor)
    checkFlowFailed(response, waitedMs, this.env.profile.timers.T1)
  },
)

/** The identity each scenario's WIC claimed in its own P-Asserted-Identity (one scenario per world). */
const claims = new WeakMap<HarnessWorld, string>()

/** The Service-Route of the S-CSCF's last 200 OK to the actor's REGISTERs (what the eP-CSCF had to relay). */
function serviceRouteSent(world: HarnessWorld, actor: ActorName): string[] {
  const registers = registersFor(scenarioRequests(world.env.scscf.allReceived), world.subscriber(actor).impu)
  const answers = responsesTo(registers, world.env.scscf.sentResponses)
  const ok = answers.filter((r) => r.status === 200 && r.has('Service-Route'))
  return ok.at(-1)?.getAll('Service-Route') ?? []
}

/** The actor's last originated request as it reached the S-CSCF (same Call-ID): exactly one. */
function arrivedAtScscf(world: HarnessWorld, actor: ActorName) {
  const { request } = world.lastOriginated(actor)
  const atScscf = world.atScscf(request.method, request.get('Call-ID'))
  return checkForwardedOnce(atScscf, `${actor}'s ${request.method} at the S-CSCF`)
}

function terminatingResponse(world: HarnessWorld, actor: ActorName): Promise<SipResponse> {
  const tx = world.terminating.get(actor)
  if (tx === undefined) throw new ScenarioMisuse(`the S-CSCF has sent nothing to ${actor}`)
  return tx.response
}

function terminatingAnswer(world: HarnessWorld, actor: ActorName): Promise<SipResponse> {
  return withDeadline(
    terminatingResponse(world, actor),
    world.env.profile.waitMs,
    `a final response from the eP-CSCF to the S-CSCF's request for ${actor}`,
  )
}

/**
 * The eP-CSCF's final answer to a request for the actor's closed flow, or undefined when none came within 64·T1 plus
 * waitMs (`flowFailedWaitMs`; the check judges silence), and how long was waited.
 */
export async function finalOrSilence(
  world: HarnessWorld,
  final: Promise<SipResponse>,
  actor: ActorName,
): Promise<{ response: SipResponse | undefined; waitedMs: number }> {
  const { timers, waitMs } = world.env.profile
  const start = Date.now()
  const what = `a final response from the eP-CSCF to the request for ${actor}'s closed WebSocket`
  try {
    // guard first: silence from a SUT that died is an environment error (SutDied), not this defect.
    const response = await world.guard(withDeadline(final, flowFailedWaitMs(timers.T1, waitMs), what))
    return { response, waitedMs: Date.now() - start }
  } catch (error) {
    if (error instanceof NoAnswer || error instanceof TransactionTimeout)
      return { response: undefined, waitedMs: Date.now() - start }
    throw error
  }
}

/**
 * The terminating request reaches the actor's WIC (which answers 200) or the eP-CSCF answers the S-CSCF itself;
 * whichever comes first. Neither within the deadline is a NoAnswer (inconclusive).
 */
async function delivery(world: HarnessWorld, actor: ActorName): Promise<TerminatingDelivery> {
  const wic = world.wic(actor)
  const answer = terminatingAnswer(world, actor)
  const received = wic.expectRequest('MESSAGE')
  // The race's loser settles later: its rejection is handled here, not left unhandled.
  for (const pending of [answer, received]) pending.catch(() => undefined)
  const first = await Promise.race([
    received.then((request) => ({ request })),
    answer.then((response) => ({ response })),
  ])
  if ('response' in first) return { delivered: false, answerAtScscf: first.response }
  await wic.respond(first.request, 200)
  return { delivered: true, answerAtScscf: await answer }
}
