import { PreconditionFailed, TransportFailed } from '../errors.ts'
import { newBranch, newCallId, newTag } from '../sip/ids.ts'
import { SipRequest, type HeaderField, type SipResponse } from '../sip/message.ts'
import { parseNameAddrList } from '../sip/name-addr.ts'
import { getParam } from '../sip/params.ts'
import type { Peer, TransportProtocol } from '../transport/peer.ts'
import type { Binding } from './binding-store.ts'

/** A terminating request for `sendTerminating`: what it is, who it is to and from, and what it carries. */
export interface TerminatingInit {
  /** INVITE (default) or MESSAGE, or any other method. */
  readonly method?: string
  /** The served IMPU (To and P-Called-Party-ID); a registered binding of it gives the target. */
  readonly to: string
  /** The calling party (From and P-Asserted-Identity). Default `sip:bob@ims.harness.test`. */
  readonly from?: string
  readonly body?: string
  /** Default `application/sdp` for INVITE, `text/plain` for MESSAGE, when a body is given. */
  readonly contentType?: string
  /** Extra header fields, appended in order. */
  readonly headers?: readonly (readonly [string, string])[]
  /** Which binding to use when the IMPU has several; default the most recently registered. */
  readonly binding?: Binding
}

/** The mock's own sent-by for Via and Contact. */
export interface OwnAddress {
  readonly transport: TransportProtocol
  readonly address: string
  readonly port: number
}

/**
 * Where a terminating request goes: the first Path entry (RFC 3327 §5.4: the home proxy puts the stored Path values
 * into Route header fields of requests to the registered contact, so the request goes to the top Route, the
 * eP-CSCF). Its `transport` parameter picks TCP; anything else is UDP, as the interop contract's Mw is.
 */
export function pathTarget(binding: Binding, hostnames: Readonly<Record<string, string>> = {}): Peer {
  const top = binding.path[0]
  if (!top) {
    throw new PreconditionFailed(
      `the binding ${binding.contactUri} of ${binding.aor} was registered without Path: no route to the eP-CSCF`,
    )
  }
  const uri = top.uri
  const transport = getParam(uri.params, 'transport')?.toUpperCase()
  if (transport !== undefined && transport !== 'UDP' && transport !== 'TCP') {
    throw new TransportFailed(`Path ${uri.raw}: transport ${transport} is not served on Mw`)
  }
  const port = uri.port ?? (uri.scheme.toLowerCase() === 'sips' ? 5061 : 5060)
  const named = uri.host.replace(/^\[(.*)\]$/, '$1')
  // A host name in the Path (the eP-CSCF's choice, RFC 3327) is resolved through the profile's table
  // (`scscf.hostnames`), as a core's DNS would; an address, or a name the table lacks, is used as written.
  const host =
    Object.entries(hostnames).find(([name]) => name.toLowerCase() === named.toLowerCase())?.[1] ?? named
  return { transport: transport === 'TCP' ? 'TCP' : 'UDP', address: host, port }
}

/**
 * An initial request from the S-CSCF to a registered contact (TS 24.229 §5.4.3.3): Request-URI = the registered
 * contact, Route = the stored Path, P-Called-Party-ID = the served IMPU, P-Asserted-Identity = the caller (the
 * S-CSCF is inside the trust domain, RFC 3325).
 */
export function buildTerminatingRequest(
  binding: Binding,
  init: TerminatingInit,
  own: OwnAddress,
): SipRequest {
  const method = (init.method ?? 'INVITE').toUpperCase()
  const from = init.from ?? 'sip:bob@ims.harness.test'
  const host = own.address.includes(':') ? `[${own.address}]` : own.address
  const headers: HeaderField[] = [
    { name: 'Via', value: `SIP/2.0/${own.transport} ${host}:${own.port};branch=${newBranch()};rport` },
    { name: 'Max-Forwards', value: '70' },
    ...binding.path.map((p) => ({ name: 'Route', value: p.raw })),
    { name: 'From', value: `<${from}>;tag=${newTag()}` },
    { name: 'To', value: `<${init.to}>` },
    { name: 'Call-ID', value: newCallId(own.address) },
    { name: 'CSeq', value: `1 ${method}` },
    { name: 'P-Asserted-Identity', value: `<${from}>` },
    { name: 'P-Called-Party-ID', value: `<${init.to}>` },
  ]
  // RFC 3261 §8.1.1.8: "The Contact header field MUST be present and contain exactly one SIP or SIPS URI in any
  // request that can result in the establishment of a dialog."
  if (method === 'INVITE' || method === 'SUBSCRIBE' || method === 'REFER') {
    const transportParam = own.transport === 'UDP' ? '' : `;transport=${own.transport.toLowerCase()}`
    headers.push({ name: 'Contact', value: `<sip:term@${host}:${own.port}${transportParam}>` })
  }
  for (const [name, value] of init.headers ?? []) headers.push({ name, value })
  const body = init.body ?? ''
  if (body !== '') {
    const type = init.contentType ?? (method === 'INVITE' ? 'application/sdp' : 'text/plain')
    headers.push({ name: 'Content-Type', value: type })
  }
  const request = new SipRequest({ method, uri: binding.contactUri, headers, body })
  return request.updateContentLength()
}

/**
 * The ACK for a 2xx to an INVITE (RFC 3261 §13.2.2.4: the UAC core, not the transaction, sends it), in the dialog
 * the 2xx created: Request-URI = the 2xx Contact (the remote target), To with the 2xx's tag, CSeq number of the
 * INVITE. RFC 3261 §12.1.2: "The route set MUST be set to the list of URIs in the Record-Route header field from
 * the response, taken in reverse order". Without Record-Route the ACK keeps the INVITE's Route (the Path): the
 * mock cannot reach a WIC's contact directly, only through the eP-CSCF.
 */
export function buildAckFor2xx(invite: SipRequest, response: SipResponse, own: OwnAddress): SipRequest {
  const seq = (invite.get('CSeq') ?? '1').trim().split(/\s+/)[0] ?? '1'
  const contact = response.get('Contact')
  const target = contact ? (/<([^>]+)>/.exec(contact)?.[1] ?? contact.trim()) : invite.uri
  const host = own.address.includes(':') ? `[${own.address}]` : own.address
  const headers: HeaderField[] = [
    { name: 'Via', value: `SIP/2.0/${own.transport} ${host}:${own.port};branch=${newBranch()};rport` },
    { name: 'Max-Forwards', value: '70' },
    ...routeSet(invite, response).map((value) => ({ name: 'Route', value })),
    { name: 'From', value: invite.get('From') ?? '' },
    { name: 'To', value: response.get('To') ?? invite.get('To') ?? '' },
    { name: 'Call-ID', value: invite.get('Call-ID') ?? '' },
    { name: 'CSeq', value: `${seq} ACK` },
    { name: 'Content-Length', value: '0' },
  ]
  return new SipRequest({ method: 'ACK', uri: target, headers })
}

function routeSet(invite: SipRequest, response: SipResponse): string[] {
  const recorded = response
    .getAll('Record-Route')
    .flatMap((line) => parseNameAddrList(line).map((n) => n.raw))
  return recorded.length > 0 ? recorded.reverse() : invite.getAll('Route')
}
