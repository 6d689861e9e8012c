import { defineParameterType, Then, When } from '@cucumber/cucumber'
import type { SecureVersion } from 'node:tls'
import { checkTlsAccepted, checkTlsRefused } from '../support/checks/transport-checks.ts'
import type { HarnessWorld } from '../support/world/harness-world.ts'

/** `TLS 1.0` … `TLS 1.3` → Node's version names. */
defineParameterType({
  name: 'tlsVersion',
  regexp: /TLS 1\.[0-3]/,
  transformer: (text: string): SecureVersion =>
    text === 'TLS 1.0' ? 'TLSv1' : (text.replace('TLS ', 'TLSv') as SecureVersion),
})

When(
  'a WIC offering only {tlsVersion} opens a WebSocket to the eP-CSCF',
  async function (this: HarnessWorld, version: SecureVersion) {
    await this.tryTls([version])
  },
)

Then('the eP-CSCF completes the TLS handshake and opens the SIP WebSocket', function (this: HarnessWorld) {
  checkTlsAccepted(this.tls)
})

Then('the eP-CSCF refuses the TLS handshake', function (this: HarnessWorld) {
  checkTlsRefused(this.tls)
})
