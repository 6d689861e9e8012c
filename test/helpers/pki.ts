import {
  DEFAULT_SERVER_HOSTS,
  DEFAULT_SERVER_IPS,
  mintTestPki,
  type TestPki,
} from '../../support/pki/test-pki.ts'

let shared: Promise<TestPki> | undefined

/**
 * The harness test PKI with the default server names (the eP-CSCF and WWSF hosts, localhost, 127.0.0.1), minted
 * once per test process: a CA for the client's `ca` and a server certificate it signed for the TLS listener.
 */
export function localPki(): Promise<TestPki> {
  shared ??= mintTestPki({ hosts: [...DEFAULT_SERVER_HOSTS], ips: [...DEFAULT_SERVER_IPS] })
  return shared
}
