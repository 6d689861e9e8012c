import { Given, Then, When } from '@cucumber/cucumber'
import { registersFor, responsesTo, scenarioRequests } from '../support/checks/mw-traffic.ts'
import { TOKEN, tokenValidated } from '../support/checks/requirements-registration.ts'
import {
  checkBinding,
  checkRegistered,
  checkWicIntegrityNotTrusted,
} from '../support/checks/registration-outcome-checks.ts'
import {
  checkNoBearerOnMw,
  checkNothingOnMw,
  checkRegisteredWithoutChallenge,
  checkTokenRefused,
  checkTrustedNodeAuthorization,
  checkWicFlagReplacedOrRefused,
  type UntrustedSource,
} from '../support/checks/token-checks.ts'
import { ProfileError, ScenarioMisuse } from '../support/errors.ts'
import type { HostileToken } from '../support/wwsf/signing-keys.ts'
import { DecoyKeyServer, type KeyUrlHeader } from '../support/wwsf/decoy-key-server.ts'
import { checkKeyUrlNeverFetched } from '../support/checks/token-lifecycle-checks.ts'
import { initialDigestAuthorization } from '../support/wic/digest-responder.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { okSent, relayed } from './registration.steps.ts'

/** The defect of the scenario's bad token, for the clause that makes it invalid (R32). */
const defects = new WeakMap<HarnessWorld, string>()

/** Where the Mw logs stood when a step began, for checks about what came after it. */
const marks = new WeakMap<HarnessWorld, { readonly requests: number; readonly answers: number }>()

/** The defects of the attack matrix as a scenario names them. */
const DEFECTS: Readonly<Record<string, HostileToken>> = {
  'that has expired': 'expired',
  'that is not valid yet': 'not-yet-valid',
  'issued for another audience': 'wrong-audience',
  'from another issuer': 'wrong-issuer',
  'that is unsigned (alg none)': 'alg-none',
  'signed by a key the WWSF does not publish': 'unknown-key',
  'whose payload was altered after signing': 'tampered-payload',
  "signed HS256 with the WWSF's public key as secret": 'alg-confusion',
  'signed by the key its own jwk header embeds': 'embedded-jwk',
  'without exp': 'no-exp',
  'whose aud array holds only another audience': 'aud-array-other',
  'typed secevent+jwt instead of at+jwt': 'wrong-typ',
  'whose signature is not base64url': 'malformed-base64url',
  'without aud': 'no-aud',
}

/** The attacker's key server of the scenario (jku / x5u rows), stopped at teardown. */
const decoys = new WeakMap<HarnessWorld, DecoyKeyServer>()

Given(
  '{actor} has logged in at the WWSF and holds its token',
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor} has logged in at the WWSF`, async () => {
      const status = await this.login(actor)
      if (status !== 200) throw new Error(`the WWSF refused ${actor}'s login with HTTP ${status}`)
    })
  },
)

/** A precondition that proves what it says: 200 at the WIC and a binding at the S-CSCF. */
Given('{actor} is registered with her/his token', async function (this: HarnessWorld, actor: ActorName) {
  await this.precondition(`${actor} is registered with her/his token`, async () => {
    const { final } = await relayed(this, actor, this.registerWithToken(actor, this.token(actor)))
    checkRegistered(final, actor, okSent(this, actor))
    checkBinding(
      this.env.scscf.bindings(this.subscriber(actor).impu).length,
      this.subscriber(actor).impu,
      TOKEN.accepted,
    )
  })
})

When(
  '{actor} refreshes her/his registration without her/his token',
  async function (this: HarnessWorld, actor: ActorName) {
    marks.set(this, {
      requests: this.env.scscf.allReceived.length,
      answers: this.env.scscf.sentResponses.length,
    })
    await relayed(
      this,
      actor,
      this.register(actor, (wic) => wic.reRegister({ authorization: 'digest-initial' })),
    )
  },
)

Then(
  "the S-CSCF never sees auth-done for {actor}'s refresh and registers her/him again only after a digest challenge, unless the eP-CSCF refused it",
  function (this: HarnessWorld, actor: ActorName) {
    const policy = this.env.profile.epcscf.token.refreshWithoutToken
    if (policy === 'connection-bound')
      return this.notApplicable(`epcscf.token.refreshWithoutToken is "${policy}"`)
    const mark = marks.get(this) ?? { requests: 0, answers: 0 }
    const since = scenarioRequests(this.env.scscf.allReceived.slice(mark.requests))
    const answers = responsesTo(since, this.env.scscf.sentResponses.slice(mark.answers))
    checkWicIntegrityNotTrusted(this.lastRegistration(actor).final, since, answers, 'auth-done')
    return undefined
  },
)

