import { Given, Then, When } from '@cucumber/cucumber'
import {
  checkEachInstanceReached,
  checkInternalRouteNotFollowed,
  checkNewFlowReached,
  checkTamperedTokenRefused,
  checkTooManyHops,
  checkUntrustedNotDelivered,
  type FlowDelivery,
  type Refusal,
} from '../support/checks/edge-routing-checks.ts'
import { checkClaimNotAsserted, checkPreferredAsserted } from '../support/checks/identity-checks.ts'
import { checkForwardedOnce } from '../support/checks/routing-checks.ts'
import { withDeadline } from '../support/deadline.ts'
import {
  InconclusiveError,
  NoAnswer,
  PreconditionFailed,
  ScenarioMisuse,
  TransactionTimeout,
} from '../support/errors.ts'
import type { Binding } from '../support/scscf/binding-store.ts'
import { UntrustedNode, withTamperedToken } from '../support/scscf/spoofed-requests.ts'
import type { SipRequest, SipResponse } from '../support/sip/message.ts'
import { parseNameAddr } from '../support/sip/name-addr.ts'
import type { Wic } from '../support/wic/wic.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

Given(
  "{actor}'s registration with a wrong password has failed",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor}'s registration failed`, () => failedRegistration(this, actor))
  },
)

Given(
  '{actor} is registered again from a second instance on another WebSocket',
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`a second instance of ${actor} is registered`, () =>
      registerAnother(this, actor, 'second'),
    )
  },
)

Given(
  '{actor} is registered again from a new WebSocket with the same instance',
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor} is registered from a new WebSocket`, () =>
      registerAnother(this, actor, 'same'),
    )
  },
)

When(
  '{actor} sends a MESSAGE to {actor} preferring her/his registered tel URI',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    const tel = this.wic(from).associatedUris.find((uri) => /^tel:/i.test(uri))
    if (tel === undefined)
      return this.notApplicable(`${from}'s registration gave no tel URI (P-Associated-URI)`)
    await this.originate(from, 'MESSAGE', to, { headers: [['P-Preferred-Identity', `<${tel}>`]] })
    return undefined
  },
)

When(
  "{actor} sends a MESSAGE to {actor} preferring {actor}'s identity",
  async function (this: HarnessWorld, from: ActorName, to: ActorName, claimed: ActorName) {
    const preferred = `<${this.subscriber(claimed).impu}>`
    await this.originate(from, 'MESSAGE', to, { headers: [['P-Preferred-Identity', preferred]] })
  },
)

When(
  '{actor} sends a MESSAGE to {actor} preloading a Route to an internal node',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    await this.originate(from, 'MESSAGE', to, { route: [`<${internalNode(this)}>`] })
  },
)

When(
  '{actor} sends a MESSAGE to {actor} with Max-Forwards 0',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    const wic = this.wic(from)
    const request = wic.createRequest('MESSAGE', this.subscriber(to).impu, {
      body: 'hops',
      contentType: 'text/plain',
    })
    this.originated.set(from, {
      request,
      response: await this.guard(wic.request(request.set('Max-Forwards', '0'))),
    })
  },
)

When(
  "the S-CSCF sends a MESSAGE to each of {actor}'s registered instances",
  function (this: HarnessWorld, actor: ActorName) {
    for (const binding of this.env.scscf.bindings(this.subscriber(actor).impu))
      book(this).sent.push({
        intended: ownerOf(this, actor, binding).name,
        ...terminating(this, actor, binding),
      })
  },
)

When(
  'the S-CSCF sends a MESSAGE to {actor} along her/his Path with a tampered flow token',
  function (this: HarnessWorld, actor: ActorName) {
    const tampered = withTamperedToken(latestBinding(this, actor))
    if (tampered === undefined)
      return this.notApplicable("the eP-CSCF's Path URI has no user part (flow token)")
    book(this).sent.push({ intended: this.wic(actor).name, ...terminating(this, actor, tampered) })
    return undefined
  },
)

When(
  'a node outside the core sends a MESSAGE to {actor} along her/his Path',
  async function (this: HarnessWorld, actor: ActorName) {
    const node = await untrustedNode(this)
    if (node === undefined)
      return this.notApplicable('no second loopback address beside the S-CSCF (IPv4 only)')
    const init = { method: 'MESSAGE', to: this.subscriber(actor).impu, body: 'spoof' }
    const tx = node.send(latestBinding(this, actor), init, this.env.profile.scscf.hostnames)
    book(this).sent.push({ intended: this.wic(actor).name, ...tx })
    return undefined
  },
)

Then(
  "{actor}'s MESSAGE reaches the S-CSCF asserting the identity she/he preferred",
  function (this: HarnessWorld, actor: ActorName) {
    const { request } = this.lastOriginated(actor)
    const arrived = checkForwardedOnce(
      this.atScscf('MESSAGE', request.get('Call-ID')),
      `${actor}'s MESSAGE at the S-CSCF`,
    )
    checkPreferredAsserted(
      arrived,
      uriOf(request.get('P-Preferred-Identity')),
      this.wic(actor).associatedUris,
    )
  },
)

