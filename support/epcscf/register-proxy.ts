import { canonicalHeaderName } from '../sip/compact-names.ts'
import { formatAuthValue, parseAuthValue, type AuthValue } from '../sip/auth.ts'
import type { SipRequest } from '../sip/message.ts'
import { formatNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import type { Param } from '../sip/params.ts'
import { insertChargingVector } from './charging.ts'
import type { Faults } from './faults.ts'
import type { FlowTokens } from './flow-token.ts'
import {
  addOptionTag,
  hostPort,
  insertBeforeLength,
  insertTop,
  setHeader,
  transportParam,
  type SelfAddress,
} from './proxy-rules.ts'
import { dropWicAssertions } from './untrusted-headers.ts'
import type { Variants } from './variants.ts'
import type { WicConnection } from './wic-connections.ts'

/**
 * REGISTER from a WIC toward the I/S-CSCF: what the P-CSCF adds (TS 24.229 §5.2.2, TS 24.228 flow R1-1c) on top of
 * plain proxying. Validation, Via, received/rport and Max-Forwards are the caller's (reference-epcscf.ts).
 */

/** `integrity-protected` on forwarded digest REGISTERs (TS 24.229 §7.2A.2, TS 33.203 Annex N/O). */
export type IntegrityProtectedPolicy = 'absent' | 'tls-pending' | 'tls-yes'

export interface RegisterProxyOptions {
  readonly self: SelfAddress
  readonly visitedNetworkId: string
  readonly integrityProtected: IntegrityProtectedPolicy
  readonly faults: Faults
  readonly variants: Variants
  /** Flow tokens: a fresh one per REGISTER under the `flow-token-per-refresh` variant. */
  readonly tokens: FlowTokens
}

/**
 * The Path URI of a connection: `<sip:TOKEN@mw-host:mw-port;lr;ob>` (`;transport=tcp` when Mw is TCP). `token`
 * defaults to the connection's; the `flow-token-per-refresh` variant passes a fresh one.
 */
export function pathValue(connection: WicConnection, self: SelfAddress, token = connection.token): string {
  return `<sip:${token}@${hostPort(self.pathHost, self.mwPort)}${transportParam(self)};lr;ob>`
}

/**
 * Adds Path, Require/Supported path, P-Visited-Network-ID and P-Charging-Vector, and sets the eP-CSCF's own
 * `integrity-protected` on digest credentials. `request` is the copy to be forwarded; it is changed in place.
 */
export function prepareRegister(
  request: SipRequest,
  connection: WicConnection,
  opts: RegisterProxyOptions,
): void {
  const { self, faults } = opts

  if (!faults.has('no-path')) {
    // The P-CSCF adds itself to the Path so that terminating requests come back through it (TS 24.229 §5.2.2.1,
    // RFC 3327 §5.2: a proxy that wants to stay on the path toward the UA inserts its URI as the first Path
    // value). The user part is the flow token and `ob` marks an outbound edge proxy, so that requests sent along
    // this Path reach the same WebSocket connection (RFC 5626 §5.1 and §5.3, RFC 7118 Appendix B).
    const token = opts.variants.has('flow-token-per-refresh')
      ? opts.tokens.issue(connection.id, true)
      : connection.token
    insertTop(request, 'Path', pathValue(connection, self, token))
    // Require: "This header is included to ensure that the recipient correctly handles the Path header. If the
    // recipient does not support the path header, a response will be received with a status code of 420"
    // (TS 24.228 R1-1c).
    if (!faults.has('no-require-path')) addOptionTag(request, 'Require', 'path')
    addOptionTag(request, 'Supported', 'path')
  }

  // TS 24.229 §5.2.2.1: the P-CSCF inserts a P-Visited-Network-ID with a pre-provisioned string that identifies
  // its network; a value the UE sent is not the network's word, so it is replaced (untrusted-headers.ts).
  dropWicAssertions(request, faults)
  insertBeforeLength(request, 'P-Visited-Network-ID', opts.visitedNetworkId)

  insertChargingVector(request, { host: self.mwHost }, faults)

  if (faults.has('contact-rewritten')) rewriteContacts(request, connection, self)
  else if (opts.variants.has('contact-alias')) addContactAlias(request, connection)

  setIntegrityProtected(request, opts)
}

/**
 * The eP-CSCF alone decides `integrity-protected` on Digest credentials. The S-CSCF reads "yes"/"no" as IMS AKA
 * ("If the flag is present and has either the value 'yes' or the value 'no' the S-CSCF concludes that the REGISTER
 * request relates to IMS AKA", TS 33.203 P.4.2) and "auth-done" as trusted-node authentication that skips the
 * challenge (TS 33.203 Annex U); a WIC choosing its own value would bypass authentication, so any value it sent
 * is removed before the profile's value is set.
 */
function setIntegrityProtected(request: SipRequest, opts: RegisterProxyOptions): void {
  // Proxy-Authorization too: a flag the WIC hides there is as much its own choice (issue 9 §1).
  const keys = new Set(['Authorization', 'Proxy-Authorization'].map(canonicalHeaderName))
  request.headers.forEach((field, index) => {
    if (!keys.has(canonicalHeaderName(field.name))) return
    let auth: AuthValue
    try {
      auth = parseAuthValue(field.value)
    } catch {
      return // left as is: the S-CSCF judges credentials, the eP-CSCF never does
    }
    if (auth.scheme.toLowerCase() !== 'digest') return
    const isFlag = (p: Param): boolean => p.name.toLowerCase() === 'integrity-protected'
    const fromWic = auth.params.some(isFlag)
    if (fromWic && opts.faults.has('forward-wic-integrity-protected')) return
    const value = opts.faults.has('integrity-protected-yes')
      ? 'yes'
      : opts.integrityProtected === 'absent'
        ? undefined
        : opts.integrityProtected
    const proxy = canonicalHeaderName(field.name) !== canonicalHeaderName('Authorization')
    if (!fromWic && (value === undefined || proxy)) return // untouched, raw text kept
    const params = auth.params.filter((p) => !isFlag(p))
    if (value !== undefined && !proxy) params.push({ name: 'integrity-protected', value, quoted: true })
    request.headers[index] = { name: field.name, value: formatAuthValue({ scheme: auth.scheme, params }) }
  })
}

/**
 * Replaces every Contact of the REGISTER (not `*`) with what `rewrite` makes of it; unparseable values are dropped.
 * The one place the reference edits a WIC's Contact (the `contact-rewritten` fault, the `contact-alias` variant).
 */
function mapContacts(request: SipRequest, rewrite: (contact: NameAddr) => NameAddr): void {
  const contacts = request.getAll('Contact').flatMap((value) => {
    try {
      return value.trim() === '*' ? [] : parseNameAddrList(value)
    } catch {
      return []
    }
  })
  if (contacts.length === 0) return
  setHeader(request, 'Contact', contacts.map((contact) => formatNameAddr(rewrite(contact))).join(', '))
}

/** The `contact-rewritten` fault: Contact replaced by a flow-token URI of the eP-CSCF, instance and reg-id lost. */
function rewriteContacts(request: SipRequest, connection: WicConnection, self: SelfAddress): void {
  mapContacts(request, (contact) => ({
    uri: {
      scheme: 'sip',
      user: connection.token,
      host: self.mwHost,
      port: self.mwPort,
      params: [{ name: 'transport', value: self.mwTransport.toLowerCase(), quoted: false }],
      raw: '',
    },
    params: contact.params.filter((p) => ['expires', 'q'].includes(p.name.toLowerCase())),
    raw: '',
  }))
}

/** The URI parameter of the `contact-alias` variant, as Kamailio's add_contact_alias() writes it. */
export const ALIAS_PARAM = 'alias'

/**
 * The `contact-alias` variant: each Contact URI gets `;alias=<ip>~<port>~<proto>` naming the WebSocket it came
 * from, as Kamailio's nathelper add_contact_alias() does; the header parameters (+sip.instance, reg-id, expires)
 * stay as the WIC wrote them (RFC 5626 §4.2, catalogue R19). Terminating requests reach the WIC along the Path,
 * and the alias is taken out of the Request-URI again before it goes to the WIC (terminating-proxy.ts).
 */
function addContactAlias(request: SipRequest, connection: WicConnection): void {
  const remote = connection.flow.remote
  // Kamailio's proto numbers: 1 UDP, 2 TCP, 3 TLS, 4 SCTP, 5 WS, 6 WSS.
  const alias = `${remote.address}~${remote.port}~6`
  mapContacts(request, (contact) => ({
    ...contact,
    uri: {
      ...contact.uri,
      params: [
        ...contact.uri.params.filter((p) => p.name.toLowerCase() !== ALIAS_PARAM),
        { name: ALIAS_PARAM, value: alias, quoted: false },
      ],
      raw: '',
    },
    raw: '',
  }))
}
