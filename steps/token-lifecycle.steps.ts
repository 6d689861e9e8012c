import { Given, Then, When } from '@cucumber/cucumber'
import { registersFor, scenarioRequests } from '../support/checks/mw-traffic.ts'
import { TOKEN, tokenValidated } from '../support/checks/requirements-registration.ts'
import { checkEdgeSurvived, type SurvivalOutcome } from '../support/checks/robustness-checks.ts'
import {
  checkNoBearerOnMw,
  checkNothingOnMw,
  checkTokenRefused,
  checkTrustedNodeAuthorization,
} from '../support/checks/token-checks.ts'
import {
  checkOversizedRefused,
  checkRefreshRefused,
  checkTokenStrippedFromRequest,
  type RegisterOrClose,
} from '../support/checks/token-lifecycle-checks.ts'
import { HarnessError, ScenarioMisuse, SutDied, TransportClosed } from '../support/errors.ts'
import type { RegisterOptions, Wic } from '../support/wic/wic.ts'
import type { SipResponse } from '../support/sip/message.ts'
import { initialDigestAuthorization } from '../support/wic/digest-responder.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { relayed } from './registration.steps.ts'

/** Where the Mw log stood when the step under judgement began. */
const marks = new WeakMap<HarnessWorld, number>()
/** Every token the actor held in the scenario (a new login replaces the one `world.token` gives). */
const heldTokens = new WeakMap<HarnessWorld, string[]>()
/** The REGISTER with an oversized token: its final response, or the WebSocket closed under it. */
const oversized = new WeakMap<HarnessWorld, RegisterOrClose>()

/** Bearer credentials with `token` as the profile carries them, and the IMPI beside them if it says so. */
export function withToken(world: HarnessWorld, actor: ActorName, token: string): RegisterOptions {
  const { carriage, impi } = world.env.profile.wwsf
  const { domain } = world.env.profile
  const username = world.subscriber(actor).impi
  const extra: [string, string][] =
    impi === 'digest-username'
      ? [['Authorization', initialDigestAuthorization({ username, realm: domain, uri: `sip:${domain}` })]]
      : []
  return { authorization: { bearer: token, carriage }, extraHeaders: extra }
}

/** The actor's WIC refreshes or ends its registration with `token`, the Mw log marked where it began. */
export function registerAgain(
  world: HarnessWorld,
  actor: ActorName,
  kind: 'refresh' | 'de-register',
  token: string,
): Promise<unknown> {
  mark(world)
  const options = withToken(world, actor, token)
  const action = (wic: Wic) => (kind === 'refresh' ? wic.reRegister(options) : wic.deregister(options))
  return relayed(world, actor, world.register(actor, action))
}

export function mark(world: HarnessWorld): void {
  marks.set(world, world.env.scscf.allReceived.length)
}

/** The scenario's Mw requests since the mark (OPTIONS probes and reg-event subscriptions left out). */
export function sinceMark(world: HarnessWorld) {
  return scenarioRequests(world.env.scscf.allReceived.slice(marks.get(world) ?? 0))
}

When(
  '{actor} logs in at the WWSF again and refreshes her/his registration with the new token',
  async function (this: HarnessWorld, actor: ActorName) {
    await loginAgain(this, actor)
    await registerAgain(this, actor, 'refresh', this.token(actor))
  },
)

When('{actor} de-registers with her/his token', async function (this: HarnessWorld, actor: ActorName) {
  await registerAgain(this, actor, 'de-register', this.token(actor))
})

Given('{actor} has de-registered with her/his token', async function (this: HarnessWorld, actor: ActorName) {
  await this.precondition(`${actor} has de-registered with her/his token`, async () => {
    const options = withToken(this, actor, this.token(actor))
    const { final } = await this.register(actor, (wic) => wic.deregister(options))
    if (final.status !== 200) throw new Error(`the de-registration got ${final.summary()}`)
  })
})

Then(
  /^the (refresh|de-registration) at the S-CSCF says auth-done for (Alice|Bob|Carol)'s IMPI in exactly one Digest Authorization$/,
  function (this: HarnessWorld, _what: string, actor: ActorName) {
    const { impu, impi } = this.subscriber(actor)
    checkTrustedNodeAuthorization(registersFor(sinceMark(this), impu), impi)
  },
)

Then("neither of {actor}'s tokens reaches the S-CSCF", function (this: HarnessWorld, actor: ActorName) {
  const mw = scenarioRequests(this.env.scscf.allReceived)
  for (const token of heldTokens.get(this) ?? [this.token(actor)]) checkNoBearerOnMw(mw, token)
})

When(
  '{actor} refreshes her/his registration with a token that has expired',
  async function (this: HarnessWorld, actor: ActorName) {
    await registerAgain(this, actor, 'refresh', await this.hostileToken(actor, 'expired'))
  },
)

Then(
  "the eP-CSCF refuses {actor}'s refresh with a 4xx and nothing of it reaches the S-CSCF",
  function (this: HarnessWorld, actor: ActorName) {
    const { final } = this.lastRegistration(actor)
    checkRefreshRefused(final, sinceMark(this), `${actor}'s refresh with an expired token`)
  },
)

When(
  "{actor} registers {actor}'s public identity on her/his WebSocket with her/his token",
  async function (this: HarnessWorld, actor: ActorName, other: ActorName) {
    const request = registerFor(this, actor, other)
    mark(this)
    this.originated.set(actor, { request, response: await this.guard(this.wic(actor).request(request)) })
  },
)

