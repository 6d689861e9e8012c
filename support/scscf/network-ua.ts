import { Dialog } from '../dialog/dialog.ts'
import { createResponse } from '../sip/builders.ts'
import { newBranch, newCallId, newTag } from '../sip/ids.ts'
import { SipRequest, type SipResponse } from '../sip/message.ts'
import { parseNameAddr } from '../sip/name-addr.ts'
import { getParam } from '../sip/params.ts'
import { webrtcAnswer, webrtcOffer } from '../sdp/webrtc-sdp.ts'
import type { TransactionLayer } from '../transaction/transaction-layer.ts'
import type { Flow, Peer } from '../transport/peer.ts'
import type { Binding } from './binding-store.ts'
import { pathTarget } from './terminating-request.ts'

/** The network's party: an address outside the home network's subscribers that the mock core answers for. */
export const NETWORK_PARTY = 'sip:network@remote.harness.test'

/** How the network party answers an INVITE: 180 then 200 with SDP, busy (486), or 180 and never a final. */
export type NetworkAnswer = 'answer' | 'busy' | 'ring-forever'

/** What the network UA needs from the mock core it lives in. */
export interface NetworkUaDeps {
  readonly transactions: TransactionLayer
  /** A flow to a Mw peer (UDP or TCP, as the peer says). */
  readonly flowTo: (peer: Peer) => Flow
  /** The mock's own transport address, for Via and Contact. */
  readonly own: () => { readonly address: string; readonly port: number }
  readonly note: (text: string) => void
}

/** One call of the network UA: its dialog, and what it received in it. */
export interface NetworkCall {
  readonly invite: SipRequest
  readonly dialog: Dialog | undefined
  /** In-dialog requests received (ACK included), in order. */
  readonly received: SipRequest[]
  /** In-dialog requests the network sent (BYE...), in order. */
  readonly sent: SipRequest[]
  /** The final response to a network-initiated INVITE. */
  final: SipResponse | undefined
}

/**
 * The user agent of the network behind the mock I/S-CSCF (RFC 3261 §13–§15 as a UAS and a UAC): answers calls to
 * `NETWORK_PARTY` as the scenario says, calls a registered WIC along its Path, and sends and answers requests
 * within its dialogs. In-dialog requests toward a WIC go along the dialog's route set (RFC 3261 §12.2.1.1), i.e.
 * to the eP-CSCF's Record-Route.
 */
export class NetworkUa {
  behaviour: NetworkAnswer = 'answer'
  readonly calls: NetworkCall[] = []

  constructor(private readonly deps: NetworkUaDeps) {}

  reset(): void {
    this.behaviour = 'answer'
    this.calls.length = 0
  }

  /** Whether a request is for this UA: its address-of-record, or its contact (the mock's own host and port). */
  isFor(requestUri: string, ownHostPort: string): boolean {
    const uri = requestUri.toLowerCase()
    return uri.startsWith(NETWORK_PARTY) || uri.includes(`@${ownHostPort.toLowerCase()}`)
  }

  /**
   * An initial INVITE for the network party (RFC 3261 §13.3): 180, then 200 with a WebRTC answer, or 486, or
   * nothing more (the caller's CANCEL then gets the mock core's 487). The dialog is the UAS's (§12.1.1).
   */
  async answerInvite(request: SipRequest, send: (r: SipResponse) => Promise<void>): Promise<void> {
    const ringing = createResponse(request, 180)
    ringing.append('Contact', `<${this.contact()}>`)
    const toTag = ringing.get('To')
    await send(ringing)
    if (this.behaviour === 'ring-forever') {
      this.calls.push({ invite: request, dialog: undefined, received: [], sent: [], final: undefined })
      return
    }
    if (this.behaviour === 'busy') {
      const busy = createResponse(request, 486)
      if (toTag !== undefined) busy.set('To', toTag)
      await send(busy)
      return
    }
    const ok = createResponse(request, 200)
    if (toTag !== undefined) ok.set('To', toTag)
    ok.set('Contact', `<${this.contact()}>`)
    ok.body = request.body === '' ? webrtcOffer() : webrtcAnswer(request.body)
    ok.set('Content-Type', 'application/sdp').updateContentLength()
    this.calls.push({ invite: request, dialog: Dialog.asUas(request, ok), received: [], sent: [], final: ok })
    await send(ok)
  }

