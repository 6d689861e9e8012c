import type { SipResponse } from '../sip/message.ts'
import type { Faults } from './faults.ts'

/**
 * The final responses of a call's far side reach the WIC as sent: RFC 3261 §16.7 step 5 ("Any final response" is
 * forwarded) and step 7 (the proxy does not change the status code of what it relays; reasoned from memory: the
 * steps list what a proxy may add or remove, never the status). The `invite-failure-rewritten` fault turns every
 * 4xx–6xx to an INVITE into a 500 on the way to the WIC, as a proxy that hides the callee's answer would: a busy
 * callee (486) and a cancelled call (487) are then no longer told apart.
 */
export function applyFailureFault(response: SipResponse, faults: Faults): void {
  if (!faults.has('invite-failure-rewritten') || response.status < 400) return
  if (!/\bINVITE\s*$/i.test(response.get('CSeq') ?? '')) return
  response.status = 500
  response.reason = 'Server Internal Error'
}