Then(
  "the eP-CSCF refuses {actor}'s REGISTER for {actor} with a 4xx and nothing of it reaches the S-CSCF",
  function (this: HarnessWorld, actor: ActorName, other: ActorName) {
    const { response } = this.lastOriginated(actor)
    const what = `${actor}'s REGISTER for ${other}'s identity with ${actor}'s token`
    checkRefreshRefused(response, sinceMark(this), what, TOKEN.identityBound)
  },
)

When(
  '{actor} sends a {word} to {actor} carrying her/his Bearer token',
  async function (this: HarnessWorld, actor: ActorName, method: string, target: ActorName) {
    await this.originate(actor, method, target)
    const { request } = this.lastOriginated(actor)
    if (!request.getAll('Authorization').some((v) => v.includes(this.token(actor))))
      throw new ScenarioMisuse(
        `${actor}'s ${method} does not carry her token (TS 24.371 §7.2.1 repetition is off)`,
      )
  },
)

Then(
  "the {word} reached the S-CSCF without {actor}'s token",
  function (this: HarnessWorld, method: string, actor: ActorName) {
    const { request, response } = this.lastOriginated(actor)
    const atMw = this.atScscf(method, request.get('Call-ID'))
    checkTokenStrippedFromRequest(response, atMw, method, this.token(actor))
  },
)

When(
  '{actor} registers with an oversized token, 64 KiB and altered after signing',
  async function (this: HarnessWorld, actor: ActorName) {
    const token = await this.hostileToken(actor, 'oversized')
    oversized.set(this, await registerOrClose(this.registerWithToken(actor, token)))
  },
)

Then(
  "the eP-CSCF refuses the oversized token with a 4xx or closes {actor}'s WebSocket",
  function (this: HarnessWorld, _actor: ActorName) {
    checkOversizedRefused(oversized.get(this), tokenValidated('oversized'))
  },
)

Then(
  'a fresh WIC of {actor} still registers with her/his token',
  async function (this: HarnessWorld, actor: ActorName) {
    checkEdgeSurvived(await freshTokenRegistration(this, actor, 'an oversized token'))
  },
)

Given('the profile refuses a replayed token', function (this: HarnessWorld) {
  const policy = this.env.profile.epcscf.token.jtiReplay
  return policy === 'refuse' ? undefined : this.notApplicable(`epcscf.token.jtiReplay is "${policy}"`)
})

When(
  'another WebSocket registers {actor} with her/his token again',
  async function (this: HarnessWorld, actor: ActorName) {
    const origin = this.env.profile.epcscf.origin.allowed[0]
    await this.connect(actor, origin, ['sip'], { name: `${actor.toLowerCase()}-replay` })
    mark(this)
    await relayed(this, actor, this.registerWithToken(actor, this.token(actor)))
  },
)

Then('the replayed token is refused by the eP-CSCF', function (this: HarnessWorld) {
  const { final } = this.lastRegistration('Alice')
  checkTokenRefused(final, "a replay of Alice's token on another WebSocket", tokenValidated('replayed'))
})

Then("nothing of the replayed token's registration reached the S-CSCF", function (this: HarnessWorld) {
  checkNothingOnMw(sinceMark(this), "the replayed token's registration", tokenValidated('replayed'))
})

/** A second login at the WWSF: the new token replaces the one `world.token` gives; both are kept here. */
async function loginAgain(world: HarnessWorld, actor: ActorName): Promise<void> {
  heldTokens.set(world, [world.token(actor)])
  if ((await world.login(actor)) !== 200) throw new ScenarioMisuse(`the WWSF refused ${actor}'s second login`)
  heldTokens.get(world)?.push(world.token(actor))
}

/** A REGISTER of `other`'s IMPU (To) on the actor's WebSocket, the actor's token repeated on it (TS 24.371 §7.2.1). */
function registerFor(world: HarnessWorld, actor: ActorName, other: ActorName) {
  const to = `<${world.subscriber(other).impu}>`
  const headers: [string, string][] = [['Expires', '600']]
  const request = world
    .wic(actor)
    .createRequest('REGISTER', `sip:${world.env.profile.domain}`, { to, contact: true, headers })
  if (!request.getAll('Authorization').some((v) => /^\s*bearer\s/i.test(v)))
    throw new ScenarioMisuse(
      `${actor}'s WIC did not put her token on the REGISTER (TS 24.371 §7.2.1 repetition)`,
    )
  return request
}

/** The final response to a REGISTER, or the WebSocket closed under it (an answer of its own). */
async function registerOrClose(registration: Promise<{ final: SipResponse }>): Promise<RegisterOrClose> {
  try {
    return { final: (await registration).final }
  } catch (error) {
    if (!(error instanceof TransportClosed)) throw error
    return { closed: error.message }
  }
}

/** A fresh WIC of the actor connects and registers with the actor's token; a failure to do so is the outcome. */
async function freshTokenRegistration(
  world: HarnessWorld,
  actor: ActorName,
  after: string,
): Promise<SurvivalOutcome> {
  try {
    const name = `${actor.toLowerCase()}-fresh`
    await world.connect(actor, world.env.profile.epcscf.origin.allowed[0], ['sip'], { name })
    const { final } = await world.registerWithToken(actor, world.token(actor))
    return { after, status: final.status, error: undefined }
  } catch (error) {
    const ours = error instanceof HarnessError && error.side !== 'sut' && error.side !== 'inconclusive'
    if (ours && !(error instanceof SutDied)) throw error
    return { after, status: undefined, error: error instanceof Error ? error.message : String(error) }
  }
}
