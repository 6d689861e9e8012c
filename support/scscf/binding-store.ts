import type { NameAddr } from '../sip/name-addr.ts'
import type { Flow } from '../transport/peer.ts'

/** Where a request came from: the network source, and the flow when it arrived over a socket. */
export interface RequestSource {
  readonly transport: string
  readonly address: string
  readonly port: number
  readonly flow?: Flow | undefined
}

/** One registered contact of one address-of-record (RFC 3261 §10.3; RFC 5626 §6 for instance and reg-id). */
export interface Binding {
  /** The registered IMPU (the To URI, canonical form). */
  readonly aor: string
  readonly impi: string
  /** The implicit registration set registered with it, default IMPU first (TS 24.229 §5.4.1.2.2). */
  readonly implicitSet: readonly string[]
  /** The Contact as registered, parameters as sent (`expires` included if it was). */
  readonly contact: NameAddr
  /** The contact URI as written: the Request-URI of terminating requests. */
  readonly contactUri: string
  /** `+sip.instance` without its quotes, and `reg-id` (RFC 5626 §4.2). */
  readonly instance?: string | undefined
  readonly regId?: string | undefined
  /** The Path header field values, top first (RFC 3327 §5.3); one entry per URI. */
  readonly path: readonly NameAddr[]
  /** The Path header field lines as received, for the echo in the 200 (OK). */
  readonly pathLines: readonly string[]
  readonly callId: string
  readonly cseq: number
  /** Granted expiration interval in seconds, and when it runs out (ms since the epoch). */
  readonly expires: number
  readonly expiresAt: number
  readonly registeredAt: number
  readonly authenticatedBy: 'digest' | 'auth-done'
  /** The flow the REGISTER came from (the eP-CSCF's Mw connection or UDP pair). */
  readonly source: RequestSource
}

/**
 * Bindings keyed by address-of-record, then by contact key: `+sip.instance` with `reg-id` when both are given
 * (RFC 5626 §6), `+sip.instance` alone, else the contact URI (RFC 3261 §10.3 step 7, "using the URI comparison
 * rules").
 */
export class BindingStore {
  private readonly byAor = new Map<string, Map<string, Binding>>()

  constructor(private readonly now: () => number) {}

  /** Unexpired bindings of one address-of-record, keyed by contact key. */
  of(aor: string): Map<string, Binding> {
    const map = this.byAor.get(aor) ?? new Map<string, Binding>()
    const now = this.now()
    for (const [key, b] of map) if (b.expiresAt <= now) map.delete(key)
    if (map.size === 0) this.byAor.delete(aor)
    return new Map(map)
  }

  /** Replaces the bindings of an address-of-record (after a REGISTER was accepted as a whole). */
  replace(aor: string, bindings: ReadonlyMap<string, Binding>): void {
    if (bindings.size === 0) this.byAor.delete(aor)
    else this.byAor.set(aor, new Map(bindings))
  }

  /** Unexpired bindings reaching this IMPU: registered under it, or under another IMPU of its implicit set. */
  lookup(impu: string): Binding[] {
    const found: Binding[] = []
    for (const aor of [...this.byAor.keys()]) {
      for (const b of this.of(aor).values()) if (b.aor === impu || b.implicitSet.includes(impu)) found.push(b)
    }
    return found
  }

  all(): Binding[] {
    return [...this.byAor.keys()].flatMap((aor) => [...this.of(aor).values()])
  }

  clear(): void {
    this.byAor.clear()
  }
}

/** The key of a contact within its address-of-record. */
export function contactKey(
  contact: NameAddr,
  instance: string | undefined,
  regId: string | undefined,
): string {
  if (instance !== undefined && regId !== undefined) return `instance:${instance}|reg-id:${regId}`
  if (instance !== undefined) return `instance:${instance}`
  return `uri:${uriKey(contact)}`
}

/**
 * A simplified RFC 3261 §19.1.4 comparison key: scheme, host and transport case-insensitive, user part as
 * written, port (absent stays absent), `transport` parameter; other parameters do not make a contact different.
 */
function uriKey(contact: NameAddr): string {
  const u = contact.uri
  if (u.opaque !== undefined || u.host === '') return u.raw
  const transport = u.params.find((p) => p.name.toLowerCase() === 'transport')?.value?.toLowerCase() ?? ''
  return `${u.scheme.toLowerCase()}:${u.user ?? ''}@${u.host.toLowerCase()}:${u.port ?? ''};${transport}`
}
