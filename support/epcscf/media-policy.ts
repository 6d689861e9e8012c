import type { SipMessage, SipRequest } from '../sip/message.ts'
import type { Faults } from './faults.ts'

/**
 * What the reference eP-CSCF does with the session descriptions of a call. It is a signalling-only reference: no
 * eIMS-AGW, the SDP passes untouched ("transparent"), so the WIC's offer reaches the core and the core's answer
 * reaches the WIC as they were written (RFC 3261 §16.6 step 1: the proxy forwards a copy of the request; the steps
 * that follow change header fields only). An anchoring eP-CSCF rewrites it instead (TS 23.228 U.1.1, catalogue
 * R59–R67), which the harness's SDP checks accept too; the `media-anchored` variant does so (media-anchoring.ts,
 * profile epcscf.media: anchored). Three faults break it:
 * - `sdp-stripped`: the body of an initial request is lost (toward Mw and toward the WIC);
 * - `wic-sdp-without-ice`: the SDP toward the WIC loses its ICE attributes (ice-ufrag, ice-pwd, candidates);
 * - `wic-sdp-without-rtcp-mux`: the SDP toward the WIC loses a=rtcp-mux;
 * - `wic-sdp-without-dtls`: the SDP toward the WIC loses a=fingerprint and a=setup.
 */
export function applyMediaPolicy(request: SipRequest, faults: Faults): void {
  if (!faults.has('sdp-stripped') || request.body === '') return
  request.body = ''
  request.remove('Content-Type')
  request.updateContentLength()
}

const ICE_LINE = /^a=(ice-ufrag|ice-pwd|ice-options|candidate|end-of-candidates)\b/
const RTCP_MUX_LINE = /^a=rtcp-mux(-only)?\s*$/
const DTLS_LINE = /^a=(fingerprint|setup):/

/** The faults that damage an SDP on its way to the WIC (a request or a response); otherwise nothing changes. */
export function applyMediaPolicyTowardWic(message: SipMessage, faults: Faults): void {
  const drop: RegExp[] = []
  if (faults.has('wic-sdp-without-ice')) drop.push(ICE_LINE)
  if (faults.has('wic-sdp-without-rtcp-mux')) drop.push(RTCP_MUX_LINE)
  if (faults.has('wic-sdp-without-dtls')) drop.push(DTLS_LINE)
  if (drop.length === 0 || !/^application\/sdp\b/i.test(message.get('Content-Type') ?? '')) return
  const lines = message.body.split(/\r?\n/)
  message.body = lines.filter((line) => !drop.some((pattern) => pattern.test(line))).join('\r\n')
  message.updateContentLength()
}
