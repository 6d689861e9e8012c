import { createResponse } from '../sip/builders.ts'
import { newBranch } from '../sip/ids.ts'
import { SipRequest, type SipResponse } from '../sip/message.ts'
import { parseNameAddr } from '../sip/name-addr.ts'
import type { Binding } from './binding-store.ts'

/**
 * The registration-state event package at the mock S-CSCF (RFC 3680), enough for an eP-CSCF that subscribes after
 * registration (TS 24.229 §5.2.3): the SUBSCRIBE gets 200 (OK), then a NOTIFY with the full state goes along the
 * subscription dialog. RFC 6665 §4.2.1.2: "Upon successfully accepting or refreshing a subscription, notifiers
 * MUST send a NOTIFY request immediately to communicate the current resource state to the subscriber."
 */

/** `Event: reg` (RFC 3680 §5.1: the event package name is "reg"), parameters ignored. */
export function isRegEvent(request: SipRequest): boolean {
  return /^\s*reg\s*(;|$)/i.test(request.get('Event') ?? '')
}

/** RFC 3680 §5.2 leaves the duration to the notifier; the requested one is granted up to this. */
const MAX_EXPIRES_S = 600_000

export interface RegNotifierAddress {
  readonly transport: string
  readonly address: string
  readonly port: number
}

/** The 200 (OK) to a reg-event SUBSCRIBE (To tagged: it creates the subscription dialog). */
export function acceptRegSubscribe(subscribe: SipRequest, own: RegNotifierAddress): SipResponse {
  const ok = createResponse(subscribe, 200)
  const requested = Number((subscribe.get('Expires') ?? '3600').trim())
  ok.append('Expires', String(Number.isFinite(requested) ? Math.min(requested, MAX_EXPIRES_S) : 3600))
  ok.append('Contact', contactOf(own))
  return ok.updateContentLength()
}

/**
 * The NOTIFY of the subscription `ok` accepted (RFC 6665 §4.2.1.2), with the registration state of the watched
 * IMPU as application/reginfo+xml (RFC 3680 §5.3, state "full"). The subscriber's Contact is the remote target
 * and, the SUBSCRIBE carrying no Record-Route, there is no route set (RFC 3261 §12.1.1).
 */
export function regNotify(
  subscribe: SipRequest,
  ok: SipResponse,
  bindings: readonly Binding[],
  own: RegNotifierAddress,
): SipRequest {
  const aor = uriOf(subscribe.get('To')) ?? subscribe.uri
  const target = uriOf(subscribe.get('Contact')) ?? subscribe.uri
  const expires = ok.get('Expires') ?? '3600'
  const host = own.address.includes(':') ? `[${own.address}]` : own.address
  const body = reginfo(aor, bindings)
  return new SipRequest({
    method: 'NOTIFY',
    uri: target,
    headers: [
      { name: 'Via', value: `SIP/2.0/${own.transport} ${host}:${own.port};branch=${newBranch()};rport` },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: ok.get('To') ?? '' },
      { name: 'To', value: subscribe.get('From') ?? '' },
      { name: 'Call-ID', value: subscribe.get('Call-ID') ?? '' },
      { name: 'CSeq', value: '1 NOTIFY' },
      { name: 'Contact', value: contactOf(own) },
      { name: 'Event', value: 'reg' },
      { name: 'Subscription-State', value: `active;expires=${expires}` },
      { name: 'Content-Type', value: 'application/reginfo+xml' },
    ],
    body,
  }).updateContentLength()
}

/** RFC 3680 §5.3 document: one registration element, one contact element per binding. */
function reginfo(aor: string, bindings: readonly Binding[]): string {
  const contacts = bindings.map(
    (b, i) =>
      `    <contact id="c${i + 1}" state="active" event="registered" expires="${b.expires}">\n` +
      `      <uri>${xml(b.contactUri)}</uri>\n    </contact>\n`,
  )
  return (
    '<?xml version="1.0"?>\n' +
    '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">\n' +
    `  <registration aor="${xml(aor)}" id="r1" state="${bindings.length > 0 ? 'active' : 'terminated'}">\n` +
    contacts.join('') +
    '  </registration>\n</reginfo>\n'
  )
}

function contactOf(own: RegNotifierAddress): string {
  const host = own.address.includes(':') ? `[${own.address}]` : own.address
  return `<sip:scscf@${host}:${own.port}${own.transport === 'UDP' ? '' : `;transport=${own.transport.toLowerCase()}`}>`
}

function uriOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    return parseNameAddr(value).uri.raw
  } catch {
    return undefined
  }
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
