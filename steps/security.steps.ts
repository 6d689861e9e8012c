import { Then, When } from '@cucumber/cucumber'
import {
  checkWicHeaderNotOnMw,
  isWicPHeader,
  WIC_WRITTEN,
  type WicPHeader,
  type WrittenHeaderOutcome,
} from '../support/checks/security-checks.ts'
import { ScenarioMisuse } from '../support/errors.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

/** The SA3 attack matrix (issue 9): P-headers a WIC writes (§6). */

When(
  '{actor} registers with IMS digest writing her/his own {string}',
  async function (this: HarnessWorld, actor: ActorName, header: string) {
    const extraHeaders: [string, string][] = [[pHeader(header), WIC_WRITTEN[pHeader(header)]]]
    await this.register(actor, (wic) => wic.register({ extraHeaders }))
  },
)

When(
  '{actor} sends a MESSAGE to {actor} writing her/his own {string}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName, header: string) {
    const headers: [string, string][] = [[pHeader(header), WIC_WRITTEN[pHeader(header)]]]
    await this.originate(from, 'MESSAGE', to, { headers })
  },
)

Then(
  "no REGISTER of {actor}'s reached the S-CSCF with her/his own {string}",
  function (this: HarnessWorld, actor: ActorName, header: string) {
    checkWicHeaderNotOnMw(registerOutcome(this, actor, pHeader(header)))
  },
)

Then(
  "{actor}'s MESSAGE reached the S-CSCF without her/his own {string}",
  function (this: HarnessWorld, actor: ActorName, header: string) {
    checkWicHeaderNotOnMw(requestOutcome(this, actor, pHeader(header)))
  },
)

function pHeader(name: string): WicPHeader {
  if (!isWicPHeader(name)) throw new ScenarioMisuse(`"${name}" is not a P-header the WIC writes here`)
  return name
}

function registerOutcome(world: HarnessWorld, actor: ActorName, header: WicPHeader): WrittenHeaderOutcome {
  const finalStatus = world.lastRegistration(actor).final.status
  return { header, kind: 'register', finalStatus, atMw: world.forwardedRegisters(actor) }
}

function requestOutcome(world: HarnessWorld, actor: ActorName, header: WicPHeader): WrittenHeaderOutcome {
  const { request, response } = world.lastOriginated(actor)
  const atMw = world.atScscf('MESSAGE', request.get('Call-ID'))
  return { header, kind: 'request', finalStatus: response.status, atMw }
}