When('{actor} registers with her/his token', async function (this: HarnessWorld, actor: ActorName) {
  await relayed(this, actor, this.registerWithToken(actor, this.token(actor)))
})

When(
  '{actor} registers with her/his token under the scheme name {string}',
  async function (this: HarnessWorld, actor: ActorName, scheme: string) {
    const headers = bearerCredentials(this, actor, scheme, this.token(actor))
    await relayed(
      this,
      actor,
      this.register(actor, (wic) => wic.register({ authorization: 'none', extraHeaders: headers })),
    )
  },
)

When(
  '{actor} registers with her/his token claiming integrity-protected {string}',
  async function (this: HarnessWorld, actor: ActorName, value: string) {
    await relayed(this, actor, this.registerWithToken(actor, this.token(actor), value))
  },
)

When(
  '{actor} registers with her/his token beside a Digest Authorization for {actor} claiming integrity-protected {string}',
  async function (this: HarnessWorld, actor: ActorName, other: ActorName, value: string) {
    const authorization = { bearer: this.token(actor), carriage: this.env.profile.wwsf.carriage }
    const forged = forgedDigest(this, other, value)
    await relayed(
      this,
      actor,
      this.register(actor, (wic) => wic.register({ authorization, extraHeaders: [forged] })),
    )
  },
)

When(
  "{actor} registers with {actor}'s token",
  async function (this: HarnessWorld, actor: ActorName, owner: ActorName) {
    await relayed(this, actor, this.registerWithToken(actor, this.token(owner)))
  },
)

When(
  /^(Alice|Bob|Carol) registers with a token (.+)$/,
  async function (this: HarnessWorld, actor: ActorName, defect: string) {
    const kind = DEFECTS[defect]
    if (kind === undefined)
      throw new ScenarioMisuse(`unknown token defect "${defect}"; known: ${Object.keys(DEFECTS).join('; ')}`)
    const token = await this.hostileToken(actor, kind, 'Bob')
    defects.set(this, kind)
    await relayed(this, actor, this.registerWithToken(actor, token))
  },
)

When(
  /^(Alice|Bob|Carol) registers with an attacker's token whose (jku|x5u) header names the attacker's key server$/,
  async function (this: HarnessWorld, actor: ActorName, header: KeyUrlHeader) {
    const decoy = await startDecoy(this)
    defects.set(this, `${header}-decoy`)
    const token = await decoy.sign(genuineClaims(this, actor), header)
    await relayed(this, actor, this.registerWithToken(actor, token))
  },
)

Then("the eP-CSCF never fetched the attacker's key server", function (this: HarnessWorld) {
  const decoy = decoys.get(this)
  if (decoy === undefined) throw new ScenarioMisuse('no attacker key server in this scenario')
  checkKeyUrlNeverFetched(decoy.fetches)
})

When(
  "{actor} registers holding a token for her/his IMPI that binds only {actor}'s public identities",
  async function (this: HarnessWorld, actor: ActorName, other: ActorName) {
    const token = await this.hostileToken(actor, 'foreign-impu', other)
    await relayed(this, actor, this.registerWithToken(actor, token))
  },
)

Then(
  'the eP-CSCF refuses to register {actor} with a token that does not bind her/his public identity',
  function (this: HarnessWorld, actor: ActorName) {
    const who = `${actor} (with a token for the right IMPI but without the IMPU registered)`
    checkTokenRefused(this.lastRegistration(actor).final, who, TOKEN.identityBound)
  },
)

Then(
  'the S-CSCF registered {actor} without a digest challenge',
  function (this: HarnessWorld, actor: ActorName) {
    const answers = responsesTo(forwarded(this, actor), this.env.scscf.sentResponses)
    checkRegisteredWithoutChallenge(answers, actor, this.subscriber(actor).impi, untrustedSources(this))
  },
)

Then(
  "the REGISTER at the S-CSCF says auth-done for {actor}'s IMPI in exactly one Digest Authorization",
  function (this: HarnessWorld, actor: ActorName) {
    checkTrustedNodeAuthorization(forwarded(this, actor), this.subscriber(actor).impi)
  },
)

Then(
  "either the eP-CSCF refuses {actor}'s REGISTER with a 4xx and nothing reaches the S-CSCF, or the REGISTER at the S-CSCF says auth-done for her/his IMPI in exactly one Digest Authorization",
  function (this: HarnessWorld, actor: ActorName) {
    const { final } = this.lastRegistration(actor)
    checkWicFlagReplacedOrRefused(final, mw(this), forwarded(this, actor), this.subscriber(actor).impi)
  },
)

