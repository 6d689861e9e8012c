import { Given, Then, When } from '@cucumber/cucumber'
import {
  challengeAlgorithms,
  checkChallengeUnchanged,
  checkChargingVectors,
  checkNoChargingHeaders,
  checkContactUntouched,
  checkDigestIntegrityProtected,
  checkMaxForwardsDecremented,
  checkOwnViaOnTop,
  checkPathToEpcscf,
  checkRefresh,
  checkRequireOption,
  digestAlgorithmOf,
} from '../support/checks/register-checks.ts'
import { expectThat, firstOf, nonEmpty } from '../support/checks/expectations.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

Given(
  "{actor}'s WIC is connected to the eP-CSCF from the authorized WWSF origin",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.connect(actor, this.env.profile.epcscf.origin.allowed[0])
  },
)

Given(
  'the S-CSCF challenges with {algorithms}',
  function (this: HarnessWorld, algorithms: ('MD5' | 'SHA-256')[]) {
    this.env.scscf.setAlgorithms(algorithms)
  },
)

Given('{actor} is registered with IMS digest', async function (this: HarnessWorld, actor: ActorName) {
  const outcome = await this.register(actor, (wic) => wic.register())
  expectThat(
    outcome.final.status === 200,
    'TR 23.701 X.2.1.2',
    () => `precondition: ${actor} could not register: ${outcome.final.summary()}`,
  )
})

When('{actor} registers with IMS digest', async function (this: HarnessWorld, actor: ActorName) {
  await this.register(actor, (wic) => wic.register())
})

When(
  '{actor} registers with IMS digest using a wrong password',
  async function (this: HarnessWorld, actor: ActorName) {
    await this.register(actor, (wic) => wic.register({ password: 'not-the-password' }))
  },
)

When(
  '{actor} registers with IMS digest claiming integrity-protected {string}',
  async function (this: HarnessWorld, actor: ActorName, value: string) {
    await this.register(actor, (wic) => wic.register({ integrityProtected: value }))
  },
)

When('{actor} refreshes her/his registration', async function (this: HarnessWorld, actor: ActorName) {
  await this.register(actor, (wic) => wic.reRegister())
})

When('{actor} de-registers', async function (this: HarnessWorld, actor: ActorName) {
  await this.register(actor, (wic) => wic.deregister())
})

Then("{actor}'s registration succeeds", function (this: HarnessWorld, actor: ActorName) {
  const { final } = this.lastRegistration(actor)
  expectThat(
    final.status === 200,
    'TR 23.701 X.2.1.2 step 6',
    () => `expected 200 OK to ${actor}'s REGISTER from the eP-CSCF, got ${final.summary()}`,
  )
  expectThat(
    final.has('Service-Route') && final.has('P-Associated-URI'),
    'TS 24.229 §5.2.2.1, RFC 3608',
    () =>
      `expected the 200 OK relayed to ${actor} to keep Service-Route and P-Associated-URI, got ${final.has('Service-Route') ? '' : 'no Service-Route '}${final.has('P-Associated-URI') ? '' : 'no P-Associated-URI'}`,
  )
})

Then(
  'the 200 OK relayed to {actor} carries no P-Charging-Vector or P-Charging-Function-Addresses',
  function (this: HarnessWorld, actor: ActorName) {
    checkNoChargingHeaders(this.lastRegistration(actor).final)
  },
)

Then("{actor}'s de-registration succeeds", function (this: HarnessWorld, actor: ActorName) {
  const { final } = this.lastRegistration(actor)
  expectThat(
    final.status === 200,
    'RFC 3261 §10.2.2',
    () => `expected 200 OK to ${actor}'s de-registration, got ${final.summary()}`,
  )
})

Then(
  "{actor}'s registration is refused with {status}",
  function (this: HarnessWorld, actor: ActorName, status: number) {
    const { final } = this.lastRegistration(actor)
    expectThat(
      final.status === status,
      'RFC 3261 §16.7, TS 24.229 §5.2.2.1',
      () => `expected ${status} relayed to ${actor}, got ${final.summary()}`,
    )
  },
)

Then('the S-CSCF holds a binding for {actor}', function (this: HarnessWorld, actor: ActorName) {
  const bindings = this.env.scscf.bindings(this.subscriber(actor).impu)
  expectThat(
    bindings.length > 0,
    'TS 24.229 §5.4.1.2',
    () => `expected the S-CSCF to hold a binding for ${this.subscriber(actor).impu}, it holds none`,
  )
})

Then('the S-CSCF holds no binding for {actor}', function (this: HarnessWorld, actor: ActorName) {
  const bindings = this.env.scscf.bindings(this.subscriber(actor).impu)
  expectThat(
    bindings.length === 0,
    'TS 24.229 §5.4.1.2',
    () => `expected no binding for ${this.subscriber(actor).impu} at the S-CSCF, it holds ${bindings.length}`,
  )
})

Then(
  'the S-CSCF registered {actor} only after a digest challenge',
  function (this: HarnessWorld, actor: ActorName) {
    const responses = this.scscfResponses(actor)
    const firstOk = responses.findIndex((r) => r.status === 200)
    const firstChallenge = responses.findIndex((r) => r.status === 401)
    expectThat(
      firstOk < 0 || (firstChallenge >= 0 && firstChallenge < firstOk),
      'TS 33.203 Annex N, TS 24.229 §5.4.1.2.2',
      () =>
        `the S-CSCF registered ${actor} without a digest challenge: its responses were ${responses.map((r) => r.status).join(', ')}`,
    )
  },
)

