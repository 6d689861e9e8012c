import type { SipMessage } from '../sip/message.ts'
import { readSdp, type MediaSummary, type SdpSummary } from '../sdp/webrtc-sdp.ts'
import { adviseThat, expectThat } from './expectations.ts'
import { must, should } from './requirement.ts'

/**
 * Checks of the session descriptions a call carries through the eP-CSCF. They hold for a signalling-only eP-CSCF
 * that passes the SDP through and for one that anchors media in an eIMS-AGW and rewrites it (TS 23.228 U.1.1,
 * catalogue R59–R67): toward the WIC the SDP is always WebRTC (DTLS-SRTP, ICE, rtcp-mux); toward the core an SDP
 * offer for the same media always arrives, whatever its transport profile.
 */

const OFFER_REACHES_CORE = must('TR 23.701 X.2.2, RFC 3264 §5, RFC 3261 §16.6 step 1', {
  quote:
    '"Origination and termination flows for WebRTC IMS clients follow standard IMS procedures" (X.2.2); the offer is ' +
    'carried end to end in the INVITE (RFC 3264 §5); a proxy forwards a copy of the request (RFC 3261 §16.6)',
  source: 'R',
})

const DTLS_SRTP = must('TS 24.371 §7.2.1, RFC 5763 §5, RFC 8842 §5.3', {
  id: 'R61',
  quote:
    'The WIC shall support RFC 5763 and RFC 5764 (TS 24.371 §7.2.1); the answerer MUST use either "active" or ' +
    '"passive" (RFC 8842 §5.3)',
  source: 'R',
})

const ICE = must('TS 24.371 §5A.4, RFC 8839 §5.4', {
  id: 'R62',
  quote:
    'ICE on the access side (TS 23.334 §5.20.1: "Interactive Connectivity Establishment (ICE) [...] shall be supported")',
  source: 'R',
})

const RTCP_MUX = must('TS 24.371 §7.2.1, RFC 5761 §5.1.1', {
  id: 'R64',
  quote: 'offer with a=rtcp-mux → answer has a=rtcp-mux (catalogue R64)',
  source: 'R',
})

const TERMINATING_OFFER = must('TS 23.228 U.1.1, RFC 8842 §5.2', {
  id: 'R66',
  quote:
    'offer to WIC has UDP/TLS/RTP/SAVPF, a=setup, a=fingerprint, ICE credentials, host candidate, a=rtcp-mux ' +
    '(catalogue R66)',
  source: 'R',
})

/**
 * RFC 5763 §5 made `actpass` the offerer's only value; RFC 8842 §5.2 relaxed it (reasoned from memory): the offerer
 * uses `actpass` unless it insists on a DTLS role, then `active` or `passive` (Kamailio's rtpengine offers passive).
 * So any of the three passes, and a value other than actpass is an advisory.
 */
const OFFER_ACTPASS = should('RFC 8842 §5.2, RFC 5763 §5', { id: 'R66', source: 'R' })

/** The SDP body of a message, or a failure naming where it was missing. */
function sdpOf(message: SipMessage, where: string, requirement: ReturnType<typeof must>): SdpSummary {
  const type = message.get('Content-Type')?.split(';')[0]?.trim().toLowerCase()
  expectThat(
    type === 'application/sdp' && message.body.trim() !== '',
    requirement,
    () =>
      `expected an SDP body (Content-Type application/sdp) in the ${message.summary()} ${where}; got ` +
      `${type ?? 'no Content-Type'} with ${message.body.length} octets of body`,
    message,
  )
  const sdp = readSdp(message.body)
  expectThat(
    sdp.valid,
    requirement,
    () => `the body of the ${message.summary()} ${where} is not an SDP`,
    message,
  )
  return sdp
}

/** The WIC's offer reached the core as an SDP offer for the same media, in the same order. */
export function checkOfferReachedCore(sentByWic: SipMessage, atCore: SipMessage): void {
  const sent = readSdp(sentByWic.body)
  const arrived = sdpOf(atCore, 'at the S-CSCF', OFFER_REACHES_CORE)
  const kinds = (s: SdpSummary): string => s.media.map((m) => m.type).join(', ')
  expectThat(
    kinds(arrived) === kinds(sent),
    OFFER_REACHES_CORE,
    () =>
      `expected an offer for ${kinds(sent)} at the S-CSCF (as the WIC offered), got ${kinds(arrived) || 'no media'}`,
  )
}

