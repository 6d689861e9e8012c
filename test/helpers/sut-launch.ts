import assert from 'node:assert/strict'
import { join } from 'node:path'
import { EnvironmentError } from '../../support/errors.ts'

const ORIGIN = 'https://wwsf.harness.test:8443'

/** The placeholder values the bundled Kamailio templates need, for one SUT on the given loopback ports. */
export function kamailioVars(opts: {
  dir: string
  filesDir: string
  ports: { wss: number; mw: number; scscf: number }
}): Record<string, string> {
  const { dir, filesDir, ports } = opts
  return {
    'wss.host': '127.0.0.1',
    'wss.port': String(ports.wss),
    'wss.path': '/',
    'mw.address': '127.0.0.1',
    'mw.port': String(ports.mw),
    'scscf.address': '127.0.0.1',
    'scscf.port': String(ports.scscf),
    'pki.dir': join(dir, 'pki'),
    'files.dir': filesDir,
    origin: ORIGIN,
    origins: ORIGIN,
    domain: 'ims.harness.test',
    identity: 'sip:epcscf.harness.test',
    'wwsf.publicKeyPem': join(filesDir, 'wwsf', 'signing-key.pub.pem'),
    'wwsf.issuer': ORIGIN,
  }
}

/** Awaits `promise` and asserts it rejected with an EnvironmentError of `code` whose message matches `pattern`. */
export async function rejectsWithEnvironmentError(
  promise: Promise<unknown>,
  code: string,
  pattern: RegExp,
): Promise<EnvironmentError> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof EnvironmentError, `expected an EnvironmentError, got ${String(caught)}`)
  assert.equal(caught.code, code)
  assert.match(caught.message, pattern)
  return caught
}
