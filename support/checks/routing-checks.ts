import { parseNameAddrList } from '../sip/name-addr.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { expectThat, showHeader } from './expectations.ts'

/** Checks of requests the eP-CSCF routes between the WIC and the S-CSCF (TS 24.229 §5.2.6, RFC 3608, RFC 3325). */

/** RFC 3608 §6: the proxy "MUST" route an originating request along the stored Service-Route (as Route entries). */
export function checkRoutedAlongServiceRoute(request: SipRequest, serviceRoute: readonly string[]): void {
  const requirement = 'RFC 3608 §6, TS 24.229 §5.2.6.3.2'
  const routes = request.getAll('Route').flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
  const wanted = serviceRoute.flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
  expectThat(
    wanted.length > 0,
    requirement,
    () => 'precondition: the 200 OK to REGISTER carried no Service-Route',
  )
  expectThat(
    JSON.stringify(routes.slice(0, wanted.length)) === JSON.stringify(wanted),
    requirement,
    () =>
      `expected Route ${wanted.map((u) => `<${u}>`).join(', ')} (the Service-Route) at the S-CSCF, got ${showHeader(request, 'Route')}`,
  )
}

/**
 * RFC 3325 §9.1 / TS 24.229 §5.2.6.3.2: the P-CSCF removes a P-Asserted-Identity from the UE and inserts one: the
 * P-Preferred-Identity if it is a registered IMPU, else the default IMPU; P-Preferred-Identity never reaches Mw.
 */
export function checkAssertedIdentity(request: SipRequest, expected: string): void {
  const requirement = 'RFC 3325 §9.1, TS 24.229 §5.2.6.3.2'
  const asserted = request
    .getAll('P-Asserted-Identity')
    .flatMap((v) => parseNameAddrList(v).map((n) => n.uri.raw))
  expectThat(
    asserted.length === 1 && asserted[0] === expected,
    requirement,
    () =>
      `expected exactly P-Asserted-Identity <${expected}> at the S-CSCF, got ${showHeader(request, 'P-Asserted-Identity')}`,
  )
  expectThat(
    !request.has('P-Preferred-Identity'),
    requirement,
    () => `expected no P-Preferred-Identity on Mw, got ${showHeader(request, 'P-Preferred-Identity')}`,
  )
}

/** RFC 5626 §5.3: a request for a flow that has failed gets 430 (Flow Failed); 480 is the contract's alternative. */
export function checkFlowFailed(response: SipResponse): void {
  expectThat(
    [430, 480].includes(response.status),
    'RFC 5626 §5.3, interop contract (termination)',
    () =>
      `expected 430 (Flow Failed) or 480 from the eP-CSCF for a closed WebSocket, got ${response.summary()}`,
  )
}