  /**
   * A request within one of this UA's dialogs (BYE, MESSAGE, INFO, re-INVITE, ACK). Returns the response to send,
   * or undefined for an ACK (never answered) or a request of no dialog of this UA (the caller answers 481).
   */
  inDialog(request: SipRequest): SipResponse | 'ack' | undefined {
    const call = this.calls.find((c) => c.dialog?.matches(request))
    const dialog = call?.dialog
    if (call === undefined || dialog === undefined) return undefined
    call.received.push(request)
    if (request.method === 'ACK') return 'ack'
    const verdict = dialog.receiveRequest(request)
    if (!verdict.ok) return createResponse(request, verdict.status, verdict.reason)
    const response = createResponse(request, 200)
    if (request.method === 'INVITE' || (request.method === 'UPDATE' && request.body !== '')) {
      // A re-INVITE or an UPDATE is a target refresh (RFC 3261 §12.2.2, RFC 3311 §5.2); an offer gets an answer.
      dialog.refreshTarget(request)
      response.set('Contact', `<${this.contact()}>`)
      response.body = request.body === '' ? webrtcOffer() : webrtcAnswer(request.body)
      response.set('Content-Type', 'application/sdp').updateContentLength()
    }
    return response
  }

  /**
   * Calls a registered WIC (TS 24.229 §5.4.3.3): Request-URI the registered contact, Route the stored Path, From
   * the network party, a WebRTC offer; ACKs a 2xx along the route set the 2xx recorded (RFC 3261 §13.2.2.4).
   */
  async call(binding: Binding, to: string): Promise<NetworkCall> {
    const target = pathTarget(binding)
    const { address } = this.deps.own()
    const host = address.includes(':') ? `[${address}]` : address
    const invite = new SipRequest({ method: 'INVITE', uri: binding.contactUri })
    invite.append('Via', this.via(target.transport)).append('Max-Forwards', '70')
    for (const p of binding.path) invite.append('Route', p.raw)
    invite
      .append('From', `<${NETWORK_PARTY}>;tag=${newTag()}`)
      .append('To', `<${to}>`)
      .append('Call-ID', newCallId(host))
      .append('CSeq', '1 INVITE')
      .append('P-Asserted-Identity', `<${NETWORK_PARTY}>`)
      .append('P-Called-Party-ID', `<${to}>`)
      .append('Contact', `<${this.contact()}>`)
      .append('Content-Type', 'application/sdp')
    invite.body = webrtcOffer()
    invite.append('Content-Length', '0').updateContentLength()
    const call: NetworkCall = { invite, dialog: undefined, received: [], sent: [], final: undefined }
    this.calls.push(call)
    this.deps.note(`network party calls ${to} at ${binding.contactUri}`)
    const final = await this.deps.transactions.request(invite, this.deps.flowTo(target))
    call.final = final
    if (final.status >= 200 && final.status < 300) {
      const dialog = Dialog.asUac(invite, final)
      Object.assign(call, { dialog })
      const ack = dialog.ackFor2xx(invite, { via: this.via(this.nextHop(dialog, target).transport) })
      await this.deps.flowTo(this.nextHop(dialog, target)).send(ack)
    }
    return call
  }

  /** Sends a request within a call's dialog along its route set and resolves with the final response. */
  async send(call: NetworkCall, method: string): Promise<SipResponse> {
    const dialog = call.dialog
    if (dialog === undefined) throw new Error(`the network party has no dialog for ${call.invite.summary()}`)
    const hop = this.nextHop(dialog)
    const request = dialog.createRequest(method, { via: this.via(hop.transport) })
    call.sent.push(request)
    const response = await this.deps.transactions.request(request, this.deps.flowTo(hop))
    if (method.toUpperCase() === 'BYE' && response.status < 300) dialog.terminate()
    return response
  }

  private nextHop(dialog: Dialog, fallback?: Peer): Peer {
    const first = dialog.routeSet[0]
    if (first === undefined) {
      if (fallback !== undefined) return fallback
      throw new Error(
        `the dialog ${dialog.callId} has no route set: the network cannot reach the WIC directly`,
      )
    }
    const uri = parseNameAddr(first).uri
    const transport = getParam(uri.params, 'transport')?.toUpperCase() === 'TCP' ? 'TCP' : 'UDP'
    return { transport, address: uri.host.replace(/^\[(.*)\]$/, '$1'), port: uri.port ?? 5060 }
  }

  private via(transport: string): string {
    const { address, port } = this.deps.own()
    const host = address.includes(':') ? `[${address}]` : address
    return `SIP/2.0/${transport} ${host}:${port};branch=${newBranch()};rport`
  }

  private contact(): string {
    const { address, port } = this.deps.own()
    const host = address.includes(':') ? `[${address}]` : address
    return `sip:network@${host}:${port}`
  }
}
