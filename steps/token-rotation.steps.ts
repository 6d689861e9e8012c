import { Given, Then, When } from '@cucumber/cucumber'
import { tokenValidated } from '../support/checks/requirements-registration.ts'
import { checkRefreshRefused, checkRotatedKeyHonoured } from '../support/checks/token-lifecycle-checks.ts'
import { ScenarioMisuse } from '../support/errors.ts'
import { awaitJwksRefetchWindow, rotateWwsfKey, type KeyRotation } from '../support/wwsf/key-rotation.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { relayed } from './registration.steps.ts'
import { registerAgain, sinceMark } from './token-lifecycle.steps.ts'

/** The WWSF's key rotation of the scenario, and the token each actor held before it (signed by the old key). */
const rotations = new WeakMap<HarnessWorld, { rotation: KeyRotation; before: Map<ActorName, string> }>()

Given("the profile says the eP-CSCF follows the WWSF's key rotation", function (this: HarnessWorld) {
  const policy = this.env.profile.epcscf.token.keyRotation
  return policy === 'follows' ? undefined : this.notApplicable(`epcscf.token.keyRotation is "${policy}"`)
})

Given(
  /^the WWSF has (published a new signing key beside its old one and signs with the new one|replaced its signing key by a new one)$/,
  async function (this: HarnessWorld, how: string) {
    await rotate(this, how.startsWith('published') ? 'beside-old' : 'replace-old')
  },
)

When(
  '{actor} logs in at the WWSF again and registers with the token of the new key',
  async function (this: HarnessWorld, actor: ActorName) {
    await loginAfterRotation(this, actor)
    await relayed(this, actor, this.registerWithToken(actor, this.token(actor)))
  },
)

Given(
  "{actor} is registered with a token of the WWSF's new key",
  async function (this: HarnessWorld, actor: ActorName) {
    await this.precondition(`${actor} is registered with a token of the WWSF's new key`, async () => {
      await loginAfterRotation(this, actor)
      const { final } = await this.registerWithToken(actor, this.token(actor))
      if (final.status !== 200) throw new Error(`the registration got ${final.summary()}`)
    })
  },
)

Then("the token of the WWSF's new key registered {actor}", function (this: HarnessWorld, actor: ActorName) {
  checkRotatedKeyHonoured(this.lastRegistration(actor).final, rotationOf(this).rotation.next.kid)
})

When(
  '{actor} refreshes her/his registration with her/his token of the removed key',
  async function (this: HarnessWorld, actor: ActorName) {
    const old = rotationOf(this).before.get(actor) ?? this.token(actor)
    await registerAgain(this, actor, 'refresh', old)
  },
)

Then(
  "the eP-CSCF refuses {actor}'s refresh with the removed key with a 4xx and nothing of it reaches the S-CSCF",
  function (this: HarnessWorld, actor: ActorName) {
    const { final } = this.lastRegistration(actor)
    const what = `${actor}'s refresh with a token of the key the WWSF removed`
    checkRefreshRefused(final, sinceMark(this), what, tokenValidated('removed-key'))
  },
)

/** Rotates the WWSF's key (undone at teardown), keeping the tokens the actors held before. */
async function rotate(world: HarnessWorld, mode: 'beside-old' | 'replace-old'): Promise<void> {
  const rotation = await rotateWwsfKey(world.wwsf.server, world.env.pki.filesDir, mode)
  // Undone, and (profile jwksRefetchIntervalS) time left for the eP-CSCF to fetch the restored JWKS again.
  const interval = world.env.profile.epcscf.token.jwksRefetchIntervalS
  world.teardown.defer("undo the WWSF's key rotation", async () => {
    rotation.undo()
    await awaitJwksRefetchWindow(world.wwsf.server, interval)
  })
  rotations.set(world, { rotation, before: new Map(world.tokens) })
}

function rotationOf(world: HarnessWorld) {
  const rotation = rotations.get(world)
  if (rotation === undefined) throw new ScenarioMisuse('the WWSF has not rotated its key in this scenario')
  return rotation
}

/** The actor logs in again (a token of the new key), once the eP-CSCF may fetch the JWKS again (profile). */
async function loginAfterRotation(world: HarnessWorld, actor: ActorName): Promise<void> {
  await awaitJwksRefetchWindow(world.wwsf.server, world.env.profile.epcscf.token.jwksRefetchIntervalS)
  const status = await world.login(actor)
  if (status !== 200)
    throw new ScenarioMisuse(`the WWSF refused ${actor}'s login after its key rotation (${status})`)
}
