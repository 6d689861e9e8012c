import { X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mintServerCert } from './test-pki.ts'

/**
 * Certificate lifecycle of the kept test PKI (`.harness/pki`): the CA lives ten years, so an eP-CSCF is configured
 * to trust it once; the server certificate (30 days) is re-minted from the same CA when fewer than `renewBeforeDays`
 * remain (or when it lacks one of `hosts`), so that a harness kept in a CI pipeline for months never fails on an
 * expired test certificate (and the
 * SUT, which reads server.crt/server.key at start, picks up the new one at its next start).
 * Returns what happened: `kept`, `renewed` (same CA), or `stale-ca` (no CA key, or the CA itself is near its end:
 * the caller mints a new PKI, and the SUT must be given the new CA).
 */
export type RenewalOutcome = 'kept' | 'renewed' | 'stale-ca'

const DAY_MS = 86_400_000

export async function renewServerCertificate(
  dir: string,
  opts: { now?: number; renewBeforeDays?: number; hosts: readonly string[]; ips: readonly string[] },
): Promise<RenewalOutcome> {
  const now = opts.now ?? Date.now()
  const margin = (opts.renewBeforeDays ?? 7) * DAY_MS
  const server = new X509Certificate(readFileSync(join(dir, 'server.crt')))
  // A certificate minted before a name was added (wwsf.harness.test, for a browser WIC's page) is re-minted too.
  const named = opts.hosts.every((host) => server.checkHost(host) !== undefined)
  if (named && Date.parse(server.validTo) - now > margin && Date.parse(server.validFrom) <= now) return 'kept'
  const caCert = readFileSync(join(dir, 'ca.crt'), 'utf8')
  const caKeyFile = join(dir, 'ca.key')
  if (!existsSync(caKeyFile)) return 'stale-ca'
  if (Date.parse(new X509Certificate(caCert).validTo) - now < 31 * DAY_MS) return 'stale-ca'
  const fresh = await mintServerCert(
    { cert: caCert, key: readFileSync(caKeyFile, 'utf8') },
    { hosts: opts.hosts, ips: opts.ips },
  )
  // Each file is replaced by a rename: a reader sees the old or the new one, never half of one.
  for (const [name, pem, mode] of [
    ['server.key', fresh.key, 0o600],
    ['server.crt', fresh.cert, 0o644],
  ] as const) {
    const staging = join(dir, `${name}.${process.pid}.tmp`)
    writeFileSync(staging, pem, { mode })
    renameSync(staging, join(dir, name))
  }
  return 'renewed'
}