Then("{actor}'s token never reaches the S-CSCF", function (this: HarnessWorld, actor: ActorName) {
  checkNoBearerOnMw(mw(this), this.token(actor))
})

Then("{actor}'s registration is refused by the eP-CSCF", function (this: HarnessWorld, actor: ActorName) {
  checkTokenRefused(this.lastRegistration(actor).final, actor, tokenValidated(defects.get(this)))
})

Then(
  "the eP-CSCF refuses to register {actor} with {actor}'s token",
  function (this: HarnessWorld, actor: ActorName, owner: ActorName) {
    checkTokenRefused(
      this.lastRegistration(actor).final,
      `${actor} (with ${owner}'s token)`,
      TOKEN.identityBound,
    )
  },
)

Then('nothing of the bad token registration reached the S-CSCF', function (this: HarnessWorld) {
  checkNothingOnMw(
    mw(this),
    'a REGISTER with a token that does not validate',
    tokenValidated(defects.get(this)),
  )
})

Then("nothing of {actor}'s registration reached the S-CSCF", function (this: HarnessWorld, actor: ActorName) {
  checkNothingOnMw(mw(this), `${actor}'s registration with another user's token`, TOKEN.identityBound)
})

/** The claims of a genuine token of the WWSF for the actor (for a token the attacker signs). */
function genuineClaims(world: HarnessWorld, actor: ActorName) {
  const { server } = world.wwsf
  const impi = world.subscriber(actor).impi
  const impus = world.env.profile.subscribers.find((s) => s.impi === impi)?.impus ?? []
  return server.keys.claims(server.tokenProfile, { impi, impus })
}

/** Starts the scenario's attacker key server with the harness's server certificate (trusted: the worst case). */
async function startDecoy(world: HarnessWorld): Promise<DecoyKeyServer> {
  const { serverCertPem, serverKeyPem } = world.env.pki
  if (serverCertPem === undefined || serverKeyPem === undefined)
    throw new ProfileError('epcscf.tls.ca: the attacker key server needs the minted test PKI (ca: mint)')
  const decoy = await DecoyKeyServer.start({
    tls: { cert: serverCertPem, key: serverKeyPem },
    trace: world.env.trace,
  })
  decoys.set(world, decoy)
  world.teardown.defer('stop the attacker key server', () => decoy.stop())
  return decoy
}

/** Every request of the scenario on Mw (OPTIONS probes and reg-event subscriptions left out: mw-traffic.ts). */
function mw(world: HarnessWorld) {
  return scenarioRequests(world.env.scscf.allReceived)
}

/** The TNA REGISTERs the mock challenged only for their source (not in profile scscf.trustedNodes): registrar.ts. */
function untrustedSources(world: HarnessWorld): UntrustedSource[] {
  return world.env.scscf.outcomes
    .filter((o) => o.reason === 'auth-done-from-untrusted-node')
    .map((o) => ({ impi: o.impi, note: o.notes.join('; ') }))
}

function forwarded(world: HarnessWorld, actor: ActorName) {
  return registersFor(mw(world), world.subscriber(actor).impu)
}

/** A hostile WIC's `Authorization: Digest` for another user, in the initial form, with its own flag (catalogue B.3). */
function forgedDigest(world: HarnessWorld, other: ActorName, value: string): [string, string] {
  const { domain } = world.env.profile
  const flag = { name: 'integrity-protected', value, quoted: true }
  const username = world.subscriber(other).impi
  return [
    'Authorization',
    initialDigestAuthorization({ username, realm: domain, uri: `sip:${domain}`, extraParams: [flag] }),
  ]
}

/**
 * `Authorization: <scheme> <token>` in the profile's carriage, the scheme name spelt as the scenario says; with
 * profile wwsf.impi `digest-username`, the initial Digest Authorization with the IMPI beside it (as registerWithToken).
 */
function bearerCredentials(
  world: HarnessWorld,
  actor: ActorName,
  scheme: string,
  token: string,
): [string, string][] {
  const { carriage, impi } = world.env.profile.wwsf
  const bearer = carriage === 'rfc8898' ? `${scheme} ${token}` : `${scheme} access_token="${token}"`
  if (impi !== 'digest-username') return [['Authorization', bearer]]
  const { domain } = world.env.profile
  const username = world.subscriber(actor).impi
  const digest = initialDigestAuthorization({ username, realm: domain, uri: `sip:${domain}` })
  return [
    ['Authorization', bearer],
    ['Authorization', digest],
  ]
}