/**
 * With trickle ICE offered (`a=ice-options:trickle`), an answer may carry no candidate yet: RFC 8838 §4 / RFC 8840
 * §4.1.1 [R] let the answerer send its candidates later (in INFO, RFC 8840). Held as an advisory then: the harness
 * WIC does not receive trickled candidates, so a candidate in the answer is what it can use.
 */
const TRICKLE_CANDIDATES = should('RFC 8838 §4, RFC 8840 §4.1.1', { id: 'R62', source: 'R' })

/**
 * The answer the WIC receives is a WebRTC answer: DTLS-SRTP (active/passive), ICE, rtcp-mux, per m-line. `offer`
 * (the WIC's) says whether trickle ICE was offered for each m-line (same order, RFC 3264 §6).
 */
export function checkWebRtcAnswer(message: SipMessage, offer?: SipMessage): void {
  const sdp = sdpOf(message, 'at the WIC', DTLS_SRTP)
  const offered = offer === undefined ? [] : readSdp(offer.body).media
  sdp.media.forEach((m, index) => {
    if (!accepted(sdp).includes(m)) return
    expectThat(
      m.protocol === 'UDP/TLS/RTP/SAVPF' &&
        m.fingerprint !== undefined &&
        (m.setup === 'active' || m.setup === 'passive'),
      DTLS_SRTP,
      () =>
        `expected ${m.type} answered with UDP/TLS/RTP/SAVPF, a=fingerprint and a=setup active|passive; got ${describe(m)}`,
    )
    const trickle = offered[index]?.trickle === true
    expectThat(
      iceCredentials(m) && (m.candidates > 0 || trickle),
      ICE,
      () => `expected ICE credentials and a candidate for ${m.type}; got ${describe(m)}`,
    )
    adviseThat(
      m.candidates > 0,
      TRICKLE_CANDIDATES,
      () =>
        `the answer for ${m.type} carries no ICE candidate (trickle ICE was offered, so they may follow): ${describe(m)}`,
    )
    expectThat(
      m.rtcpMux,
      RTCP_MUX,
      () => `expected a=rtcp-mux in the answer for ${m.type}; got ${describe(m)}`,
    )
  })
}

/** A terminating offer that reaches the WIC is a WebRTC offer (RFC 8842 §5.2: the offerer uses actpass). */
export function checkWebRtcOffer(message: SipMessage): void {
  const sdp = sdpOf(message, 'at the WIC', TERMINATING_OFFER)
  for (const m of accepted(sdp)) {
    expectThat(
      m.protocol === 'UDP/TLS/RTP/SAVPF' &&
        m.fingerprint !== undefined &&
        ['actpass', 'active', 'passive'].includes(m.setup ?? '') &&
        iceComplete(m) &&
        m.rtcpMux,
      TERMINATING_OFFER,
      () =>
        `expected a WebRTC offer for ${m.type} (SAVPF, fingerprint, setup, ICE, rtcp-mux); got ${describe(m)}`,
    )
    adviseThat(
      m.setup === 'actpass',
      OFFER_ACTPASS,
      () => `a=setup:actpass expected in the offer, got ${m.setup}`,
    )
  }
}

/** m-lines not rejected (port 0 without bundle-only is a rejected stream, RFC 3264 §6). */
function accepted(sdp: SdpSummary): MediaSummary[] {
  const media = sdp.media.filter((m) => m.port !== 0 || sdp.bundle.includes(m.mid ?? ''))
  expectThat(media.length > 0, DTLS_SRTP, () => 'expected at least one accepted m-line; the SDP has none')
  return media
}

function iceCredentials(m: MediaSummary): boolean {
  return (m.iceUfrag?.length ?? 0) >= 4 && (m.icePwd?.length ?? 0) >= 22
}

function iceComplete(m: MediaSummary): boolean {
  return iceCredentials(m) && m.candidates > 0
}

function describe(m: MediaSummary): string {
  return (
    `m=${m.type} ${m.port} ${m.protocol}, setup ${m.setup ?? 'none'}, fingerprint ${m.fingerprint ? 'yes' : 'none'}, ` +
    `ice-ufrag ${m.iceUfrag ?? 'none'}, ${m.candidates} candidate(s), rtcp-mux ${m.rtcpMux ? 'yes' : 'no'}`
  )
}
