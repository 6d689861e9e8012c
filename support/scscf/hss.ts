/**
 * The mock HSS: the subscriber table the mock S-CSCF authenticates against (TS 29.228 Cx data, reduced to what
 * the harness needs). One subscriber is one IMPI with its IMPUs; the IMPUs form one implicit registration set and
 * the first is the default public user identity (TS 24.229 §5.4.1.2.2: the first URI of the list the HSS supplies
 * to the S-CSCF indicates the default public user identity, and the 200 (OK) lists them in that order).
 */
export interface Subscriber {
  /** Private user identity, e.g. `alice@ims.harness.test` (the digest `username`). */
  readonly impi: string
  /** Public user identities, default first (`sip:` or `tel:` URIs). */
  readonly impus: readonly string[]
  /** The SIP digest password (the HSS would hold H(A1); the mock keeps the clear text for both algorithms). */
  readonly password: string
}

/** The subscribers of the interop contract (shared/interop-contract.md, "Names and identities"). */
export const DEFAULT_SUBSCRIBERS: readonly Subscriber[] = [
  {
    impi: 'alice@ims.harness.test',
    impus: ['sip:alice@ims.harness.test', 'tel:+15550101'],
    password: 'alice-secret',
  },
  { impi: 'bob@ims.harness.test', impus: ['sip:bob@ims.harness.test'], password: 'bob-secret' },
]

/**
 * A public identity in the form the HSS stores it: scheme and host lower-cased, user part kept as written (it is
 * case-sensitive, RFC 3261 §19.1.4), port, parameters and headers dropped; `tel:` numbers keep only the number.
 */
export function canonicalImpu(uri: string): string {
  const text = uri.trim().replace(/^<(.*)>$/, '$1')
  const colon = text.indexOf(':')
  if (colon < 0) return text
  const scheme = text.slice(0, colon).toLowerCase()
  const rest = text.slice(colon + 1)
  if (scheme === 'tel') return `tel:${rest.split(';')[0] ?? ''}`
  if (scheme !== 'sip' && scheme !== 'sips') return `${scheme}:${rest}`
  const withoutParams = rest.split(/[;?]/)[0] ?? ''
  const at = withoutParams.lastIndexOf('@')
  const user = at < 0 ? undefined : withoutParams.slice(0, at).split(':')[0]
  const hostPort = at < 0 ? withoutParams : withoutParams.slice(at + 1)
  const host = hostPort.startsWith('[')
    ? hostPort.slice(0, hostPort.indexOf(']') + 1)
    : hostPort.split(':')[0]
  return `${scheme}:${user === undefined ? '' : `${user}@`}${(host ?? '').toLowerCase()}`
}

export class Hss {
  private readonly byImpiKey = new Map<string, Subscriber>()
  private readonly byImpuKey = new Map<string, Subscriber>()

  constructor(subscribers: readonly Subscriber[] = DEFAULT_SUBSCRIBERS) {
    for (const s of subscribers) this.add(s)
  }

  /** Adds (or replaces) a subscriber; an IMPU belongs to one subscriber only. */
  add(subscriber: Subscriber): void {
    if (subscriber.impus.length === 0) throw new Error(`subscriber ${subscriber.impi} has no IMPU`)
    const previous = this.byImpiKey.get(subscriber.impi.toLowerCase())
    if (previous) for (const impu of previous.impus) this.byImpuKey.delete(canonicalImpu(impu))
    for (const impu of subscriber.impus) {
      const owner = this.byImpuKey.get(canonicalImpu(impu))
      if (owner && owner.impi !== subscriber.impi) {
        throw new Error(`IMPU ${impu} already belongs to ${owner.impi}`)
      }
    }
    this.byImpiKey.set(subscriber.impi.toLowerCase(), subscriber)
    for (const impu of subscriber.impus) this.byImpuKey.set(canonicalImpu(impu), subscriber)
  }

  /** The subscriber with this IMPI (compared case-insensitively, as realms and hosts are). */
  byImpi(impi: string): Subscriber | undefined {
    return this.byImpiKey.get(impi.trim().toLowerCase())
  }

  /** The subscriber owning this IMPU (any form of the URI: `<sip:alice@IMS.harness.test;user=phone>` matches). */
  byImpu(impu: string): Subscriber | undefined {
    return this.byImpuKey.get(canonicalImpu(impu))
  }

  /** Is this IMPU one of this IMPI's public identities? (Cx: the IMPU/IMPI pair the S-CSCF checks.) */
  isBound(impu: string, impi: string): boolean {
    const owner = this.byImpu(impu)
    return owner !== undefined && owner.impi.toLowerCase() === impi.trim().toLowerCase()
  }

  /** The implicit registration set of this IMPU, default IMPU first; empty if unknown. */
  implicitSet(impu: string): readonly string[] {
    return this.byImpu(impu)?.impus ?? []
  }

  all(): readonly Subscriber[] {
    return [...this.byImpiKey.values()]
  }
}
