import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { Wwsf, type WwsfOptions } from '../../support/wwsf/wwsf.ts'
import { localPki } from './pki.ts'

/** The interop contract's WWSF issuer and the eP-CSCF audience its tokens name. */
export const TEST_ISSUER = 'https://wwsf.harness.test:8443'
export const TEST_AUDIENCE = 'sip:epcscf.harness.test'
export const ALICE_SUBSCRIBER = {
  impi: 'alice@ims.harness.test',
  impus: ['sip:alice@ims.harness.test'],
  password: 'alice-secret',
}

/**
 * A mock WWSF on a free port with the test PKI's server certificate, the contract's issuer and audience and Alice
 * as its subscriber; `options` replaces any of those. The caller stops it.
 */
export async function startTestWwsf(
  options: Partial<WwsfOptions> = {},
): Promise<{ wwsf: Wwsf; ca: string; trace: TraceRecorder }> {
  const pki = await localPki()
  const trace = options.trace ?? new TraceRecorder()
  const wwsf = await Wwsf.start({
    port: 0,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    tls: pki.server,
    subscribers: [ALICE_SUBSCRIBER],
    ...options,
    trace,
  })
  return { wwsf, ca: pki.ca.cert, trace }
}
