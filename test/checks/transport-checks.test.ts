/** The TLS checks on evidence: a TLS 1.3 refusal is a SHOULD (RFC 9325 §3.1.1), a TLS 1.2 refusal a MUST. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TlsHandshakeFailed } from '../../support/errors.ts'
import { checkTlsAccepted, type TlsOutcome } from '../../support/checks/transport-checks.ts'
import { failsWith, warnings } from '../helpers/verdicts.ts'

const REFUSED = new TlsHandshakeFailed('alert 70 protocol version')

void test('R07: a TLS 1.3-only handshake refused is a WARN; TLS 1.2 refused, or an upgrade refused after TLS, is red', () => {
  const tls13: TlsOutcome = { offered: ['TLSv1.3'], stage: 'tls-refused', status: undefined, error: REFUSED }
  assert.deepEqual(
    warnings(() => checkTlsAccepted(tls13)),
    ['WARN SHOULD R07'],
  )
  const ok13: TlsOutcome = { offered: ['TLSv1.3'], stage: 'connected', status: 101, error: undefined }
  assert.deepEqual(
    warnings(() => checkTlsAccepted(ok13)),
    [],
  )
  failsWith('R07', () =>
    checkTlsAccepted({ offered: ['TLSv1.2'], stage: 'tls-refused', status: undefined, error: REFUSED }),
  )
  failsWith('R06', () =>
    checkTlsAccepted({ offered: ['TLSv1.3'], stage: 'upgrade-refused', status: 403, error: undefined }),
  )
})
