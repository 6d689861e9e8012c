import { ScenarioMisuse } from '../errors.ts'
import { parseCSeq } from '../sip/cseq.ts'
import { SipRequest, type HeaderField, type SipMessage, type SipResponse } from '../sip/message.ts'
import { formatNameAddr, parseNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { getParam, hasParam } from '../sip/params.ts'
import { formatUri } from '../sip/uri.ts'

/**
 * An RFC 3261 §12 dialog, as one user agent holds it: the dialog ID (Call-ID, local and remote tag), the local and
 * remote sequence numbers, the local and remote URI, the remote target and the route set. Pure state and
 * builders: sending is the user agent's (the WIC, the mock core's network UA), through its transaction layer.
 */

export type DialogRole = 'UAC' | 'UAS'
export type DialogState = 'early' | 'confirmed' | 'terminated'

/** What an in-dialog request carries besides what the dialog fills in. */
export interface InDialogOptions {
  /** The top Via of the sender, with a fresh branch (the sender knows its sent-by). */
  readonly via: string
  /** Contact for target-refresh requests (re-INVITE, UPDATE): RFC 3261 §12.2.1.1, §14.1. */
  readonly contact?: string
  readonly body?: string
  readonly contentType?: string
  readonly headers?: readonly (readonly [string, string])[]
  /** A CSeq number to use instead of the next one (negative tests). */
  readonly cseq?: number
}

/** Why an in-dialog request is refused by the dialog (RFC 3261 §12.2.2): the status and reason to answer. */
export type InDialogVerdict = { readonly ok: true } | { readonly ok: false; status: number; reason: string }

export class Dialog {
  state: DialogState
  readonly role: DialogRole
  readonly callId: string
  readonly localTag: string
  readonly remoteTag: string
  /** The local and remote URIs as name-addr values without tag (From/To of requests in this dialog). */
  readonly localUri: string
  readonly remoteUri: string
  localSeq: number
  remoteSeq: number | undefined
  remoteTarget: string
  /** Route set, name-addr values in the order requests carry them (RFC 3261 §12.1.1, §12.1.2). */
  readonly routeSet: readonly string[]
  /** Every request sent in this dialog, in order (ACKs too). */
  readonly sent: SipRequest[] = []

  private constructor(init: {
    role: DialogRole
    state: DialogState
    callId: string
    localTag: string
    remoteTag: string
    localUri: string
    remoteUri: string
    localSeq: number
    remoteSeq: number | undefined
    remoteTarget: string
    routeSet: string[]
  }) {
    this.role = init.role
    this.state = init.state
    this.callId = init.callId
    this.localTag = init.localTag
    this.remoteTag = init.remoteTag
    this.localUri = init.localUri
    this.remoteUri = init.remoteUri
    this.localSeq = init.localSeq
    this.remoteSeq = init.remoteSeq
    this.remoteTarget = init.remoteTarget
    this.routeSet = init.routeSet
  }

  /**
   * The UAC's dialog from a 101-299 response with a To tag (RFC 3261 §12.1.2): "The route set MUST be set to the
   * list of URIs in the Record-Route header field from the response, taken in reverse order and preserving all
   * URI parameters. [...] The remote target MUST be set to the URI from the Contact header field of the response.
   * [...] The local sequence number MUST be set to the value of the sequence number in the CSeq header field of
   * the request. The remote sequence number MUST be empty."
   */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    const to = nameAddr(response, 'To')
    const from = nameAddr(request, 'From')
    const remoteTag = getParam(to.params, 'tag')
    const localTag = getParam(from.params, 'tag')
    if (remoteTag === undefined || localTag === undefined)
      throw new ScenarioMisuse(
        `no dialog: ${response.summary()} or its request lacks a tag (RFC 3261 §12.1.2)`,
      )
    return new Dialog({
      role: 'UAC',
      state: response.status < 200 ? 'early' : 'confirmed',
      callId: request.get('Call-ID') ?? '',
      localTag,
      remoteTag,
      localUri: withoutTag(from),
      remoteUri: withoutTag(to),
      localSeq: parseCSeq(request.get('CSeq') ?? '0 X').seq,
      remoteSeq: undefined,
      remoteTarget: contactTarget(response) ?? request.uri,
      routeSet: recordRoutes(response).reverse(),
    })
  }

  /**
   * The UAS's dialog from the request and the 101-299 response it sends (RFC 3261 §12.1.1): "The route set MUST
   * be set to the list of URIs in the Record-Route header field from the request, taken in order and preserving
   * all URI parameters. [...] The remote target MUST be set to the URI from the Contact header field of the
   * request. The remote sequence number MUST be set to the value of the sequence number in the CSeq header field
   * of the request. The local sequence number MUST be empty."
   */
  static asUas(request: SipRequest, response: SipResponse): Dialog {
    const to = nameAddr(response, 'To')
    const from = nameAddr(request, 'From')
    const localTag = getParam(to.params, 'tag')
    const remoteTag = getParam(from.params, 'tag')
    if (localTag === undefined || remoteTag === undefined)
      throw new ScenarioMisuse(
        `no dialog: ${response.summary()} or its request lacks a tag (RFC 3261 §12.1.1)`,
      )
    return new Dialog({
      role: 'UAS',
      state: response.status < 200 ? 'early' : 'confirmed',
      callId: request.get('Call-ID') ?? '',
      localTag,
      remoteTag,
      localUri: withoutTag(to),
      remoteUri: withoutTag(from),
      // "The local sequence number MUST be empty": 0 until the first request, which then takes 1 (§12.2.1.1 lets
      // the first value be any number below 2**31).
      localSeq: 0,
      remoteSeq: parseCSeq(request.get('CSeq') ?? '0 X').seq,
      remoteTarget: contactTarget(request) ?? '',
      routeSet: recordRoutes(request),
    })
  }

  /** Whether a message belongs to this dialog (Call-ID and both tags, seen from the side it travels to). */
  matches(message: SipMessage): boolean {
    if (message.get('Call-ID') !== this.callId) return false
    const fromTag = tagOf(message, 'From')
    const toTag = tagOf(message, 'To')
    // A request we receive carries the remote tag in From; a response to our request the remote tag in To.
    return message.isRequest()
      ? fromTag === this.remoteTag && toTag === this.localTag
      : fromTag === this.localTag && toTag === this.remoteTag
  }

  /**
   * A request within the dialog (RFC 3261 §12.2.1.1): To = remote URI and tag, From = local URI and tag, Call-ID
   * of the dialog, CSeq the local sequence number plus one, and the Request-URI and Route from the route set:
   * "If the route set is empty, the UAC MUST place the remote target URI into the Request-URI. [...] If the route
   * set is not empty, and the first URI in the route set contains the lr parameter [...], the UAC MUST place the
   * remote target URI into the Request-URI and MUST include a Route header field containing the route set values
   * in order [...]. If the route set is not empty, and its first URI does not contain the lr parameter, the UAC
   * MUST place the first URI from the route set into the Request-URI, stripping any parameters that are not
   * allowed in a Request-URI. The UAC MUST add a Route header field containing the remainder of the route set
   * values in order, including all parameters. The UAC MUST then place the remote target URI into the Route
   * header field as the last value."
   */
  createRequest(method: string, options: InDialogOptions): SipRequest {
    const m = method.toUpperCase()
    if (m === 'ACK' || m === 'CANCEL')
      throw new ScenarioMisuse(`${m} is not built by createRequest: use ackFor2xx or cancelFor`)
    this.localSeq = options.cseq ?? this.localSeq + 1
    return this.build(m, this.localSeq, options)
  }

  /**
   * The ACK for a 2xx to an INVITE of this dialog (RFC 3261 §13.2.2.4): "The header fields of the ACK are
   * constructed in the same way as for any request sent within a dialog (see Section 12) with the exception of
   * the CSeq and the header fields related to authentication. The sequence number of the CSeq header field MUST
   * be the same as the INVITE being acknowledged, but the CSeq method MUST be ACK."
   */
  ackFor2xx(invite: SipRequest, options: InDialogOptions): SipRequest {
    const seq = parseCSeq(invite.get('CSeq') ?? '1 INVITE').seq
    const ack = this.build('ACK', seq, { via: options.via, ...optionalBody(options) })
    for (const name of ['Authorization', 'Proxy-Authorization'])
      for (const value of invite.getAll(name)) ack.append(name, value)
    return ack.updateContentLength()
  }

  /**
   * RFC 3261 §12.2.2: "If the remote sequence number was not empty, but the sequence number of the request is
   * lower than the remote sequence number, the request is out of order and MUST be rejected with a 500 (Server
   * Internal Error) response. If the remote sequence number was not empty, and the sequence number of the request
   * is greater than the remote sequence number, the request is in order." ACK and CANCEL carry the CSeq number of
   * the request they belong to and are not checked here.
   */
  receiveRequest(request: SipRequest): InDialogVerdict {
    if (!this.matches(request)) return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' }
    if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true }
    const seq = parseCSeq(request.get('CSeq') ?? '0 X').seq
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq)
      return { ok: false, status: 500, reason: 'Server Internal Error - CSeq out of order' }
    this.remoteSeq = seq
    if (request.method === 'BYE') this.state = 'terminated'
    return { ok: true }
  }

  /**
   * A target refresh (RFC 3261 §12.2: re-INVITE, UPDATE): "the remote target URI [...] is replaced with the URI
   * from the Contact header field" of the request received or of the 2xx to the request sent.
   */
  refreshTarget(message: SipMessage): void {
    const target = contactTarget(message)
    if (target !== undefined) this.remoteTarget = target
  }

  /** The 2xx to an INVITE confirms an early dialog; a BYE (sent and answered, or received) ends it. */
  confirm(): void {
    if (this.state === 'early') this.state = 'confirmed'
  }

  terminate(): void {
    this.state = 'terminated'
  }

  private build(method: string, seq: number, options: InDialogOptions): SipRequest {
    const { requestUri, routes } = this.routing()
    const headers: HeaderField[] = [
      { name: 'Via', value: options.via },
      { name: 'Max-Forwards', value: '70' },
      ...routes.map((value) => ({ name: 'Route', value })),
      { name: 'From', value: `${this.localUri};tag=${this.localTag}` },
      { name: 'To', value: `${this.remoteUri};tag=${this.remoteTag}` },
      { name: 'Call-ID', value: this.callId },
      { name: 'CSeq', value: `${seq} ${method}` },
    ]
    if (options.contact !== undefined) headers.push({ name: 'Contact', value: options.contact })
    for (const [name, value] of options.headers ?? []) headers.push({ name, value })
    const request = new SipRequest({ method, uri: requestUri, headers, body: options.body ?? '' })
    if (options.body !== undefined && options.body !== '')
      request.append('Content-Type', options.contentType ?? 'application/sdp')
    request.append('Content-Length', '0').updateContentLength()
    this.sent.push(request)
    return request
  }

  private routing(): { requestUri: string; routes: string[] } {
    const [first, ...rest] = this.routeSet
    if (first === undefined) return { requestUri: this.remoteTarget, routes: [] }
    const top = parseNameAddr(first)
    if (hasParam(top.uri.params, 'lr')) return { requestUri: this.remoteTarget, routes: [...this.routeSet] }
    // Strict routing: the headers component is what RFC 3261 §19.1.1 (Table 1) does not allow in a Request-URI.
    const plain = { ...top.uri }
    delete plain.headers
    const uri = formatUri(plain)
    return { requestUri: uri, routes: [...rest, `<${this.remoteTarget}>`] }
  }
}

