import { NoAnswer, PreconditionFailed, ScenarioMisuse } from '../errors.ts'
import { cancelFor } from '../dialog/cancel.ts'
import { Dialog } from '../dialog/dialog.ts'
import { newBranch } from '../sip/ids.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { webrtcAnswer, webrtcOffer, type OfferOptions } from '../sdp/webrtc-sdp.ts'
import { wicVia } from './register-request.ts'
import type { Wic } from './wic.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Calls of the scripted WIC (RFC 3261 §13–§15 over the dialog layer): it places an INVITE with a WebRTC offer and
 * ACKs the 2xx, answers an INVITE with 180 and a 200 carrying a WebRTC answer, hangs up with BYE from either side,
 * cancels before the answer, and sends and answers requests within the dialog. Every message goes through the
 * WIC's own transaction layer and WebSocket; what arrived is kept for the checks.
 */
export class WicCall {
  readonly wic: Wic
  readonly direction: 'outgoing' | 'incoming'
  /** The initial INVITE, as sent (outgoing) or received (incoming). */
  readonly invite: SipRequest
  readonly provisionals: SipResponse[]
  /** The final response to the INVITE: received (outgoing) or sent (incoming). */
  final: SipResponse | undefined
  /** The ACK sent (outgoing) or received (incoming) for a 2xx. */
  ack: SipRequest | undefined
  dialog: Dialog | undefined
  private readonly pending: Promise<SipResponse> | undefined

  private constructor(
    wic: Wic,
    direction: 'outgoing' | 'incoming',
    invite: SipRequest,
    pending?: Promise<SipResponse>,
    provisionals: SipResponse[] = [],
  ) {
    this.provisionals = provisionals
    this.wic = wic
    this.direction = direction
    this.invite = invite
    this.pending = pending
  }

  /**
   * Sends an INVITE with a WebRTC offer to `target` (an IMPU or any SIP URI). Resolves once the INVITE is on its
   * way; `answered()` awaits the final response (and ACKs a 2xx).
   */
  static place(
    wic: Wic,
    target: string,
    options: OfferOptions & { route?: readonly string[] } = {},
  ): WicCall {
    const invite = wic.createRequest('INVITE', target, {
      body: webrtcOffer(options),
      contentType: 'application/sdp',
      ...(options.route === undefined ? {} : { route: options.route }),
    })
    const provisionals: SipResponse[] = []
    const pending = wic.request(invite, { onProvisional: (r) => provisionals.push(r) })
    pending.catch(() => undefined) // awaited by answered(); a failure is reported there
    const call = new WicCall(wic, 'outgoing', invite, pending, provisionals)
    return call
  }

  /** Takes the next INVITE from the WIC's inbox (a terminating call) without answering it yet. */
  static async incoming(wic: Wic, withinMs?: number): Promise<WicCall> {
    const invite = await wic.expectRequest('INVITE', withinMs)
    return new WicCall(wic, 'incoming', invite)
  }

  /**
   * The final response to the outgoing INVITE. For a 2xx the dialog is created (RFC 3261 §12.1.2) and the ACK sent
   * on the WebSocket (§13.2.2.4: the UAC core, not the transaction, sends it); 300-699 are ACKed by the INVITE
   * client transaction itself (§17.1.1.3).
   */
  async answered(): Promise<SipResponse> {
    if (this.final !== undefined) return this.final
    if (this.pending === undefined) throw new ScenarioMisuse('answered() is for outgoing calls')
    const final = await this.pending
    this.final = final
    if (final.status >= 200 && final.status < 300) {
      const dialog = Dialog.asUac(this.invite, final)
      this.dialog = dialog
      this.ack = dialog.ackFor2xx(this.invite, { via: this.via() })
      await this.wic.send(this.ack)
    }
    return final
  }

  /**
   * Waits for the first provisional response above 100 (the callee is alerting). A final response first, or none
   * within `withinMs`, is inconclusive for what the caller wanted to do in the ringing phase (a CANCEL): the message
   * names what arrived instead.
   */
  async ringing(withinMs: number): Promise<SipResponse> {
    const deadline = Date.now() + withinMs
    const settled = this.pending?.then(
      (final) => final,
      () => undefined,
    )
    for (;;) {
      const ring = this.provisionals.find((r) => r.status > 100)
      if (ring !== undefined) return ring
      const seen = this.provisionals.map((r) => r.summary()).join(', ') || 'no provisional response'
      const final = this.final ?? (await Promise.race([settled, sleep(10).then(() => undefined)]))
      if (final !== undefined)
        throw new PreconditionFailed(
          `${this.wic.observer} expected a 180/183 to its INVITE before the final response, but ${seen} ` +
            `arrived and then the final ${final.summary()}`,
        )
      if (Date.now() > deadline)
        throw new NoAnswer(
          `${this.wic.observer} expected a 180/183 to its INVITE from the eP-CSCF at ${this.wic.url} within ${withinMs} ms; ` +
            `received ${seen}`,
        )
    }
  }

