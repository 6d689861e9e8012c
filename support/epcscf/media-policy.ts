import type { SipRequest } from '../sip/message.ts'
import type { Faults } from './faults.ts'

/**
 * What the reference eP-CSCF does with the session description of a request it forwards. It is a signalling-only
 * reference: no eIMS-AGW, the SDP passes untouched ("transparent"), so the WIC's offer reaches the core and the
 * core's answer reaches the WIC as they were written (RFC 3261 §16.6 step 1: the proxy forwards a copy of the
 * request; the steps that follow change header fields only). An anchoring eP-CSCF rewrites it instead (TS 23.228
 * U.1.1, catalogue R59–R67), which the harness's SDP checks accept too. The `sdp-stripped` fault loses the body.
 */
export function applyMediaPolicy(request: SipRequest, faults: Faults): void {
  if (!faults.has('sdp-stripped') || request.body === '') return
  request.body = ''
  request.remove('Content-Type')
  request.updateContentLength()
}
