/** The parts of a test request that vary; the rest is fixed (Max-Forwards 70 unless given). */
export interface RequestTextInit {
  /** The request line without the version: `OPTIONS sip:bob@127.0.0.1`. */
  readonly start: string
  readonly via: string
  /** Headers placed right after the Via. */
  readonly afterVia?: readonly string[]
  readonly maxForwards?: number
  readonly from: string
  readonly to: string
  readonly callId: string
  /** The whole CSeq value: `1 OPTIONS`. */
  readonly cseq: string
  /** Headers placed after the CSeq, before Content-Length. */
  readonly headers?: readonly string[]
  readonly body?: string
}

/**
 * A request as a peer writes it on the wire: CRLF line ends, the headers in the order Via, [afterVia],
 * Max-Forwards, From, To, Call-ID, CSeq, [headers], Content-Length (the body's UTF-8 length), then the body.
 */
export function requestText(init: RequestTextInit): string {
  const body = init.body ?? ''
  return [
    `${init.start} SIP/2.0`,
    `Via: ${init.via}`,
    ...(init.afterVia ?? []),
    `Max-Forwards: ${init.maxForwards ?? 70}`,
    `From: ${init.from}`,
    `To: ${init.to}`,
    `Call-ID: ${init.callId}`,
    `CSeq: ${init.cseq}`,
    ...(init.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
}

/** A REGISTER as a WIC sends it over WebSocket (RFC 7118 §A.1 style, RFC 5626 Contact parameters), CRLF line ends. */
export const WIC_REGISTER = [
  'REGISTER sip:ims.example.com SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'To: <sip:alice@ims.example.com>',
  'From: "Alice" <sip:alice@ims.example.com>;tag=a73kszlfl',
  'Call-ID: 1j9FpLxk3uxtm8tn@example.invalid',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1;expires=600',
  'Content-Length: 0',
  '',
  '',
].join('\r\n')
