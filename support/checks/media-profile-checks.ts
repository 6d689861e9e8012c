import { isDeepStrictEqual } from 'node:util'
import { parse } from 'sdp-transform'
import type { SipMessage } from '../sip/message.ts'
import { readSdp } from '../sdp/webrtc-sdp.ts'
import { expectThat } from './expectations.ts'
import { must, type MustRequirement } from './requirement.ts'

/**
 * The media profile of the eP-CSCF (profile `epcscf.media`), judged on the WIC's offer as it reaches Mw:
 * - `transparent`: a signalling-only eP-CSCF passes the SDP as the WIC wrote it (RFC 3261 §16.6 step 1: the proxy
 *   forwards a copy; the steps that follow change header fields only). Compared by meaning (`sdp-transform`'s parse),
 *   never byte for byte: attribute order and line endings may differ.
 * - `anchored`: an eP-CSCF with an eIMS-AGW rewrites it, TS 23.228 U.1.1 (catalogue R59, R60 [V]): "WebRTC specific
 *   media plane extensions will be handled at the access edge and will not be propagated to other IMS functions" and
 *   "If an SDP offer with media multiplexing is sent to the network the part of the SDP offer associated with media
 *   multiplexing shall be removed at the entry of the IMS network."
 */

const TRANSPARENT = must('RFC 3261 §16.6 step 1; TS 23.228 U.1.1 (profile epcscf.media: transparent)', {
  id: 'R59',
  quote:
    'The proxy starts with a copy of the received request. (RFC 3261 §16.6 step 1; the further steps change header ' +
    'fields only, so a signalling-only eP-CSCF forwards the SDP it received)',
  source: 'R',
})

const NO_WEBRTC_EXTENSIONS = must('TS 23.228 U.1.1', {
  id: 'R59',
  quote:
    'WebRTC specific media plane extensions will be handled at the access edge and will not be propagated to ' +
    'other IMS functions.',
  source: 'V',
})

const NO_BUNDLE = must('TS 23.228 U.1.1', {
  id: 'R60',
  quote:
    'If an SDP offer with media multiplexing is sent to the network the part of the SDP offer associated with ' +
    'media multiplexing shall be removed at the entry of the IMS network.',
  source: 'V',
})

function sdpBody(message: SipMessage, where: string, requirement: MustRequirement): string {
  expectThat(
    /^application\/sdp\b/i.test(message.get('Content-Type') ?? '') && message.body.trim() !== '',
    requirement,
    () =>
      `expected an SDP offer in the ${message.summary()} ${where}, got ${message.body.length} octets of body`,
    message,
  )
  return message.body
}

/** Transparent: the offer at the S-CSCF means what the WIC's offer meant (same session and media descriptions). */
export function checkOfferUnchanged(sentByWic: SipMessage, atCore: SipMessage): void {
  const sent = parse(sentByWic.body)
  const arrived = parse(sdpBody(atCore, 'at the S-CSCF', TRANSPARENT))
  expectThat(
    isDeepStrictEqual(arrived, sent),
    TRANSPARENT,
    () => `the SDP offer changed on its way to the S-CSCF: ${firstDifference(sent, arrived, 'sdp')}`,
  )
}

/** Anchored: the offer at the S-CSCF has no ICE, no DTLS, no BUNDLE, and one port per active m-line. */
export function checkOfferAnchored(atCore: SipMessage): void {
  const sdp = checkNoWebRtcExtensions(atCore, 'at the S-CSCF')
  const active = sdp.media.filter((m) => m.port !== 0).map((m) => m.port)
  expectThat(
    sdp.bundle.length === 0 && new Set(active).size === active.length,
    NO_BUNDLE,
    () =>
      `expected no BUNDLE at the S-CSCF (no group, a port per m-line), got group ${sdp.bundle.join(' ') || 'none'}, ` +
      `ports ${active.join(', ')}`,
  )
}

/** Anchored: the WIC's answer to a call from the core reaches the core without ICE or DTLS (the AGW's answer). */
export function checkAnswerAnchored(atCore: SipMessage): void {
  checkNoWebRtcExtensions(atCore, 'at the network')
}

function checkNoWebRtcExtensions(atCore: SipMessage, where: string): ReturnType<typeof readSdp> {
  const text = sdpBody(atCore, where, NO_WEBRTC_EXTENSIONS)
  const session = parse(text)
  const sdp = readSdp(text)
  const webrtc = [
    ...(session.iceUfrag !== undefined || session.icePwd !== undefined ? ['session ICE credentials'] : []),
    ...(session.fingerprint !== undefined || session.setup !== undefined ? ['session DTLS attributes'] : []),
    ...(session.icelite !== undefined ? ['a=ice-lite'] : []),
    ...sdp.media.flatMap((m) => [
      ...(m.iceUfrag !== undefined || m.icePwd !== undefined || m.candidates > 0 ? [`${m.type} ICE`] : []),
      ...(m.fingerprint !== undefined || m.setup !== undefined ? [`${m.type} DTLS`] : []),
      ...(/TLS/i.test(m.protocol) ? [`${m.type} ${m.protocol}`] : []),
    ]),
  ]
  expectThat(
    webrtc.length === 0,
    NO_WEBRTC_EXTENSIONS,
    () => `expected no WebRTC media plane extensions ${where}, found: ${webrtc.join(', ')}`,
  )
  return sdp
}

/** Where two parsed SDPs first differ, as a path (`sdp.media[0].candidates`): for the failure message. */
function firstDifference(a: unknown, b: unknown, path: string): string {
  if (isDeepStrictEqual(a, b)) return 'no difference'
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key]
    const y = (b as Record<string, unknown>)[key]
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`)
  }
  return `${path} differs`
}
