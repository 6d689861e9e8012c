import { Given, Then, When } from '@cucumber/cucumber'
import {
  checkContactKeepsInstance,
  checkChargingVectors,
  checkDigestIntegrityProtected,
  checkMaxForwardsDecremented,
  checkOwnViaOnTop,
  checkPathToEpcscf,
  checkRefresh,
  checkRequireOption,
  checkTopViaOnMw,
} from '../support/checks/register-checks.ts'
import {
  answersToTransaction,
  checkAnsweredWith,
  checkBinding,
  checkChallengeOrder,
  checkChallengeRelayed,
  checkFinalRelayed,
  checkNoBinding,
  checkNoChargingHeaders,
  checkRegistered,
  checkWicIntegrityNotTrusted,
  relayedOrFail,
} from '../support/checks/registration-outcome-checks.ts'
import { firstOf } from '../support/checks/expectations.ts'
import type { MustRequirement } from '../support/checks/requirement.ts'
import { ScenarioMisuse } from '../support/errors.ts'
import { registersFor, responsesTo, scenarioRequests } from '../support/checks/mw-traffic.ts'
import { REGISTRATION, TOKEN } from '../support/checks/requirements-registration.ts'
import type { Wic, RegistrationOutcome } from '../support/wic/wic.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

Given(
  "{actor}'s WIC is connected to the eP-CSCF from the authorized WWSF origin",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor}'s WIC is connected`, () =>
      this.connect(actor, this.env.profile.epcscf.origin.allowed[0]),
    )
  },
)

Given(
  'the S-CSCF challenges with {algorithms}',
  function (this: HarnessWorld, algorithms: ('MD5' | 'SHA-256')[]) {
    this.env.scscf.setAlgorithms(algorithms)
  },
)

/** A precondition that proves what it says: 200 at the WIC and a binding at the S-CSCF. */
Given('{actor} is registered with IMS digest', async function (this: HarnessWorld, actor: ActorName) {
  await this.precondition(`${actor} is registered with IMS digest`, async () => {
    checkRegistered(
      (await registerRelayed(this, actor, (wic) => wic.register())).final,
      actor,
      okSent(this, actor),
    )
    checkBinding(bindingCount(this, actor), this.subscriber(actor).impu, REGISTRATION.digestForwarded)
  })
})

When('{actor} registers with IMS digest', async function (this: HarnessWorld, actor: ActorName) {
  await registerRelayed(this, actor, (wic) => wic.register())
})

When(
  '{actor} registers with IMS digest using a wrong password',
  async function (this: HarnessWorld, actor: ActorName) {
    await registerRelayed(this, actor, (wic) => wic.register({ password: 'not-the-password' }))
  },
)

When(
  '{actor} registers with IMS digest claiming integrity-protected {string}',
  async function (this: HarnessWorld, actor: ActorName, value: string) {
    await registerRelayed(this, actor, (wic) => wic.register({ integrityProtected: value }))
  },
)

When('{actor} refreshes her/his registration', async function (this: HarnessWorld, actor: ActorName) {
  await registerRelayed(this, actor, (wic) => wic.reRegister())
})

When('{actor} de-registers', async function (this: HarnessWorld, actor: ActorName) {
  await registerRelayed(this, actor, (wic) => wic.deregister())
})

Then("{actor}'s registration succeeds", function (this: HarnessWorld, actor: ActorName) {
  checkRegistered(this.lastRegistration(actor).final, actor, okSent(this, actor))
})

Then(
  'the 200 OK relayed to {actor} carries no P-Charging-Vector or P-Charging-Function-Addresses',
  function (this: HarnessWorld, actor: ActorName) {
    checkNoChargingHeaders(this.lastRegistration(actor).final, answersAtMw(this, actor))
  },
)

Then("{actor}'s de-registration succeeds", function (this: HarnessWorld, actor: ActorName) {
  const { final } = this.lastRegistration(actor)
  checkFinalRelayed(final, 200, answersToLast(this, actor), REGISTRATION.deregistered)
})

Then(
  "{actor}'s registration is refused with {status}",
  function (this: HarnessWorld, actor: ActorName, status: number) {
    const { final } = this.lastRegistration(actor)
    checkFinalRelayed(final, status, answersToLast(this, actor), REGISTRATION.failureRelayed)
  },
)

