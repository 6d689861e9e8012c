/**
 * Compact header names, RFC 3261 §7.3.3 and the IANA SIP header registry ("Compact Form" column).
 * "SIP provides a mechanism to represent common header field names in an abbreviated form."
 */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
}

/** Names already seen, with their canonical form; bounded, since names on the wire are chosen by the peer. */
const SEEN = new Map<string, string>()
const SEEN_LIMIT = 1024

/** The canonical lower-case long name for a header name as written on the wire (`v` → `via`). */
export function canonicalHeaderName(name: string): string {
  const seen = SEEN.get(name)
  if (seen !== undefined) return seen
  const lower = name.toLowerCase()
  const canonical = (COMPACT[lower] ?? lower).toLowerCase()
  if (SEEN.size < SEEN_LIMIT) SEEN.set(name, canonical)
  return canonical
}

/** The long form with its usual capitalisation, for messages the harness builds (`v` → `Via`). */
export function longHeaderName(name: string): string {
  return COMPACT[name.toLowerCase()] ?? name
}
