import { must } from './requirement.ts'

/** Requirements of the originating side that more than one check decides on, defined once. */

/** R53: a preloaded Route that is not the Service-Route: replaced by it, or 400 (either conforms). */
export const SERVICE_ROUTE_ENFORCED = must('TS 24.229 §5.2.6.3.7 item 2 (replace or 400)', {
  id: 'R53',
  quote:
    'If the verification fails, then the P-CSCF shall either: replace the preloaded Route header field value in ' +
    'the request with the one received during the last registration in the Service-Route header field; or ' +
    'respond to the UE with 400 (Bad Request) response',
  source: 'R',
})

/** R47: a P-Asserted-Identity from an untrusted element (the WIC) is replaced or removed. */
export const UNTRUSTED_ASSERTED_IDENTITY = must('RFC 3325 §5; TS 24.229 §5.2.6.3.7', {
  id: 'R47',
  quote:
    'If the proxy received the message from an element that it does not trust and there is a ' +
    "P-Asserted-Identity header present, the proxy MUST replace that header field's contents with a new " +
    'identity or remove the header field.',
  source: 'R',
})

/** R55: "routing of all messages between the WIC and S-CSCF traverse the eP-CSCF" (TR 23.701 X.2.2). */
export const TRAVERSES_EPCSCF = must('TR 23.701 X.2.2', { id: 'R55' })
