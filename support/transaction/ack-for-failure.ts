import { parseCSeq } from '../sip/cseq.ts'
import { SipRequest, type HeaderField, type SipResponse } from '../sip/message.ts'
import { topVia } from './transaction-key.ts'

/**
 * The ACK an INVITE client transaction sends for a 300-699 final response (RFC 3261 §17.1.1.3):
 * "The ACK request constructed by the client transaction MUST contain values for the Call-ID, From, and
 * Request-URI that are equal to the values of those header fields in the request passed to the transport by
 * the client transaction (call this the "original request"). The To header field in the ACK MUST equal the To
 * header field in the response being acknowledged [...]. The ACK MUST contain a single Via header field, and
 * this MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK
 * MUST contain the same value for the sequence number as was present in the original request, but the method
 * parameter MUST be equal to "ACK"." and "If the INVITE request whose response is being acknowledged had
 * Route header fields, those header fields MUST appear in the ACK."
 */
export function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: HeaderField[] = []
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) headers.push({ name, value })
  }
  add('Via', topVia(invite)?.raw ?? invite.get('Via'))
  for (const route of invite.getAll('Route')) add('Route', route)
  add('Max-Forwards', '70')
  add('From', invite.get('From'))
  add('To', response.get('To'))
  add('Call-ID', invite.get('Call-ID'))
  add('CSeq', `${parseCSeq(invite.get('CSeq') ?? '').seq} ACK`)
  add('Content-Length', '0')
  return new SipRequest({ method: 'ACK', uri: invite.uri, headers })
}
