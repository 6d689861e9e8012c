/**
 * Probes of the fault switches of the JWS pitfalls of the WWSF token (issue 9 §2, H11): each registers Alice with
 * one hostile token and reports the REGISTER that reached Mw (undefined when the eP-CSCF refused it). They mirror
 * the rows of the outline "a token <defect> is refused" in features/registration/token.feature.
 */
import { KeyObject } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { DecoyKeyServer } from '../../support/wwsf/decoy-key-server.ts'
import { localPki } from '../helpers/pki.ts'
import type { Bench } from './bench.ts'

type Probe = (bench: Bench) => Promise<string | undefined>

async function reachesMw(bench: Bench, token: string): Promise<string | undefined> {
  const wic = await bench.wic('alice')
  await wic.register({ authorization: { bearer: token, carriage: 'rfc8898' } })
  const atMw = bench.atScscf('REGISTER')
  return atMw.length > 0 ? `the REGISTER reached Mw (${atMw.length})` : undefined
}

/** The claims of a genuine bench token, decoded from one (so that issuer, audience and identities stay right). */
async function genuineClaims(bench: Bench): Promise<Record<string, unknown>> {
  const payload = (await bench.token('alice')).split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
}

export const TOKEN_DEFECT_PROBES: Readonly<Record<string, Probe>> = {
  'token-alg-confusion': async (bench) => {
    const pem = KeyObject.from(bench.keys.publicKey).export({ type: 'spki', format: 'pem' }).toString()
    const token = await new SignJWT(await genuineClaims(bench))
      .setProtectedHeader({ alg: 'HS256', kid: 'bench', typ: 'at+jwt' })
      .sign(Buffer.from(pem))
    return reachesMw(bench, token)
  },
  'token-embedded-key-trusted': async (bench) => {
    const attacker = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(attacker.publicKey)
    const token = await new SignJWT(await genuineClaims(bench))
      .setProtectedHeader({ alg: 'ES256', jwk, typ: 'at+jwt' })
      .sign(attacker.privateKey)
    return reachesMw(bench, token)
  },
  'token-exp-optional': async (bench) => reachesMw(bench, await bench.token('alice', { exp: undefined })),
  // A positive probe: `bearer` in lower case is a token all the same (RFC 7235 §2.1); the defect is a challenge.
  'bearer-case-sensitive': async (bench) => {
    const wic = await bench.wic('alice')
    const headers: [string, string][] = [['Authorization', `bearer ${await bench.token('alice')}`]]
    const { final } = await wic.register({ authorization: 'none', extraHeaders: headers })
    return final.status !== 200 ? `bearer in lower case got ${final.status}, not 200` : undefined
  },
  'token-typ-unchecked': async (bench) => {
    const token = await new SignJWT(await genuineClaims(bench))
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'secevent+jwt' })
      .sign(bench.keys.privateKey)
    return reachesMw(bench, token)
  },
}

/**
 * Probes of the rest of the token attack matrix (issue 9 §1, §2): features/registration/token.feature (no aud,
 * jku/x5u), token-lifecycle.feature, token-rotation.feature and token-without-origin.feature.
 */
export const TOKEN_LIFECYCLE_PROBES: Readonly<Record<string, Probe>> = {
  'token-aud-optional': async (bench) => reachesMw(bench, await bench.token('alice', { aud: undefined })),
  'token-key-url-followed': async (bench) => {
    const pki = await localPki()
    const decoy = await DecoyKeyServer.start({ tls: pki.server, trace: bench.trace })
    try {
      return await reachesMw(bench, await decoy.sign(await genuineClaims(bench), 'jku'))
    } finally {
      await decoy.stop()
    }
  },
  // A positive probe: a key the WWSF adds to the JWKS the reference reads is honoured from the next token on.
  'token-keys-never-refreshed': async (bench) => {
    const next = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(next.publicKey)), kid: 'rotated', alg: 'ES256' }
    writeFileSync(bench.jwksFile, JSON.stringify({ keys: [jwk] }))
    const token = await new SignJWT(await genuineClaims(bench))
      .setProtectedHeader({ alg: 'ES256', kid: 'rotated', typ: 'at+jwt' })
      .sign(next.privateKey)
    const wic = await bench.wic('alice')
    const { final } = await wic.register({ authorization: { bearer: token, carriage: 'rfc8898' } })
    return final.status !== 200 ? `the token of the rotated key got ${final.status}` : undefined
  },
  'token-flow-trusted': async (bench) => {
    const wic = await bench.wic('alice')
    await wic.register({ authorization: { bearer: await bench.token('alice'), carriage: 'rfc8898' } })
    const before = bench.atScscf('REGISTER').length
    const expired = await bench.token('alice', { exp: Math.floor(Date.now() / 1000) - 600 })
    await wic.reRegister({ authorization: { bearer: expired, carriage: 'rfc8898' } })
    return bench.atScscf('REGISTER').length > before
      ? 'a refresh with an expired token reached Mw'
      : undefined
  },
  'bearer-forwarded-on-requests': async (bench) => {
    const wic = await bench.wic('alice')
    await wic.register({ authorization: { bearer: await bench.token('alice'), carriage: 'rfc8898' } })
    bench.scscf.setOriginatingHandler(() => 200)
    await wic.request(wic.createRequest('MESSAGE', 'sip:bob@ims.harness.test', { body: 'x' }))
    const bearer = bench.atScscf('MESSAGE').some((r) => /bearer/i.test(r.get('Authorization') ?? ''))
    return bearer ? 'the MESSAGE reached Mw with the Bearer token' : undefined
  },
  'token-only-digest-allowed': async (bench) => {
    const outcome = await bench.tryWic({ origin: undefined })
    if (!outcome.ok) return undefined
    await outcome.wic.register()
    const atMw = bench.atScscf('REGISTER')
    return atMw.length > 0 ? 'a digest REGISTER without Origin reached Mw' : undefined
  },
  'oversized-token-ignored': async (bench) => {
    const huge = await bench.token('alice', { pad: 'A'.repeat(12 * 1024) })
    return reachesMw(bench, `${huge.slice(0, -4)}AAAA`)
  },
  'token-jti-replay-accepted': async (bench) => {
    const token = await bench.token('alice', { jti: 'probe-jti' })
    const first = await bench.wic('alice')
    await first.register({ authorization: { bearer: token, carriage: 'rfc8898' } })
    const second = await bench.wic('alice', { name: 'alice-replay' })
    const { final } = await second.register({ authorization: { bearer: token, carriage: 'rfc8898' } })
    return final.status === 200 ? 'the jti replayed on another WebSocket registered' : undefined
  },
}
