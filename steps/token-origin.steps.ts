import { Given, Then } from '@cucumber/cucumber'
import { scenarioRequests } from '../support/checks/mw-traffic.ts'
import { checkDigestRefusedWithoutOrigin } from '../support/checks/token-lifecycle-checks.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

/** A WebSocket without Origin (profile epcscf.origin.missingOrigin: token-only; catalogue R13). */

Given('the profile holds a WebSocket without Origin to token registration', function (this: HarnessWorld) {
  const policy = this.env.profile.epcscf.origin.missingOrigin
  return policy === 'token-only'
    ? undefined
    : this.notApplicable(`epcscf.origin.missingOrigin is "${policy}"`)
})

Given(
  "{actor}'s WIC is connected to the eP-CSCF without Origin",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor}'s WIC is connected without Origin`, () =>
      this.connect(actor, undefined),
    )
  },
)

Then(
  "the eP-CSCF refuses {actor}'s digest REGISTER from a WebSocket without Origin and nothing of it reaches the S-CSCF",
  function (this: HarnessWorld, actor: ActorName) {
    checkDigestRefusedWithoutOrigin(
      this.lastRegistration(actor).final,
      scenarioRequests(this.env.scscf.allReceived),
    )
  },
)
