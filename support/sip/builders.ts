/**
 * Building responses, RFC 3261 §8.2.6. §8.2.6.2: "The From field of the response MUST equal the From header field
 * of the request. The Call-ID header field of the response MUST equal the Call-ID header field of the request. The
 * CSeq header field of the response MUST equal the CSeq field of the request. The Via header field values in the
 * response MUST equal the Via header field values in the request and MUST maintain the same ordering. If a request
 * contained a To tag in the request, the To header field in the response MUST equal that of the request. However,
 * if the To header field in the request did not contain a tag, the URI in the To header field in the response MUST
 * equal the URI in the To header field; additionally, the UAS MUST add a tag to the To header field in the response
 * (with the exception of the 100 (Trying) response, in which a tag MAY be present)."
 */
import { newTag } from './ids.ts'
import { SipResponse, type HeaderField, type SipRequest } from './message.ts'
import { hasParam } from './params.ts'
import { parseNameAddr } from './name-addr.ts'
import { canonicalHeaderName } from './compact-names.ts'
import { REASON_PHRASES } from './reason-phrases.ts'

/** Methods whose 101-299 responses establish a dialog, so Record-Route is copied (RFC 3261 §12.1.1). */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER'])

/**
 * A response to `request` with Via (all, in order), From, To (tagged when status > 100), Call-ID, CSeq and
 * `Content-Length: 0`. For 100 (Trying) a Timestamp is copied (RFC 3261 §8.2.6.1); for responses that create a
 * dialog Record-Route is copied: "the UAS MUST copy all the Record-Route header field values from the request into
 * the response (including the URIs, URI parameters, and any Record-Route header field parameters, whether they are
 * known or unknown to the UAS) and MUST maintain the order of those values" (RFC 3261 §12.1.1).
 */
export function createResponse(request: SipRequest, status: number, reason?: string): SipResponse {
  const headers: HeaderField[] = []
  const copy = (name: string, canonical: string): void => {
    for (const h of request.headers)
      if (canonicalHeaderName(h.name) === canonical) headers.push({ name, value: h.value })
  }
  copy('Via', 'via')
  if (status > 100 && status < 300 && DIALOG_CREATING.has(request.method))
    copy('Record-Route', 'record-route')
  copy('From', 'from')
  const to = request.get('To')
  if (to !== undefined) {
    const tagged = status > 100 && !hasParam(parseNameAddr(to).params, 'tag')
    headers.push({ name: 'To', value: tagged ? `${to};tag=${newTag()}` : to })
  }
  copy('Call-ID', 'call-id')
  copy('CSeq', 'cseq')
  if (status === 100) copy('Timestamp', 'timestamp')
  headers.push({ name: 'Content-Length', value: '0' })
  return new SipResponse({ status, reason: reason ?? reasonPhrase(status), headers })
}

/** The usual reason phrase for a status code (RFC 3261 §21 and the IANA registry); a class phrase otherwise. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? CLASS_PHRASES[Math.floor(status / 100)] ?? 'Unknown'
}

const CLASS_PHRASES: Readonly<Record<number, string>> = {
  1: 'Provisional',
  2: 'Success',
  3: 'Redirection',
  4: 'Client Error',
  5: 'Server Error',
  6: 'Global Failure',
}