Then('the S-CSCF holds a binding for {actor}', function (this: HarnessWorld, actor: ActorName) {
  const req = this.tokens.has(actor) ? TOKEN.accepted : REGISTRATION.digestForwarded
  checkBinding(bindingCount(this, actor), this.subscriber(actor).impu, req)
})

Then('the S-CSCF holds no binding for {actor}', function (this: HarnessWorld, actor: ActorName) {
  checkNoBinding(bindingCount(this, actor), this.subscriber(actor).impu, REGISTRATION.failureRelayed)
})

Then('the S-CSCF no longer holds a binding for {actor}', function (this: HarnessWorld, actor: ActorName) {
  checkNoBinding(bindingCount(this, actor), this.subscriber(actor).impu, REGISTRATION.deregistered)
})

Then(
  "the S-CSCF never sees {actor}'s integrity-protected {string} and registers her/him only after a digest challenge, unless the eP-CSCF refused the REGISTER",
  function (this: HarnessWorld, actor: ActorName, claimed: string) {
    const { final } = this.lastRegistration(actor)
    checkWicIntegrityNotTrusted(final, mwRequests(this), answersAtMw(this, actor), claimed)
  },
)

Then(
  '{actor} answered the challenge with {algorithms}',
  function (this: HarnessWorld, actor: ActorName, [algorithm]: string[]) {
    checkAnsweredWith(forwarded(this, actor), algorithm ?? '', actor)
  },
)

Then(
  'the challenge reaches {actor} with {algorithms} before {algorithms}',
  function (this: HarnessWorld, actor: ActorName, first: string[], second: string[]) {
    checkChallengeOrder(relayedChallenge(this, actor), [...first, ...second], actor)
  },
)

Then('the challenge reaches {actor} unchanged', function (this: HarnessWorld, actor: ActorName) {
  const sent = answersAtMw(this, actor).filter((r) => r.status === 401)
  const challenge = firstOf(sent, 'a 401 sent by the S-CSCF', REGISTRATION.challengeRelayed)
  checkChallengeRelayed(challenge, relayedChallenge(this, actor))
})

Then(
  'the refresh reached the S-CSCF with the same Call-ID, a higher CSeq and a Path to the same eP-CSCF',
  function (this: HarnessWorld) {
    const registers = registersOnMw(this)
    const first = firstOf(registers, 'the first REGISTER at the S-CSCF', REGISTRATION.refresh)
    const refresh = firstOf(
      registers.slice(1).reverse(),
      'the refresh REGISTER at the S-CSCF',
      REGISTRATION.refresh,
    )
    checkRefresh(first, refresh, this.env.profile.epcscf.topology)
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF has the eP-CSCF's Via on top of {actor}'s",
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, fwd] = firstPair(this, actor, REGISTRATION.ownVia)
    checkOwnViaOnTop(sent, fwd, this.env.profile.epcscf.topology)
  },
)

Then(
  'the REGISTER forwarded to the S-CSCF has Max-Forwards one less than {actor} sent',
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, fwd] = firstPair(this, actor, REGISTRATION.maxForwards)
    const { vias, hiding } = this.env.profile.epcscf.topology
    checkMaxForwardsDecremented(sent, fwd, vias, hiding)
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF has a Path to the eP-CSCF's Mw address",
  function (this: HarnessWorld) {
    const fwd = firstOf(registersOnMw(this), 'a REGISTER at the S-CSCF (from the eP-CSCF)', REGISTRATION.path)
    const { epcscf, scscf } = this.env.profile
    checkPathToEpcscf(fwd, {
      address: epcscf.mw.address,
      port: this.env.ports.mw,
      hostnames: scscf.hostnames,
    })
  },
)

Then('the REGISTER forwarded to the S-CSCF has {string}', function (this: HarnessWorld, header: string) {
  const fwd = firstOf(registersOnMw(this), 'a REGISTER at the S-CSCF', REGISTRATION.requirePath)
  const option = header.match(/^Require:\s*(\S+)$/i)?.[1]
  if (option === undefined) throw new ScenarioMisuse(`step: unsupported header check "${header}"`)
  checkRequireOption(fwd, option.toLowerCase())
})

Then(
  'every REGISTER forwarded to the S-CSCF has a P-Charging-Vector with its own icid-value',
  function (this: HarnessWorld) {
    checkChargingVectors(registersOnMw(this))
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF keeps {actor}'s +sip.instance and reg-id",
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, fwd] = firstPair(this, actor, REGISTRATION.contactInstance)
    checkContactKeepsInstance(sent, fwd)
  },
)

