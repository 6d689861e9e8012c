/**
 * The fault switches of the SA3 attack matrix (issue 9 §4–§6) against the real reference and mock S-CSCF: each
 * probe runs the check of the scenario that guards the fault; it holds on the clean reference and fails with the
 * fault, at a requirement the fault declares it breaks (support/epcscf/fault-requirements.ts).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { certificateWeaknesses } from '../../support/checks/exposure-checks.ts'
import { ConformanceFailure } from '../../support/errors.ts'
import { FAULT_REQUIREMENTS } from '../../support/epcscf/fault-requirements.ts'
import type { PresentedCertificate } from '../../support/probe/certificate.ts'
import { withBench } from './bench.ts'
import { SECURITY_PROBES } from './security-probes.ts'

void describe('SA3 attack matrix: each fault makes its check fail for its own requirement', () => {
  for (const [fault, what, probe] of SECURITY_PROBES) {
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

void describe('the W2 certificate report', () => {
  const base: PresentedCertificate = {
    subject: 'CN=epcscf.harness.test',
    keyType: 'ec',
    keyBits: 256,
    curve: 'prime256v1',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    validFrom: new Date('2026-01-01T00:00:00Z'),
    validTo: new Date('2027-01-01T00:00:00Z'),
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
  }
  const now = new Date('2026-06-01T00:00:00Z')

  void it('finds nothing weak in a P-256 certificate signed with SHA-256', () => {
    assert.deepEqual(certificateWeaknesses(base, now), [])
  })

  void it('names a short RSA key, a SHA-1 signature and an expired certificate', () => {
    const weak = certificateWeaknesses(
      {
        ...base,
        keyType: 'rsa',
        keyBits: 1024,
        curve: undefined,
        signatureAlgorithm: 'sha1WithRSAEncryption',
      },
      new Date('2027-06-01T00:00:00Z'),
    )
    assert.equal(weak.length, 3, weak.join('; '))
  })
})
