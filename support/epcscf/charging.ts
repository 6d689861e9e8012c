import { randomBytes } from 'node:crypto'
import type { SipMessage } from '../sip/message.ts'
import type { Faults } from './faults.ts'
import { insertBeforeLength } from './proxy-rules.ts'

/** P-Charging-Vector and P-Charging-Function-Addresses at the edge of the trust domain (RFC 7315). */

/**
 * A fresh ICID: 96 random bits and the time, as a token (RFC 7315 §5: icid-value = "icid-value" EQUAL gen-value).
 * RFC 7315 §4.6 describes the ICID as a globally unique value identifying a dialog or a transaction outside one.
 */
export function newIcid(now: number = Date.now()): string {
  return `${randomBytes(12).toString('hex')}-${now.toString(16)}`
}

/**
 * Toward Mw: discards whatever charging headers the WIC sent (it is outside the trust domain, RFC 7315 §4) and
 * inserts a P-Charging-Vector with a fresh icid-value, as the P-CSCF does on REGISTER and on initial requests
 * (TS 24.229 §5.2.2.1, §5.2.6.3.2; 24.228 flow text: "P-CSCF1 inserts this header and populates the icid
 * parameters with a globally unique value").
 */
export function insertChargingVector(request: SipMessage, self: { host: string }, faults: Faults): void {
  if (faults.has('trust-wic-charging-vector') && request.has('P-Charging-Vector')) return
  request.remove('P-Charging-Vector')
  request.remove('P-Charging-Function-Addresses')
  if (faults.has('no-p-charging-vector')) return
  insertBeforeLength(request, 'P-Charging-Vector', `icid-value=${newIcid()};icid-generated-at=${self.host}`)
}

/**
 * Toward the WIC: the charging headers are meant for the trust domain only (RFC 7315 §4 and its trust-domain
 * applicability), and the P-CSCF removes them before it forwards to the UE (TS 24.229 §5.2.6.4, §5.2.7).
 */
export function stripChargingHeaders(message: SipMessage, faults: Faults): void {
  if (faults.has('leak-charging-vector-to-wic')) return
  message.remove('P-Charging-Vector')
  message.remove('P-Charging-Function-Addresses')
}