Then(
  "{actor}'s MESSAGE is refused or reaches the S-CSCF asserting only {actor}'s own identities",
  function (this: HarnessWorld, actor: ActorName, owner: ActorName) {
    const { request, response } = this.lastOriginated(actor)
    const claimed = uriOf(request.get('P-Preferred-Identity') ?? request.get('From'))
    const atScscf = this.atScscf('MESSAGE', request.get('Call-ID'))
    checkClaimNotAsserted({ response, atScscf }, claimed, this.wic(owner).associatedUris)
  },
)

Then(
  "{actor}'s MESSAGE does not reach the internal node: it follows her/his Service-Route or gets 400",
  function (this: HarnessWorld, actor: ActorName) {
    const { request, response } = this.lastOriginated(actor)
    const atScscf = this.atScscf('MESSAGE', request.get('Call-ID'))
    checkInternalRouteNotFollowed({ response, atScscf }, internalNode(this), this.wic(actor).serviceRoute)
  },
)

Then(
  "the eP-CSCF answers {actor}'s MESSAGE 483 and forwards nothing",
  function (this: HarnessWorld, actor: ActorName) {
    const { request, response } = this.lastOriginated(actor)
    checkTooManyHops(response, this.atScscf('MESSAGE', request.get('Call-ID')))
  },
)

Then(
  "each of {actor}'s WICs receives the MESSAGE for its own registration",
  async function (this: HarnessWorld, actor: ActorName) {
    const deliveries: FlowDelivery[] = []
    for (const sent of book(this).sent) deliveries.push(await observe(this, actor, sent))
    checkEachInstanceReached(deliveries)
  },
)

Then(
  "only {actor}'s newest WebSocket receives the MESSAGE",
  async function (this: HarnessWorld, actor: ActorName) {
    const tx = this.terminating.get(actor)
    if (tx === undefined) throw new ScenarioMisuse(`the S-CSCF has sent nothing to ${actor}`)
    checkNewFlowReached(await observe(this, actor, { intended: this.wic(actor).name, ...tx }))
  },
)

Then(
  'the eP-CSCF does not deliver the tampered MESSAGE, preferably answering 403',
  async function (this: HarnessWorld) {
    checkTamperedTokenRefused(await refusal(this))
  },
)

Then(
  'the eP-CSCF does not deliver the untrusted MESSAGE to {actor}',
  async function (this: HarnessWorld, _actor: ActorName) {
    checkUntrustedNotDelivered(await refusal(this))
  },
)

// --- the scenario's instances and terminating requests --------------------------------------------------------------

interface Sent {
  /** The name of the WIC the request is meant for. */
  readonly intended: string
  readonly request: SipRequest
  readonly response: Promise<SipResponse>
}

interface IdentityBook {
  /** Every WIC of each actor in this scenario, oldest first. */
  readonly instances: Map<ActorName, Wic[]>
  readonly sent: Sent[]
}

const books = new WeakMap<HarnessWorld, IdentityBook>()

function book(world: HarnessWorld): IdentityBook {
  let found = books.get(world)
  if (found === undefined) {
    found = { instances: new Map(), sent: [] }
    books.set(world, found)
  }
  return found
}

function instancesOf(world: HarnessWorld, actor: ActorName): Wic[] {
  const known = book(world).instances.get(actor) ?? []
  const current = world.wic(actor)
  return known.includes(current) ? known : [...known, current]
}

/** A wrong password: the S-CSCF refuses (403 after the challenge); the WIC is left unregistered. */
async function failedRegistration(world: HarnessWorld, actor: ActorName): Promise<void> {
  const outcome = await world.register(actor, (wic) => wic.register({ password: 'not-the-password' }))
  if (outcome.final.status < 300 || world.env.scscf.bindings(world.subscriber(actor).impu).length > 0)
    throw new PreconditionFailed(
      `${actor}'s registration with a wrong password got ${outcome.final.summary()}`,
    )
}

/**
 * Another WIC of the actor on a new WebSocket registers: a second instance (its own +sip.instance), or the same
 * instance again (a browser reload, RFC 5626 §4.2: the same instance and reg-id replace the binding). The new WIC
 * becomes the actor's WIC; the older ones stay open.
 */
async function registerAnother(
  world: HarnessWorld,
  actor: ActorName,
  instance: 'second' | 'same',
): Promise<void> {
  const before = instancesOf(world, actor)
  const first = before[0] as Wic
  const name = `${actor.toLowerCase()}-${before.length + 1}`
  const origin = world.env.profile.epcscf.origin.allowed[0]
  const id = instance === 'same' ? { instanceId: first.identity.instanceId } : {}
  const wic = await world.connect(actor, origin, ['sip'], { name, ...id })
  book(world).instances.set(actor, [...before, wic])
  const outcome = await world.register(actor, (w) => w.register())
  if (outcome.final.status !== 200) throw new PreconditionFailed(`${name} got ${outcome.final.summary()}`)
  const bindings = world.env.scscf.bindings(world.subscriber(actor).impu).length
  const expected = instance === 'same' ? 1 : before.length + 1
  if (bindings !== expected)
    throw new PreconditionFailed(`the S-CSCF holds ${bindings} binding(s) of ${actor}, expected ${expected}`)
}

