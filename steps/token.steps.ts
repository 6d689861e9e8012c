import { Given, Then, When } from '@cucumber/cucumber'
import { expectThat } from '../support/checks/expectations.ts'
import {
  checkNoBearerOnMw,
  checkNothingOnMw,
  checkRegisteredWithoutChallenge,
  checkTokenRefused,
  checkTrustedNodeAuthorization,
} from '../support/checks/token-checks.ts'
import type { HostileToken } from '../support/wwsf/signing-keys.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

/** The defects of the attack matrix as a scenario names them. */
const DEFECTS: Readonly<Record<string, HostileToken>> = {
  'that has expired': 'expired',
  'that is not valid yet': 'not-yet-valid',
  'issued for another audience': 'wrong-audience',
  'from another issuer': 'wrong-issuer',
  'that is unsigned (alg none)': 'alg-none',
  'signed by a key the WWSF does not publish': 'unknown-key',
  'whose payload was altered after signing': 'tampered-payload',
}

Given(
  '{actor} has logged in at the WWSF and holds its token',
  async function (this: HarnessWorld, actor: ActorName) {
    const status = await this.login(actor)
    expectThat(
      status === 200,
      'TR 23.701 X.2.1.3 step 1',
      () => `precondition: the WWSF refused ${actor}'s login with HTTP ${status}`,
    )
  },
)

When('{actor} registers with her/his token', async function (this: HarnessWorld, actor: ActorName) {
  await this.registerWithToken(actor, this.token(actor))
})

When(
  '{actor} registers with her/his token claiming integrity-protected {string}',
  async function (this: HarnessWorld, actor: ActorName, value: string) {
    await this.registerWithToken(actor, this.token(actor), value)
  },
)

When(
  "{actor} registers with {actor}'s token",
  async function (this: HarnessWorld, actor: ActorName, owner: ActorName) {
    await this.registerWithToken(actor, this.token(owner))
  },
)

When(
  /^(Alice|Bob|Carol) registers with a token (.+)$/,
  async function (this: HarnessWorld, actor: ActorName, defect: string) {
    const kind = DEFECTS[defect]
    if (kind === undefined)
      throw new Error(`step: unknown token defect "${defect}"; known: ${Object.keys(DEFECTS).join('; ')}`)
    await this.registerWithToken(actor, await this.hostileToken(actor, kind, 'Bob'))
  },
)

Then(
  'the S-CSCF registered {actor} without a digest challenge',
  function (this: HarnessWorld, actor: ActorName) {
    checkRegisteredWithoutChallenge(this.scscfResponses(actor), actor)
  },
)

Then(
  "the REGISTER at the S-CSCF says auth-done for {actor}'s IMPI in exactly one Digest Authorization",
  function (this: HarnessWorld, actor: ActorName) {
    checkTrustedNodeAuthorization(this.forwardedRegisters(actor), this.subscriber(actor).impi)
  },
)

Then("{actor}'s token never reaches the S-CSCF", function (this: HarnessWorld, actor: ActorName) {
  checkNoBearerOnMw(this.forwardedRegisters(actor), this.token(actor))
})

Then("{actor}'s registration is refused by the eP-CSCF", function (this: HarnessWorld, actor: ActorName) {
  checkTokenRefused(this.lastRegistration(actor).final, actor)
})

Then('no REGISTER of {actor} reached the S-CSCF', function (this: HarnessWorld, actor: ActorName) {
  checkNothingOnMw(this.forwardedRegisters(actor), actor)
})
