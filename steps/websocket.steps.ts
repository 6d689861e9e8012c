import { Given, Then, When } from '@cucumber/cucumber'
import { expectThat } from '../support/checks/expectations.ts'
import type { HarnessWorld } from '../support/world/harness-world.ts'

const RFC6455 = 'RFC 6455 §4.2.2, §10.2; TR 23.701 X.2.1.2 step 2'

When(
  'a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld) {
    await this.tryHandshake(this.env.profile.epcscf.origin.allowed[0])
  },
)

When(
  'a WIC page from the authorized WWSF origin opens a WebSocket to the eP-CSCF without the sip subprotocol',
  async function (this: HarnessWorld) {
    await this.tryHandshake(this.env.profile.epcscf.origin.allowed[0], [])
  },
)

When(
  'a WIC page from {string} opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld, origin: string) {
    await this.tryHandshake(origin)
  },
)

When('a client without Origin opens a WebSocket to the eP-CSCF', async function (this: HarnessWorld) {
  await this.tryHandshake(undefined)
})

Given('the profile refuses handshakes without Origin', function (this: HarnessWorld) {
  if (this.env.profile.epcscf.origin.missingOrigin !== 'refuse') return 'skipped'
  return undefined
})

Then('the WebSocket is open with subprotocol {string}', function (this: HarnessWorld, protocol: string) {
  const outcome = this.handshake
  expectThat(
    outcome?.ok === true,
    'RFC 7118 §4.1, TR 23.701 X.2.1.2 step 2',
    () =>
      `expected the eP-CSCF to accept the WebSocket from the authorized origin, got ${outcome?.error?.message ?? 'no handshake'}`,
  )
  expectThat(
    outcome.protocol === protocol,
    'RFC 7118 §4.1',
    () => `expected subprotocol "${protocol}", got "${outcome.protocol ?? ''}"`,
  )
})

Then('the WebSocket handshake is refused with HTTP {status}', function (this: HarnessWorld, status: number) {
  const outcome = this.handshake
  expectThat(
    outcome !== undefined && !outcome.ok,
    RFC6455,
    () => `expected the eP-CSCF to refuse the WebSocket with HTTP ${status}, but it upgraded (101)`,
  )
  expectThat(
    outcome.status === status,
    RFC6455,
    () => `expected HTTP ${status}, got ${outcome.status ?? outcome.error?.message}`,
  )
})

Then('no SIP WebSocket is established', function (this: HarnessWorld) {
  const outcome = this.handshake
  expectThat(
    outcome !== undefined && (!outcome.ok || outcome.protocol !== ''),
    'RFC 7118 §4.1, RFC 6455 §4.2.2',
    () => 'expected no SIP WebSocket without the "sip" subprotocol, but the eP-CSCF upgraded the connection',
  )
  expectThat(
    !outcome.ok,
    'RFC 7118 §4.1',
    () => `expected the handshake to be refused, but it upgraded with subprotocol "${outcome.protocol}"`,
  )
})

Then('nothing reached the S-CSCF', function (this: HarnessWorld) {
  const received = this.env.scscf.received
  expectThat(
    received.length === 0,
    'RFC 6455 §10.2, TR 23.701 X.2.1.2 step 2',
    () => `expected no SIP at the S-CSCF, got ${received.map((r) => r.request.summary()).join(', ')}`,
  )
})
