import { Given, Then, When } from '@cucumber/cucumber'
import { expectThat, single } from '../support/checks/expectations.ts'
import {
  checkAssertedIdentity,
  checkFlowFailed,
  checkRoutedAlongServiceRoute,
} from '../support/checks/routing-checks.ts'
import { withDeadline } from '../support/deadline.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

When(
  '{actor} sends a MESSAGE to {actor}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName) {
    await this.originate(from, 'MESSAGE', to)
  },
)

When(
  '{actor} sends a MESSAGE to {actor} asserting she/he is {string}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName, identity: string) {
    await this.originate(from, 'MESSAGE', to, [
      ['P-Asserted-Identity', `<${identity}>`],
      ['P-Preferred-Identity', `<${identity}>`],
    ])
  },
)

Then(
  "{actor}'s MESSAGE reaches the S-CSCF with a Route to the Service-Route",
  function (this: HarnessWorld, actor: ActorName) {
    checkRoutedAlongServiceRoute(arrivedAtScscf(this, actor), this.wic(actor).serviceRoute)
  },
)

Then(
  "{actor}'s MESSAGE reaches the S-CSCF asserting her/his default IMPU only",
  function (this: HarnessWorld, actor: ActorName) {
    checkAssertedIdentity(arrivedAtScscf(this, actor), this.subscriber(actor).impu)
  },
)

Then(
  "{actor}'s MESSAGE is refused with {status}",
  function (this: HarnessWorld, actor: ActorName, status: number) {
    const { response } = this.lastOriginated(actor)
    expectThat(
      response.status === status,
      'TS 24.229 §5.2.6.3.1',
      () => `expected ${status} from the eP-CSCF, got ${response.summary()}`,
    )
  },
)

Then('no MESSAGE reached the S-CSCF', function (this: HarnessWorld) {
  const arrived = this.atScscf('MESSAGE')
  expectThat(
    arrived.length === 0,
    'TS 24.229 §5.2.6.3.1',
    () => `expected no MESSAGE at the S-CSCF, got ${arrived.length}`,
  )
})

Given("{actor}'s WebSocket has closed", async function (this: HarnessWorld, actor: ActorName) {
  await this.wic(actor).close()
})

When('the S-CSCF sends a MESSAGE to {actor}', function (this: HarnessWorld, actor: ActorName) {
  const tx = this.env.scscf.sendTerminating({
    method: 'MESSAGE',
    to: this.subscriber(actor).impu,
    body: 'harness',
  })
  tx.response.catch(() => undefined) // awaited (with a deadline) by the Then step
  this.terminating.set(actor, tx)
})

Then(
  '{actor} receives the MESSAGE on her/his WebSocket and her/his answer reaches the S-CSCF',
  async function (this: HarnessWorld, actor: ActorName) {
    const wic = this.wic(actor)
    const request = await this.guard(wic.expectRequest('MESSAGE'))
    await wic.respond(request, 200)
    const response = await this.guard(terminatingAnswer(this, actor))
    expectThat(
      response.status === 200,
      'RFC 3261 §16.7',
      () => `expected the WIC's 200 OK at the S-CSCF, got ${response.summary()}`,
    )
  },
)

Then(
  "the S-CSCF's MESSAGE to {actor} fails with 430 or 480",
  async function (this: HarnessWorld, actor: ActorName) {
    checkFlowFailed(await this.guard(terminatingAnswer(this, actor)))
  },
)

/** The actor's last originated request as it reached the S-CSCF (same Call-ID). */
function arrivedAtScscf(world: HarnessWorld, actor: ActorName) {
  const { request } = world.lastOriginated(actor)
  return single(
    world.atScscf(request.method, request.get('Call-ID')),
    `${actor}'s ${request.method} at the S-CSCF`,
    'TR 23.701 X.2.2',
  )
}

function terminatingAnswer(world: HarnessWorld, actor: ActorName) {
  const tx = world.terminating.get(actor)
  if (tx === undefined) throw new Error(`step: the S-CSCF has sent nothing to ${actor}`)
  return withDeadline(
    tx.response,
    world.env.profile.waitMs,
    `a final response from the eP-CSCF to the S-CSCF's ${tx.request.method} for ${actor}`,
  )
}