Then(
  '{actor} answered the challenge with {algorithms}',
  function (this: HarnessWorld, actor: ActorName, [algorithm]: string[]) {
    const answers = this.forwardedRegisters(actor)
      .map(digestAlgorithmOf)
      .filter((a) => a !== undefined)
    const used = firstOf(
      answers,
      `a REGISTER from ${actor} answering the challenge at the S-CSCF`,
      'RFC 8760 §2.4',
    )
    expectThat(
      used === algorithm,
      'RFC 7616 §3.7, RFC 8760 §2.4',
      () => `expected ${actor} to answer with ${algorithm}, got ${used}`,
    )
  },
)

Then(
  'the challenge reaches {actor} with {algorithms} before {algorithms}',
  function (this: HarnessWorld, actor: ActorName, first: string[], second: string[]) {
    const algorithms = [...first, ...second]
    const challenge = firstOf(
      this.lastRegistration(actor).attempts.filter((r) => r.status === 401),
      `a 401 relayed to ${actor}`,
      'RFC 3261 §16.7',
    )
    const got = challengeAlgorithms(challenge)
    expectThat(
      JSON.stringify(got) === JSON.stringify(algorithms),
      'RFC 8760 §2.4, RFC 3261 §16.7',
      () =>
        `expected challenges ${algorithms.join(', ')} in that order at ${actor}, got ${got.join(', ') || 'none'}`,
    )
  },
)

Then('the challenge reaches {actor} unchanged', function (this: HarnessWorld, actor: ActorName) {
  const sent = firstOf(
    this.scscfResponses(actor).filter((r) => r.status === 401),
    'a 401 sent by the S-CSCF',
    'RFC 3261 §16.7',
  )
  const received = firstOf(
    this.lastRegistration(actor).attempts.filter((r) => r.status >= 400 || r.status === 401),
    `a challenge relayed to ${actor}`,
    'RFC 3261 §16.7',
  )
  checkChallengeUnchanged(sent, received)
})

Then(
  'the refresh reached the S-CSCF with the same Call-ID, a higher CSeq and the same Path',
  function (this: HarnessWorld) {
    const forwarded = this.forwardedRegisters('Alice')
    const first = firstOf(forwarded, 'the first REGISTER at the S-CSCF', 'RFC 3261 §10.2.4')
    const last = forwarded.at(-1)
    expectThat(
      last !== undefined && last !== first,
      'RFC 3261 §10.2.4',
      () => 'expected the refresh REGISTER at the S-CSCF, none arrived',
    )
    checkRefresh(first, last)
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF has the eP-CSCF's Via on top of {actor}'s",
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, forwarded] = firstPair(this, actor)
    checkOwnViaOnTop(sent, forwarded)
  },
)

Then(
  'the REGISTER forwarded to the S-CSCF has Max-Forwards one less than {actor} sent',
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, forwarded] = firstPair(this, actor)
    checkMaxForwardsDecremented(sent, forwarded)
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF has a Path to the eP-CSCF's Mw address",
  function (this: HarnessWorld) {
    const [, forwarded] = firstPair(this, 'Alice')
    checkPathToEpcscf(forwarded, { address: this.env.profile.epcscf.mw.address, port: this.env.ports.mw })
  },
)

Then('the REGISTER forwarded to the S-CSCF has {string}', function (this: HarnessWorld, header: string) {
  const [, forwarded] = firstPair(this, 'Alice')
  const option = header.match(/^Require:\s*(\S+)$/i)?.[1]
  if (option === undefined) throw new Error(`step: unsupported header check "${header}"`)
  checkRequireOption(forwarded, option.toLowerCase())
})

Then(
  'every REGISTER forwarded to the S-CSCF has a P-Charging-Vector with its own icid-value',
  function (this: HarnessWorld) {
    checkChargingVectors(this.forwardedRegisters('Alice'))
  },
)

Then(
  "the REGISTER forwarded to the S-CSCF has {actor}'s Contact, +sip.instance and reg-id unchanged",
  function (this: HarnessWorld, actor: ActorName) {
    const [sent, forwarded] = firstPair(this, actor)
    checkContactUntouched(sent, forwarded)
  },
)

Then(
  /^no REGISTER forwarded to the S-CSCF carries integrity-protected "yes", "no", "tls-connected" or "auth-done"$/,
  function (this: HarnessWorld) {
    const forwarded = this.forwardedRegisters('Alice')
    nonEmpty(forwarded, 'a REGISTER at the S-CSCF', 'TR 23.701 X.2.1.2 step 3')
    checkDigestIntegrityProtected(forwarded, ['absent', 'tls-pending', 'tls-yes'])
  },
)

Then(
  'every REGISTER forwarded to the S-CSCF carries an integrity-protected value the profile allows for digest',
  function (this: HarnessWorld) {
    checkDigestIntegrityProtected(
      this.forwardedRegisters('Alice'),
      this.env.profile.epcscf.digest.integrityProtected,
    )
  },
)

/** The actor's first REGISTER and the first one that reached the S-CSCF. */
function firstPair(world: HarnessWorld, actor: ActorName) {
  const sent = firstOf(world.sentRegisters(actor), `a REGISTER sent by ${actor}`, 'TR 23.701 X.2.1.2 step 3')
  const forwarded = firstOf(
    world.forwardedRegisters(actor),
    `${actor}'s REGISTER at the S-CSCF (from the eP-CSCF)`,
    'TR 23.701 X.2.1.2 step 5',
  )
  return [sent, forwarded] as const
}