/** The WIC whose contact a binding registered (by the contact's user part, which the WIC chose). */
function ownerOf(world: HarnessWorld, actor: ActorName, binding: Binding): Wic {
  const owner = instancesOf(world, actor).find((wic) =>
    binding.contactUri.toLowerCase().startsWith(`sip:${wic.identity.contactUser.toLowerCase()}@`),
  )
  if (owner === undefined) throw new ScenarioMisuse(`no WIC of ${actor} registered ${binding.contactUri}`)
  return owner
}

function latestBinding(world: HarnessWorld, actor: ActorName): Binding {
  const binding = world.env.scscf
    .bindings(world.subscriber(actor).impu)
    .sort((a, b) => b.registeredAt - a.registeredAt)[0]
  if (binding === undefined) throw new ScenarioMisuse(`${actor} has no binding at the S-CSCF`)
  return binding
}

function terminating(world: HarnessWorld, actor: ActorName, binding: Binding): Omit<Sent, 'intended'> {
  const tx = world.env.scscf.sendTerminating({
    method: 'MESSAGE',
    to: world.subscriber(actor).impu,
    body: 'harness',
    binding,
  })
  tx.response.catch(() => undefined) // awaited, with a deadline, by the Then step
  return tx
}

/** An internal node of the core the WIC must not reach: a URI at the S-CSCF's address that is no Service-Route. */
function internalNode(world: HarnessWorld): string {
  return `sip:internal-as@${world.env.scscf.hostPort};lr`
}

/** A node on another loopback address than the S-CSCF (127.0.0.2 beside 127.0.0.1), closed at teardown. */
async function untrustedNode(world: HarnessWorld): Promise<UntrustedNode | undefined> {
  if (world.env.scscf.address !== '127.0.0.1') return undefined
  const node = await UntrustedNode.open({
    address: '127.0.0.2',
    trace: world.env.trace,
    timers: world.env.profile.timers,
  })
  world.teardown.defer('close the untrusted node', () => node.close())
  return node
}

function uriOf(value: string | undefined): string {
  if (value === undefined) throw new ScenarioMisuse('the request carries no identity to compare')
  return parseNameAddr(value).uri.raw
}

/** The one request of the scenario that must not be delivered, observed on every WIC of its actor. */
async function refusal(world: HarnessWorld): Promise<Refusal> {
  const sent = book(world).sent[0]
  if (sent === undefined) throw new ScenarioMisuse('nothing was sent toward a WIC')
  const actor = [...world.wics.entries()].find(([, wic]) => wic.name === sent.intended)?.[0] ?? 'Alice'
  const seen = await observe(world, actor, sent)
  return { delivered: seen.receivedBy.length > 0, answer: seen.answer, waitedMs: world.env.profile.waitMs }
}

/**
 * Where a request sent toward the actor's WICs arrived: the first WIC to receive it answers 200; then the final
 * response at the sender is awaited. Nothing within waitMs is an outcome here (a silent drop), not an error.
 */
async function observe(world: HarnessWorld, actor: ActorName, sent: Sent): Promise<FlowDelivery> {
  const waitMs = world.env.profile.waitMs
  const callId = sent.request.get('Call-ID')
  const receivedBy: string[] = []
  const arrivals = instancesOf(world, actor).map((wic) =>
    wic
      .expectMessage(
        {
          description: `the request ${callId ?? ''}`,
          predicate: (m) => m.isRequest() && m.get('Call-ID') === callId,
        },
        waitMs,
      )
      .then((request) => {
        receivedBy.push(wic.name)
        return { wic, request: request as SipRequest }
      }),
  )
  const answer = withDeadline(sent.response, waitMs, `a final response to ${sent.request.summary()}`)
  for (const pending of [answer, ...arrivals]) pending.catch(() => undefined)
  const first = await inconclusiveAsNothing(
    world,
    Promise.race([...arrivals, answer.then((response) => ({ response }))]),
  )
  if (first !== undefined && 'wic' in first) await first.wic.respond(first.request, 200)
  const final = await silenceAsNothing(world, answer)
  return { intended: sent.intended, receivedBy, answer: final }
}

/** The final response, or undefined when none came in time; a transport failure stays an error (INCONCLUSIVE). */
async function silenceAsNothing(
  world: HarnessWorld,
  answer: Promise<SipResponse>,
): Promise<SipResponse | undefined> {
  try {
    return await world.guard(answer)
  } catch (error) {
    if (error instanceof NoAnswer || error instanceof TransactionTimeout) return undefined
    throw error
  }
}

async function inconclusiveAsNothing<T>(world: HarnessWorld, promise: Promise<T>): Promise<T | undefined> {
  try {
    return await world.guard(promise)
  } catch (error) {
    if (error instanceof InconclusiveError) return undefined
    throw error
  }
}
