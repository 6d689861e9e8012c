import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ProfileError } from '../errors.ts'
import type { LoadedProfile } from '../profile/load-profile.ts'
import { renewServerCertificate } from '../pki/renewal.ts'
import { DEFAULT_SERVER_HOSTS, DEFAULT_SERVER_IPS, mintTestPki } from '../pki/test-pki.ts'

/** The PKI a run uses: the CA the WIC trusts and, when the harness minted it, the SUT's server certificate. */
export interface PkiFiles {
  /** Folder holding ca.crt, server.crt, server.key (minted), or the folder of the profile's CA file. */
  readonly dir: string
  /** Folder for this worker's rendered SUT files. */
  readonly filesDir: string
  readonly caPem: string
  readonly serverCertPem: string | undefined
  readonly serverKeyPem: string | undefined
  /** Said once at the start of a run: the kept PKI was renewed or replaced. */
  readonly notice?: string
}

/** The contract's eP-CSCF and WWSF names (the mock WWSF serves with this certificate), and loopback. */
const SERVER_HOSTS = DEFAULT_SERVER_HOSTS
const SERVER_IPS = DEFAULT_SERVER_IPS

/** Where the harness keeps what it generates for systems under test. */
export const HARNESS_DIR = resolve(process.env.HARNESS_DIR ?? '.harness')

/**
 * Mints the test PKI once into `.harness/pki` (kept across runs so that an external eP-CSCF is configured
 * once), or reads the CA named by the profile. Minting goes to a temporary folder renamed into place, so
 * parallel workers never see half-written files.
 */
export async function ensurePki(loaded: LoadedProfile, workerIndex = 0): Promise<PkiFiles> {
  const filesDir = join(HARNESS_DIR, 'sut', sanitize(loaded.profile.name), `worker-${workerIndex}`)
  mkdirSync(filesDir, { recursive: true })
  const ca = loaded.profile.epcscf.tls.ca
  if (ca !== 'mint') {
    const path = resolve(loaded.baseDir, ca)
    if (!existsSync(path)) throw new ProfileError(`epcscf.tls.ca: no such file ${path}`)
    return {
      dir: resolve(path, '..'),
      filesDir,
      caPem: readFileSync(path, 'utf8'),
      serverCertPem: undefined,
      serverKeyPem: undefined,
    }
  }
  const dir = join(HARNESS_DIR, 'pki')
  let notice: string | undefined
  if (existsSync(join(dir, 'server.key'))) {
    const outcome = await renewServerCertificate(dir, { hosts: SERVER_HOSTS, ips: SERVER_IPS })
    if (outcome === 'renewed')
      notice = `the test server certificate in ${dir} was near its end (or lacked one of the names ${SERVER_HOSTS.join(', ')}) and was re-minted from the same CA`
    if (outcome === 'stale-ca') {
      const old = `${dir}.replaced-${Date.now()}`
      renameSync(dir, old)
      notice = `the test CA in ${dir} could not renew the server certificate (no ca.key, or the CA ends soon): a new CA was minted; configure the eP-CSCF to trust the new ${dir}/ca.crt (the old PKI is in ${old})`
    }
  }
  if (!existsSync(join(dir, 'server.key'))) {
    const staging = `${dir}.${process.pid}.${workerIndex}.tmp`
    rmSync(staging, { recursive: true, force: true })
    await mintTestPki({ dir: staging, hosts: SERVER_HOSTS, ips: SERVER_IPS })
    try {
      renameSync(staging, dir)
    } catch {
      rmSync(staging, { recursive: true, force: true }) // another worker won the race; use its PKI
    }
  }
  return {
    ...(notice === undefined ? {} : { notice }),
    dir,
    filesDir,
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    serverCertPem: readFileSync(join(dir, 'server.crt'), 'utf8'),
    serverKeyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
  }
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_')
}
