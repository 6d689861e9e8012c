import { parse, write, type SessionDescription } from 'sdp-transform'
import type { SipMessage } from '../sip/message.ts'
import { webrtcAnswer, webrtcOffer } from '../sdp/webrtc-sdp.ts'
import type { Faults } from './faults.ts'
import type { Variants } from './variants.ts'

/**
 * The media profile `anchored` of the reference eP-CSCF (the `media-anchored` variant): the SDP is rewritten as an
 * eP-CSCF with an eIMS-AGW would rewrite it, in signalling only (no media flows; the AGW addresses below are
 * documentation addresses, RFC 5737, never reached).
 *
 * TS 23.228 U.1.1 (as catalogued, R59 and R60 [V]): "WebRTC specific media plane extensions will be handled at the
 * access edge and will not be propagated to other IMS functions", and "If an SDP offer with media multiplexing is
 * sent to the network the part of the SDP offer associated with media multiplexing shall be removed at the entry of
 * the IMS network." So toward Mw: no ICE (ice-ufrag, ice-pwd, candidates), no DTLS (fingerprint, setup,
 * UDP/TLS/RTP/SAVPF becomes RTP/AVP), no BUNDLE group, one AGW port per m-line. Toward the WIC the AGW answers (or
 * offers) WebRTC: DTLS-SRTP, ICE, rtcp-mux (TS 24.371 §7.2.1, catalogue R61, R62, R64), built from the WIC's own
 * offer, whatever the core answered (the AGW terminates both legs).
 *
 * The transparent profile's fault `mw-sdp-altered` drops the offer's candidates toward Mw instead.
 * Two faults imply the anchored profile and break it: `anchored-ice-kept` (ICE and DTLS attributes reach Mw) and
 * `anchored-bundle-kept` (the BUNDLE group reaches Mw). Re-offers within a dialog pass untouched (not anchored).
 */

/** The AGW's address toward the core (TEST-NET-2) and toward the WIC (TEST-NET-1). */
const CORE_SIDE = '198.51.100.50'
const ACCESS_SIDE = '192.0.2.50'
const FIRST_PORT = 40000

type Switches = { readonly faults: Faults; readonly variants: Variants }

/** Whether the reference runs the anchored media profile. */
export function mediaAnchored(switches: Switches): boolean {
  const { faults, variants } = switches
  return (
    variants.has('media-anchored') || faults.has('anchored-ice-kept') || faults.has('anchored-bundle-kept')
  )
}

/** WIC offers by Call-ID, for the answer toward the WIC; core-offered Call-IDs, for the answer toward the core. */
const wicOffers = new Map<string, string>()
const coreOffered = new Set<string>()
const REMEMBERED = 1000

/** An initial request from the WIC toward Mw: its WebRTC offer becomes a plain IMS offer of the AGW. */
export function anchorOfferTowardCore(request: SipMessage, switches: Switches): void {
  if (!isSdp(request)) return
  if (!mediaAnchored(switches)) {
    // The `mw-sdp-altered` fault of the transparent profile: the candidates are lost on the way to Mw.
    if (switches.faults.has('mw-sdp-altered'))
      replaceBody(request, request.body.replace(/^a=candidate:[^\r\n]*\r?\n/gm, ''))
    return
  }
  remember(wicOffers, request.get('Call-ID'), request.body)
  replaceBody(request, toCoreSide(request.body, switches.faults))
}

/** An initial request from the core toward the WIC: the AGW offers WebRTC to the WIC for the same media. */
export function anchorOfferTowardWic(request: SipMessage, switches: Switches): void {
  if (!mediaAnchored(switches) || !isSdp(request)) return
  const callId = request.get('Call-ID')
  if (callId !== undefined) {
    coreOffered.add(callId)
    if (coreOffered.size > REMEMBERED) coreOffered.delete(coreOffered.values().next().value as string)
  }
  const video = parse(request.body).media.some((m) => m.type === 'video')
  replaceBody(request, webrtcOffer({ video, address: ACCESS_SIDE, bundle: false }))
}

/** A response with SDP on its way to the WIC: the AGW's WebRTC answer to the WIC's own offer. */
export function anchorAnswerTowardWic(response: SipMessage, switches: Switches): void {
  if (!mediaAnchored(switches) || !isSdp(response)) return
  const offer = wicOffers.get(response.get('Call-ID') ?? '')
  if (offer !== undefined) replaceBody(response, webrtcAnswer(offer, { address: ACCESS_SIDE }))
}

/** A response with SDP on its way to the core, to an offer the core made: a plain IMS answer of the AGW. */
export function anchorAnswerTowardCore(response: SipMessage, switches: Switches): void {
  if (!mediaAnchored(switches) || !isSdp(response)) return
  if (!coreOffered.has(response.get('Call-ID') ?? '')) return
  replaceBody(response, toCoreSide(response.body, switches.faults))
}

/** The core-side SDP of the AGW for the same media, in the same order. */
function toCoreSide(text: string, faults: Faults): string {
  const sdp: SessionDescription = parse(text)
  const keepIce = faults.has('anchored-ice-kept')
  const out: SessionDescription = {
    ...sdp,
    origin: sdp.origin === undefined ? sdp.origin : { ...sdp.origin, ipVer: 4, address: CORE_SIDE },
    connection: { version: 4, ip: CORE_SIDE },
    media: sdp.media.map((m, index) => {
      const { iceUfrag, icePwd, iceOptions, candidates, endOfCandidates, fingerprint, setup, ...rest } = m
      const plain = {
        ...rest,
        port: m.port === 0 ? 0 : FIRST_PORT + 2 * index,
        protocol: keepIce ? m.protocol : 'RTP/AVP',
        connection: { version: 4, ip: CORE_SIDE },
      }
      return keepIce
        ? { ...plain, iceUfrag, icePwd, iceOptions, candidates, endOfCandidates, fingerprint, setup }
        : plain
    }),
  }
  if (!keepIce) {
    delete out.iceUfrag
    delete out.icePwd
    delete out.fingerprint
    delete out.setup
    delete out.icelite
  }
  if (!faults.has('anchored-bundle-kept')) delete out.groups
  return write(out)
}

function isSdp(message: SipMessage): boolean {
  return /^application\/sdp\b/i.test(message.get('Content-Type') ?? '') && message.body.trim() !== ''
}

function replaceBody(message: SipMessage, body: string): void {
  message.body = body
  message.updateContentLength()
}

function remember(map: Map<string, string>, key: string | undefined, value: string): void {
  if (key === undefined) return
  map.set(key, value)
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as string)
}
