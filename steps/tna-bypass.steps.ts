import { When } from '@cucumber/cucumber'
import { ScenarioMisuse } from '../support/errors.ts'
import type { RegisterOptions } from '../support/wic/wic.ts'
import { initialDigestAuthorization } from '../support/wic/digest-responder.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'
import { relayed } from './registration.steps.ts'

/**
 * A hostile WIC slipping TNA's `integrity-protected="auth-done"` past the eP-CSCF in another form than the plain
 * quoted parameter of its Digest credentials (issue 9 §1; catalogue R39). The WIC answers the challenge as usual.
 */
const TRICKS: Readonly<Record<string, (world: HarnessWorld, actor: ActorName) => RegisterOptions>> = {
  unquoted: () => ({ integrityProtected: { value: 'auth-done', quoted: false } }),
  'in a second Authorization header for another realm': (world, actor) => ({
    extraHeaders: [['Authorization', forged(world, actor, 'realm.attacker.invalid')]],
  }),
  'in Proxy-Authorization': (world, actor) => ({
    extraHeaders: [['Proxy-Authorization', forged(world, actor, world.env.profile.domain)]],
  }),
}

When(
  /^(Alice|Bob|Carol) registers with IMS digest and auth-done (.+)$/,
  async function (this: HarnessWorld, actor: ActorName, trick: string) {
    const options = trickOptions(this, actor, trick)
    await relayed(
      this,
      actor,
      this.register(actor, (wic) => wic.register(options)),
    )
  },
)

function trickOptions(world: HarnessWorld, actor: ActorName, trick: string): RegisterOptions {
  const options = TRICKS[trick]?.(world, actor)
  if (options === undefined)
    throw new ScenarioMisuse(`unknown trick "${trick}"; known: ${Object.keys(TRICKS).join('; ')}`)
  return options
}

/** Initial Digest credentials for the actor in `realm`, claiming auth-done. */
function forged(world: HarnessWorld, actor: ActorName, realm: string): string {
  const flag = { name: 'integrity-protected', value: 'auth-done', quoted: true }
  const username = world.subscriber(actor).impi
  return initialDigestAuthorization({
    username,
    realm,
    uri: `sip:${world.env.profile.domain}`,
    extraParams: [flag],
  })
}