Then(
  /^no REGISTER forwarded to the S-CSCF carries integrity-protected "yes", "no", "tls-connected" or "auth-done"$/,
  function (this: HarnessWorld) {
    checkDigestIntegrityProtected(registersOnMw(this))
  },
)

Then(
  'every REGISTER forwarded to the S-CSCF carries an integrity-protected value the profile allows for digest',
  function (this: HarnessWorld) {
    checkDigestIntegrityProtected(registersOnMw(this), this.env.profile.epcscf.digest.integrityProtected)
  },
)

/**
 * The actor's registration, judged when no final response comes back: a REGISTER that reached the S-CSCF without
 * the eP-CSCF's Via is a FAIL (R19), and so is a final response the S-CSCF sent that never reached the WIC (R58).
 */
export function relayed(
  world: HarnessWorld,
  actor: ActorName,
  registration: Promise<RegistrationOutcome>,
): Promise<RegistrationOutcome> {
  const viaOfWhatArrived = () => {
    const fwd = forwarded(world, actor)[0]
    if (fwd !== undefined) checkTopViaOnMw(fwd, world.env.profile.epcscf.topology)
  }
  return relayedOrFail(registration, () => answersToLast(world, actor), actor, viaOfWhatArrived)
}

function registerRelayed(
  world: HarnessWorld,
  actor: ActorName,
  action: (wic: Wic) => Promise<RegistrationOutcome>,
): Promise<RegistrationOutcome> {
  return relayed(world, actor, world.register(actor, action))
}

/** What the S-CSCF answered to the actor's last REGISTER transaction (same Call-ID and CSeq on Mw). */
function answersToLast(world: HarnessWorld, actor: ActorName) {
  const sent = world.wic(actor).lastRegisterSent
  return answersToTransaction(sent, forwarded(world, actor), world.env.scscf.sentResponses)
}

/**
 * The S-CSCF's 200 OK to the actor's last REGISTER, or (a Call-ID the eP-CSCF mapped) the last 200 OK it sent to
 * the actor's REGISTERs: what the relayed 200 is compared with (R20).
 */
export function okSent(world: HarnessWorld, actor: ActorName) {
  const ok = (r: { status: number }) => r.status === 200
  return answersToLast(world, actor).find(ok) ?? answersAtMw(world, actor).filter(ok).at(-1)
}

/** What the S-CSCF answered to the actor's REGISTERs (found by IMPU on Mw, also when the WIC got no answer). */
function answersAtMw(world: HarnessWorld, actor: ActorName) {
  return responsesTo(forwarded(world, actor), world.env.scscf.sentResponses)
}

/** Every request of the scenario on Mw (OPTIONS probes and reg-event subscriptions left out: mw-traffic.ts). */
function mwRequests(world: HarnessWorld) {
  return scenarioRequests(world.env.scscf.allReceived)
}

/** Every REGISTER of the scenario on Mw, whoever sent it ("every REGISTER forwarded to the S-CSCF"). */
function registersOnMw(world: HarnessWorld) {
  return mwRequests(world).filter((r) => r.method.toUpperCase() === 'REGISTER')
}

/** The scenario's REGISTERs on Mw for the actor's IMPU (by To, so a changed Call-ID is still found). */
function forwarded(world: HarnessWorld, actor: ActorName) {
  return registersFor(mwRequests(world), world.subscriber(actor).impu)
}

function bindingCount(world: HarnessWorld, actor: ActorName): number {
  return world.env.scscf.bindings(world.subscriber(actor).impu).length
}

/** The first 401 relayed to the actor. */
function relayedChallenge(world: HarnessWorld, actor: ActorName) {
  const challenges = world.lastRegistration(actor).attempts.filter((r) => r.status === 401)
  return firstOf(challenges, `a 401 relayed to ${actor}`, REGISTRATION.challengeRelayed)
}

/** The actor's first REGISTER and the first one of the actor that reached the S-CSCF. */
function firstPair(world: HarnessWorld, actor: ActorName, req: MustRequirement) {
  const sent = world.sentRegisters(actor)[0]
  if (sent === undefined) throw new ScenarioMisuse(`${actor} has sent no REGISTER in this scenario`)
  const fwd = firstOf(forwarded(world, actor), `${actor}'s REGISTER at the S-CSCF (from the eP-CSCF)`, req)
  return [sent, fwd] as const
}
