import { SipRequest, type HeaderField } from '../sip/message.ts'
import { parseCSeq } from '../sip/cseq.ts'
import { parseViaList } from '../sip/via.ts'

/**
 * The CANCEL for a pending INVITE (RFC 3261 §9.1): "The Request-URI, Call-ID, To, the numeric part of CSeq, and
 * From header fields in the CANCEL request MUST be identical to those in the request being cancelled, including
 * tags. A CANCEL constructed by a client MUST have only a single Via header field value matching the top Via value
 * in the request being cancelled." and "If the request being cancelled contains a Route header field, the CANCEL
 * request MUST include that Route header field's values." A CANCEL is hop by hop: it shares the INVITE's branch,
 * so the next hop's transaction layer matches it to the INVITE's server transaction (§9.2).
 */
export function cancelFor(invite: SipRequest): SipRequest {
  const via = invite.get('Via')
  const topVia = via === undefined ? '' : (parseViaList(via)[0]?.raw ?? via)
  const pick = (name: string): HeaderField[] => invite.getAll(name).map((value) => ({ name, value }))
  const seq = parseCSeq(invite.get('CSeq') ?? '1 INVITE').seq
  return new SipRequest({
    method: 'CANCEL',
    uri: invite.uri,
    headers: [
      { name: 'Via', value: topVia },
      { name: 'Max-Forwards', value: '70' },
      ...pick('Route'),
      ...pick('From'),
      ...pick('To'),
      ...pick('Call-ID'),
      { name: 'CSeq', value: `${seq} CANCEL` },
      { name: 'Content-Length', value: '0' },
    ],
  })
}
