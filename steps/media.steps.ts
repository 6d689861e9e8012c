import { Then } from '@cucumber/cucumber'
import { checkAnswerAnchored } from '../support/checks/media-profile-checks.ts'
import { NoAnswer } from '../support/errors.ts'
import type { SipResponse } from '../support/sip/message.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

Then(
  "{actor}'s answer reaches the network without ICE or DTLS",
  async function (this: HarnessWorld, actor: ActorName) {
    checkAnswerAnchored(await this.guard(networkFinal(this, actor)))
  },
)

/** The final response the network's latest call got (the actor's answer as it crossed the eP-CSCF), within waitMs. */
async function networkFinal(world: HarnessWorld, actor: ActorName): Promise<SipResponse> {
  const deadline = Date.now() + world.env.profile.waitMs
  for (;;) {
    const final = world.env.scscf.calls.network.calls.at(-1)?.final
    if (final !== undefined) return final
    if (Date.now() > deadline)
      throw new NoAnswer(
        `the network expected ${actor}'s final response to its INVITE within ${world.env.profile.waitMs} ms; none arrived`,
      )
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