function nameAddr(message: SipMessage, header: string): NameAddr {
  const value = message.get(header)
  if (value === undefined) throw new ScenarioMisuse(`${message.summary()} has no ${header} (RFC 3261 §8.1.1)`)
  return parseNameAddr(value)
}

function withoutTag(n: NameAddr): string {
  return formatNameAddr({ ...n, params: n.params.filter((p) => p.name.toLowerCase() !== 'tag') })
}

function tagOf(message: SipMessage, header: string): string | undefined {
  const value = message.get(header)
  if (value === undefined) return undefined
  try {
    return getParam(parseNameAddr(value).params, 'tag')
  } catch {
    return undefined
  }
}

/** The Contact URI of a message (the remote target), undefined without Contact. */
function contactTarget(message: SipMessage): string | undefined {
  const value = message.get('Contact')
  if (value === undefined) return undefined
  const first = parseNameAddrList(value)[0]
  return first === undefined ? undefined : formatUri(first.uri)
}

/** Every Record-Route value of a message, top first, as written (URI parameters preserved). */
function recordRoutes(message: SipMessage): string[] {
  return message
    .getAll('Record-Route')
    .flatMap((line) => parseNameAddrList(line))
    .map((n) => n.raw.trim())
}

function optionalBody(options: InDialogOptions): Pick<InDialogOptions, 'body' | 'contentType'> {
  return {
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  }
}
