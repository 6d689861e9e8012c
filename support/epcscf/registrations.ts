import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { getParam } from '../sip/params.ts'
import { formatUri } from '../sip/uri.ts'

/**
 * What the eP-CSCF learns from a successful registration, per WebSocket connection and registered public
 * identity: the Service-Route to use for originating requests (RFC 3608 §6) and the associated identities to
 * assert (RFC 3455 §4.1, TS 24.229 §5.2.2), kept until the expiry the S-CSCF granted.
 */
export interface Registration {
  readonly connection: number
  /** The registered IMPU (To of the REGISTER). */
  readonly aor: string
  /** P-Associated-URI values, in order; the first is the default public identity. */
  readonly associatedUris: readonly string[]
  /** Service-Route values as received, in order (each a name-addr). */
  readonly serviceRoute: readonly string[]
  /** Contact URIs of this connection that the registrar confirmed. */
  readonly contacts: readonly string[]
  readonly expiresAt: number
}

export class Registrations {
  private readonly byConnection = new Map<number, Map<string, Registration>>()

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records the outcome of a 2xx to a REGISTER sent on `connection`. The REGISTER names the contacts of this
   * connection; the 2xx lists every binding of the AoR with its expiry (RFC 3261 §10.3 step 8), so the contacts
   * kept are this connection's that the 2xx still lists with a non-zero expiry.
   */
  update(connection: number, register: SipRequest, ok: SipResponse): Registration | undefined {
    const aor = uriText(register.get('To'))
    if (aor === undefined) return undefined
    const sent = register.getAll('Contact').flatMap(safeList)
    const defaultExpires = seconds(ok.get('Expires')) ?? seconds(register.get('Expires')) ?? 3600
    let expires = 0
    const contacts: string[] = []
    for (const contact of ok.getAll('Contact').flatMap(safeList)) {
      if (!sent.some((mine) => sameBinding(mine, contact))) continue
      const granted = seconds(getParam(contact.params, 'expires')) ?? defaultExpires
      if (granted <= 0) continue
      contacts.push(formatUri(contact.uri))
      expires = Math.max(expires, granted)
    }
    const perConnection = this.byConnection.get(connection) ?? new Map<string, Registration>()
    if (contacts.length === 0) {
      // A 2xx that lists none of this connection's contacts with a non-zero expiry is a de-registration.
      perConnection.delete(aor)
      if (perConnection.size === 0) this.byConnection.delete(connection)
      return undefined
    }
    const registration: Registration = {
      connection,
      aor,
      associatedUris: ok
        .getAll('P-Associated-URI')
        .flatMap(safeList)
        .map((n) => formatUri(n.uri)),
      serviceRoute: ok
        .getAll('Service-Route')
        .flatMap(safeList)
        .map((n) => n.raw),
      contacts,
      expiresAt: this.now() + expires * 1000,
    }
    perConnection.set(aor, registration)
    this.byConnection.set(connection, perConnection)
    return registration
  }

  /** Unexpired registrations made on this connection. */
  forConnection(connection: number): Registration[] {
    const now = this.now()
    return [...(this.byConnection.get(connection)?.values() ?? [])].filter((r) => r.expiresAt > now)
  }

  /** The connection an unexpired registration of this contact URI was made on. */
  connectionOfContact(contactUri: string): number | undefined {
    const now = this.now()
    for (const [connection, registrations] of this.byConnection) {
      for (const r of registrations.values()) {
        if (r.expiresAt > now && r.contacts.some((c) => sameUri(c, contactUri))) return connection
      }
    }
    return undefined
  }

  /** Forgets a connection (its WebSocket closed). */
  dropConnection(connection: number): void {
    this.byConnection.delete(connection)
  }

  all(): Registration[] {
    return [...this.byConnection.values()].flatMap((m) => [...m.values()])
  }
}

/** Bindings match on +sip.instance when both carry one (RFC 5626 §6), else on the contact URI. */
function sameBinding(a: NameAddr, b: NameAddr): boolean {
  const instanceA = getParam(a.params, '+sip.instance')
  const instanceB = getParam(b.params, '+sip.instance')
  if (instanceA !== undefined && instanceB !== undefined) return instanceA === instanceB
  return formatUri(a.uri).toLowerCase() === formatUri(b.uri).toLowerCase()
}

function sameUri(a: string, b: string): boolean {
  try {
    return formatUri(parseNameAddr(a).uri).toLowerCase() === formatUri(parseNameAddr(b).uri).toLowerCase()
  } catch {
    return a.toLowerCase() === b.toLowerCase()
  }
}

function uriText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    return formatUri(parseNameAddr(value).uri)
  } catch {
    return undefined
  }
}

function safeList(value: string): NameAddr[] {
  try {
    return value.trim() === '*' ? [] : parseNameAddrList(value)
  } catch {
    return []
  }
}

function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined
}
