/**
 * The nodes whose `integrity-protected="auth-done"` the S-CSCF honours. TS 33.203 Annex U.2 step 4: "The Trusted
 * Node inserts an 'integrity-protected' flag set to indicate that authentication has already been performed. The
 * I-CSCF verifies that the incoming REGISTER originates from a trusted node (according to TS 33.210)." The mock
 * plays I- and S-CSCF, so it checks the network source of the request: never anything the request says about
 * itself (Via, Contact), which the sender chooses.
 *
 * Entries are `host:port`, `[v6]:port`, `host:*` or a bare `host` (any port: a TCP client connects from an
 * ephemeral port unless it binds its listening port).
 */
export class TrustedNodes {
  private readonly entries: { host: string; port: number | '*' }[]

  constructor(list: readonly string[]) {
    this.entries = list.map(parseEntry)
  }

  /** Is a request from this source address and port from a trusted node? */
  includes(address: string, port: number): boolean {
    const host = normaliseAddress(address)
    return this.entries.some((e) => e.host === host && (e.port === '*' || e.port === port))
  }

  toString(): string {
    return this.entries.map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(', ')
  }
}

function parseEntry(entry: string): { host: string; port: number | '*' } {
  const text = entry.trim()
  const v6 = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(text)
  if (v6) return { host: normaliseAddress(v6[1] ?? ''), port: portOf(v6[2], entry) }
  const parts = text.split(':')
  if (parts.length > 2) return { host: normaliseAddress(text), port: '*' } // bare IPv6 address
  return { host: normaliseAddress(parts[0] ?? ''), port: portOf(parts[1], entry) }
}

function portOf(text: string | undefined, entry: string): number | '*' {
  if (text === undefined || text === '*') return '*'
  const port = Number(text)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad trusted node "${entry}"`)
  return port
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) compares equal to `127.0.0.1`. */
function normaliseAddress(address: string): string {
  const lower = address.trim().toLowerCase()
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower
}
