/**
 * Probes of the fault switches of the JWS pitfalls of the WWSF token (issue 9 §2, H11): each registers Alice with
 * one hostile token and reports the REGISTER that reached Mw (undefined when the eP-CSCF refused it). They mirror
 * the rows of the outline "a token <defect> is refused" in features/registration/token.feature.
 */
import { KeyObject } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
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
