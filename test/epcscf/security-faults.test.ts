/**
 * The fault switches of the SA3 attack matrix (issue 9 §4–§6) against the real reference and mock S-CSCF: each
 * probe runs the check of the scenario that guards the fault; it holds on the clean reference and fails with the
 * fault, at a requirement the fault declares it breaks (support/epcscf/fault-requirements.ts).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkWicHeaderNotOnMw, WIC_WRITTEN, type WicPHeader } from '../../support/checks/security-checks.ts'
import { ConformanceFailure } from '../../support/errors.ts'
import { FAULT_REQUIREMENTS } from '../../support/epcscf/fault-requirements.ts'
import type { FaultName } from '../../support/epcscf/faults.ts'
import { withBench, type Bench } from './bench.ts'

/** Runs the guarding check; resolves when it holds, rejects with its failure otherwise. */
type Probe = (bench: Bench) => Promise<void>

/** Alice registers writing her own `header`; the REGISTERs at the S-CSCF are judged. */
const registerWriting =
  (header: WicPHeader): Probe =>
  async (bench) => {
    const wic = await bench.wic()
    const outcome = await wic.register({ extraHeaders: [[header, WIC_WRITTEN[header]]] })
    const atMw = bench.atScscf('REGISTER')
    checkWicHeaderNotOnMw({ header, kind: 'register', finalStatus: outcome.final.status, atMw })
  }

/** Registered Alice sends a MESSAGE writing her own `header`; the MESSAGE at the S-CSCF is judged. */
const requestWriting =
  (header: WicPHeader): Probe =>
  async (bench) => {
    const wic = await bench.wic()
    assert.equal((await wic.register()).final.status, 200, 'alice registers')
    bench.scscf.setOriginatingHandler(() => 200)
    const request = wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', {
      body: 'x',
      headers: [[header, WIC_WRITTEN[header]]],
    })
    const finalStatus = (await wic.request(request)).status
    const atMw = bench.atScscf('MESSAGE').filter((r) => r.get('Call-ID') === request.get('Call-ID'))
    checkWicHeaderNotOnMw({ header, kind: 'request', finalStatus, atMw })
  }

const PROBES: readonly [FaultName, string, Probe][] = [
  ['trust-wic-charging-vector', 'REGISTER', registerWriting('P-Charging-Vector')],
  ['trust-wic-charging-vector', 'MESSAGE', requestWriting('P-Charging-Vector')],
  ['trust-wic-asserted-identity', 'REGISTER', registerWriting('P-Asserted-Identity')],
  ['trust-wic-asserted-identity', 'MESSAGE', requestWriting('P-Asserted-Identity')],
  ['trust-wic-visited-network', 'REGISTER', registerWriting('P-Visited-Network-ID')],
  ['trust-wic-access-network-info', 'REGISTER', registerWriting('P-Access-Network-Info')],
  ['trust-wic-access-network-info', 'MESSAGE', requestWriting('P-Access-Network-Info')],
]

void describe('SA3 attack matrix: each fault makes its check fail for its own requirement', () => {
  for (const [fault, what, probe] of PROBES) {
    void it(
      `${fault} (${what}): the check holds without it and fails with it`,
      { timeout: 20_000 },
      async () => {
        await withBench({}, probe)
        const failure = await withBench({ faults: [fault] }, probe).then(
          () => undefined,
          (error: unknown) => error,
        )
        assert.ok(
          failure instanceof ConformanceFailure,
          `${fault}: the check did not fail (${String(failure)})`,
        )
        const id = failure.requirement.id
        assert.ok(
          id !== undefined && FAULT_REQUIREMENTS[fault].includes(id),
          `${fault}: failed at ${id ?? 'no requirement'}, not one the fault declares`,
        )
      },
    )
  }
})