  /**
   * CANCEL (RFC 3261 §9.1: "a CANCEL request SHOULD NOT be sent to cancel a request other than INVITE" and not
   * before a provisional response). Resolves with the response to the CANCEL; `answered()` gives the INVITE's 487.
   */
  cancel(): Promise<SipResponse> {
    return this.wic.request(cancelFor(this.invite))
  }

  /**
   * Answers an incoming INVITE: 180 (Ringing), then `status` (200 with a WebRTC answer by default). A 2xx creates
   * the UAS dialog (RFC 3261 §12.1.1); `acknowledged()` awaits the ACK.
   */
  async answer(status = 200, options: { ring?: boolean } = {}): Promise<SipResponse> {
    if (this.direction !== 'incoming') throw new ScenarioMisuse('answer() is for incoming calls')
    if (options.ring ?? true) this.provisionals.push(await this.wic.respond(this.invite, 180))
    const ok = status >= 200 && status < 300
    const final = await this.wic.respond(
      this.invite,
      status,
      ok ? { body: webrtcAnswer(this.invite.body) } : {},
    )
    this.final = final
    if (ok) this.dialog = Dialog.asUas(this.invite, final)
    return final
  }

  /** The ACK for the 2xx this WIC sent (RFC 3261 §13.3.1.4), within `withinMs`. */
  async acknowledged(withinMs?: number): Promise<SipRequest> {
    const dialog = this.requireDialog()
    const ack = await this.wic.expectMessage(
      {
        description: `the ACK for its 200 OK (Call-ID ${dialog.callId})`,
        predicate: (m) => m.isRequest() && m.method === 'ACK' && dialog.matches(m),
      },
      withinMs,
    )
    this.ack = ack as SipRequest
    return this.ack
  }

  /** Sends a request within the dialog (BYE, MESSAGE, INFO...) and resolves with its final response. */
  async send(method: string, options: { body?: string; contentType?: string } = {}): Promise<SipResponse> {
    const dialog = this.requireDialog()
    const request = dialog.createRequest(method, { via: this.via(), ...options })
    const response = await this.wic.request(request)
    if (request.method === 'BYE' && response.status < 300) dialog.terminate()
    return response
  }

  /**
   * A re-INVITE (RFC 3261 §14.1) or an UPDATE (RFC 3311 §5.1) with a new WebRTC offer: a target refresh, so it
   * carries the Contact (§12.2.1.1); a 2xx refreshes the remote target, and a 2xx to a re-INVITE is ACKed.
   */
  async refresh(method: 'INVITE' | 'UPDATE' = 'INVITE'): Promise<SipResponse> {
    const dialog = this.requireDialog()
    const request = dialog.createRequest(method, {
      via: this.via(),
      contact: `<${this.wic.contactUri}>`,
      body: webrtcOffer(),
      contentType: 'application/sdp',
    })
    const response = await this.wic.request(request)
    if (response.status >= 200 && response.status < 300) {
      dialog.refreshTarget(response)
      if (method === 'INVITE') await this.wic.send(dialog.ackFor2xx(request, { via: this.via() }))
    }
    return response
  }

  /** Hangs up: BYE within the dialog (RFC 3261 §15.1.1). */
  hangUp(): Promise<SipResponse> {
    return this.send('BYE')
  }

  /**
   * Takes the next request of this dialog with `method` from the inbox and answers it (200 unless the dialog
   * refuses it, RFC 3261 §12.2.2). Returns the request.
   */
  async receive(method: string, withinMs?: number): Promise<SipRequest> {
    const dialog = this.requireDialog()
    const m = method.toUpperCase()
    const request = (await this.wic.expectMessage(
      {
        description: `${m === 'INVITE' ? 'an' : 'a'} ${m} in the dialog ${dialog.callId}`,
        predicate: (x) => x.isRequest() && x.method === m && dialog.matches(x),
      },
      withinMs,
    )) as SipRequest
    const verdict = dialog.receiveRequest(request)
    await this.wic.respond(
      request,
      verdict.ok ? 200 : verdict.status,
      verdict.ok ? {} : { reason: verdict.reason },
    )
    return request
  }

  /** The dialog, or a harness error when there is none yet (no 2xx sent or received). */
  requireDialog(): Dialog {
    if (this.dialog === undefined)
      throw new ScenarioMisuse(
        `${this.wic.observer} has no dialog for ${this.invite.get('Call-ID') ?? '?'} yet`,
      )
    return this.dialog
  }

  private via(): string {
    return wicVia(this.wic.identity, newBranch())
  }
}

/**
 * A request built from another WIC's dialog (its Call-ID, tags and route set) and sent from `wic`'s WebSocket: an
 * in-dialog request from a connection that is not party to the dialog (TS 24.229 §5.2.6.3.5 negative case).
 */
export function foreignInDialogRequest(wic: Wic, dialog: Dialog, method: string): Promise<SipResponse> {
  const request = dialog.createRequest(method, { via: wicVia(wic.identity, newBranch()) })
  return wic.request(request)
}
