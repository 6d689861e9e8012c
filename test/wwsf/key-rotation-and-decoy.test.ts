/**
 * The WWSF's key rotation (support/wwsf/key-rotation.ts) and the attacker's key server (decoy-key-server.ts) of
 * issue 9 §2: what an eP-CSCF sees of each, against the reference's own token verifier.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createTokenVerifier } from '../../support/epcscf/token-verifier.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { DecoyKeyServer } from '../../support/wwsf/decoy-key-server.ts'
import { wwsfKeyFiles, writeWwsfKeyFiles } from '../../support/wwsf/key-files.ts'
import { rotateWwsfKey } from '../../support/wwsf/key-rotation.ts'
import type { Wwsf } from '../../support/wwsf/wwsf.ts'
import { localPki } from '../helpers/pki.ts'
import { ALICE_SUBSCRIBER, startTestWwsf, TEST_AUDIENCE, TEST_ISSUER } from '../helpers/wwsf.ts'

const ISSUER = TEST_ISSUER
const AUDIENCE = TEST_AUDIENCE
const ALICE = ALICE_SUBSCRIBER

/** A mock WWSF on a free port and a fresh folder for its key files (both the test's to remove). */
async function wwsfWithKeyDir(): Promise<{ wwsf: Wwsf; dir: string }> {
  const { wwsf } = await startTestWwsf()
  return { wwsf, dir: mkdtempSync(join(tmpdir(), 'rotation-')) }
}

void describe('the WWSF rotates its key; an attacker serves a key (issue 9 §2)', { timeout: 30_000 }, () => {
  void it('rotation: the JWKS and the key files follow, a file-reading verifier honours the new key and drops the removed one, undo restores', async () => {
    const { wwsf, dir } = await wwsfWithKeyDir()
    try {
      writeWwsfKeyFiles(dir, wwsf.keys)
      const files = wwsfKeyFiles(dir)
      const verifier = createTokenVerifier({ jwksFile: files.jwks, issuer: ISSUER, audience: AUDIENCE })
      const old = await wwsf.keys.issue(wwsf.tokenProfile, ALICE)
      const rotation = await rotateWwsfKey(wwsf, dir, 'replace-old')
      assert.deepEqual(
        wwsf.jwks.keys.map((k) => k.kid),
        [rotation.next.kid],
      )
      assert.equal(readFileSync(files.publicKeyPem, 'utf8'), rotation.next.publicKeyPem)
      assert.ok((await verifier.verify(await wwsf.keys.issue(wwsf.tokenProfile, ALICE))).ok, 'the new key')
      assert.equal((await verifier.verify(old)).ok, false, 'the removed key')
      rotation.undo()
      assert.deepEqual(
        wwsf.jwks.keys.map((k) => k.kid),
        [rotation.previous.kid],
      )
      assert.ok((await verifier.verify(old)).ok, 'the old key again')
      const beside = await rotateWwsfKey(wwsf, dir, 'beside-old')
      assert.deepEqual(
        wwsf.jwks.keys.map((k) => k.kid),
        [beside.next.kid, beside.previous.kid],
      )
      beside.undo()
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await wwsf.stop()
    }
  })

  void it('a verifier with token-keys-never-refreshed keeps the keys it read at start', async () => {
    const { wwsf, dir } = await wwsfWithKeyDir()
    try {
      writeWwsfKeyFiles(dir, wwsf.keys)
      const faults = { has: (name: string) => name === 'token-keys-never-refreshed' }
      const verifier = createTokenVerifier({
        jwksFile: wwsfKeyFiles(dir).jwks,
        issuer: ISSUER,
        audience: AUDIENCE,
        faults,
      })
      await rotateWwsfKey(wwsf, dir, 'replace-old')
      assert.equal((await verifier.verify(await wwsf.keys.issue(wwsf.tokenProfile, ALICE))).ok, false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await wwsf.stop()
    }
  })

  void it('the decoy counts each fetch; a verifier never fetches it, the token-key-url-followed fault does and trusts it', async () => {
    const pki = await localPki()
    const trace = new TraceRecorder()
    const decoy = await DecoyKeyServer.start({ tls: pki.server, trace })
    const dir = mkdtempSync(join(tmpdir(), 'decoy-'))
    try {
      const claims = {
        iss: ISSUER,
        aud: AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 60,
        impi: ALICE.impi,
        impu: ALICE.impus,
      }
      const jwks = join(dir, 'jwks.json')
      writeFileSync(jwks, JSON.stringify({ keys: [] }))
      for (const header of ['jku', 'x5u'] as const) {
        const token = await decoy.sign(claims, header)
        const clean = createTokenVerifier({ jwksFile: jwks, issuer: ISSUER, audience: AUDIENCE })
        assert.equal((await clean.verify(token)).ok, false)
        assert.equal(decoy.fetches.length, 0, 'a correct verifier never fetches')
        const faults = { has: (name: string) => name === 'token-key-url-followed' }
        const faulty = createTokenVerifier({ jwksFile: jwks, issuer: ISSUER, audience: AUDIENCE, faults })
        assert.ok((await faulty.verify(token)).ok, `the fault trusts the ${header} key`)
        assert.equal(decoy.fetches.at(-1)?.url, decoy.urlOf(header))
        decoy.fetches.length = 0
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await decoy.stop()
    }
  })
})
