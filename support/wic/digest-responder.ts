import { parseAuthValue, formatAuthValue } from '../sip/auth.ts'
import { computeDigestResponse, type DigestAlgorithm } from '../sip/digest.ts'
import { newCnonce } from '../sip/ids.ts'
import type { SipResponse } from '../sip/message.ts'
import { getParam, type Param } from '../sip/params.ts'

/** One Digest challenge of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), RFC 3261 §22.2 / §22.3. */
export interface DigestChallenge {
  /** Where it came from; the credentials go in Authorization or Proxy-Authorization respectively. */
  readonly header: 'WWW-Authenticate' | 'Proxy-Authenticate'
  readonly realm: string
  readonly nonce: string
  readonly opaque: string | undefined
  /** RFC 7616 §3.3: "If this is not present, it is assumed to be "MD5"". */
  readonly algorithm: DigestAlgorithm
  /** 'auth' when the challenge offers it; undefined for an RFC 2069-style challenge without qop. */
  readonly qop: 'auth' | undefined
  readonly stale: boolean
  /** Position among the challenges of the response (0 = topmost), the server's order of preference. */
  readonly index: number
  readonly raw: string
}

/** A challenge the WIC cannot answer, with the reason (shown in errors and trace notes). */
export interface UnsupportedChallenge {
  readonly raw: string
  readonly reason: string
}

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  md5: 'MD5',
  'md5-sess': 'MD5-sess',
  'sha-256': 'SHA-256',
  'sha-256-sess': 'SHA-256-sess',
}

/** Every Digest challenge of a response, in header order, split into the answerable and the rest. */
export function digestChallengesOf(response: SipResponse): {
  supported: DigestChallenge[]
  unsupported: UnsupportedChallenge[]
} {
  const supported: DigestChallenge[] = []
  const unsupported: UnsupportedChallenge[] = []
  let index = 0
  for (const header of ['WWW-Authenticate', 'Proxy-Authenticate'] as const) {
    // RFC 3261 §25.1: "WWW-Authenticate = "WWW-Authenticate" HCOLON challenge": one challenge per header line.
    for (const value of response.getAll(header)) {
      const at = index++
      let parsed
      try {
        parsed = parseAuthValue(value)
      } catch (error) {
        unsupported.push({ raw: value, reason: `does not parse: ${(error as Error).message}` })
        continue
      }
      if (parsed.scheme.toLowerCase() !== 'digest') {
        unsupported.push({ raw: value, reason: `scheme ${parsed.scheme}` })
        continue
      }
      const algorithmText = getParam(parsed.params, 'algorithm') ?? 'MD5'
      const algorithm = ALGORITHMS[algorithmText.toLowerCase()]
      if (algorithm === undefined) {
        unsupported.push({ raw: value, reason: `algorithm ${algorithmText}` })
        continue
      }
      const nonce = getParam(parsed.params, 'nonce')
      const realm = getParam(parsed.params, 'realm')
      if (nonce === undefined || realm === undefined) {
        unsupported.push({ raw: value, reason: 'no realm or no nonce' })
        continue
      }
      const qopText = getParam(parsed.params, 'qop')
      const qopOptions = qopText?.split(',').map((q) => q.trim().toLowerCase())
      if (qopOptions !== undefined && !qopOptions.includes('auth')) {
        unsupported.push({ raw: value, reason: `qop "${qopText}" without auth` })
        continue
      }
      supported.push({
        header,
        realm,
        nonce,
        opaque: getParam(parsed.params, 'opaque'),
        algorithm,
        qop: qopOptions === undefined ? undefined : 'auth',
        stale: (getParam(parsed.params, 'stale') ?? '').toLowerCase() === 'true',
        index: at,
        raw: value,
      })
    }
  }
  return { supported, unsupported }
}

/**
 * Picks the challenge to answer: the one whose algorithm comes first in `preference` (the WIC's local policy,
 * strongest first), the topmost such header on a tie. RFC 8760 §2.4: the UAC "SHOULD use the topmost header
 * field that it supports unless a local policy dictates otherwise"; RFC 7616 §3.7 lets a client prefer the
 * strongest algorithm it supports. SHA-256 therefore wins over MD5 whatever the order the server used.
 */
export function selectChallenge(
  challenges: readonly DigestChallenge[],
  preference: readonly DigestAlgorithm[],
): DigestChallenge | undefined {
  let best: DigestChallenge | undefined
  let bestRank = Number.POSITIVE_INFINITY
  for (const c of challenges) {
    const rank = preference.indexOf(c.algorithm)
    if (rank < 0) continue
    if (rank < bestRank || (rank === bestRank && best !== undefined && c.index < best.index)) {
      best = c
      bestRank = rank
    }
  }
  return best
}

/** nonce-count: "the hexadecimal count of the number of requests ... 8LHEX" (RFC 7616 §3.4, RFC 2617 §3.2.2). */
export function formatNonceCount(n: number): string {
  return n.toString(16).padStart(8, '0')
}

export interface DigestAnswerInput {
  readonly challenge: DigestChallenge
  readonly username: string
  readonly password: string
  readonly method: string
  /** The Request-URI (RFC 2617 §3.2.2 digest-uri). */
  readonly uri: string
  readonly nc: number
  readonly cnonce: string
  readonly body?: string
  /** Auth-params added after the standard ones, e.g. a hostile `integrity-protected` (TS 24.229 §7.2A.1). */
  readonly extraParams?: readonly Param[]
}

/**
 * The credentials value answering `challenge` (RFC 3261 §22.2, RFC 7616 §3.4): username, realm, nonce, uri,
 * response, cnonce and opaque as quoted-strings; algorithm, qop and nc as tokens, as in the grammar of
 * RFC 2617 §3.2.2 (`message-qop = "qop" EQUAL qop-value`, `nonce-count = "nc" EQUAL nc-value`). The opaque
 * of the challenge is echoed unchanged.
 */
export function digestAuthorization(input: DigestAnswerInput): string {
  const { challenge } = input
  const nc = formatNonceCount(input.nc)
  const usesCnonce = challenge.qop !== undefined || challenge.algorithm.endsWith('-sess')
  const response = computeDigestResponse({
    algorithm: challenge.algorithm,
    username: input.username,
    realm: challenge.realm,
    password: input.password,
    method: input.method,
    uri: input.uri,
    nonce: challenge.nonce,
    ...(challenge.qop !== undefined ? { qop: challenge.qop, nc } : {}),
    ...(usesCnonce ? { cnonce: input.cnonce } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
  })
  const params: Param[] = [
    q('username', input.username),
    q('realm', challenge.realm),
    q('nonce', challenge.nonce),
    q('uri', input.uri),
    q('response', response),
    t('algorithm', challenge.algorithm),
  ]
  if (usesCnonce) params.push(q('cnonce', input.cnonce))
  if (challenge.opaque !== undefined) params.push(q('opaque', challenge.opaque))
  if (challenge.qop !== undefined) params.push(t('qop', challenge.qop), t('nc', nc))
  params.push(...(input.extraParams ?? []))
  return formatAuthValue({ scheme: 'Digest', params })
}

/**
 * The credentials of an initial IMS registration with no challenge yet: TS 24.229 §5.1.1.2 (and the
 * interop contract) has the UE send `username` = IMPI, `realm`, `uri`, and empty `nonce` and `response`.
 */
export function initialDigestAuthorization(input: {
  readonly username: string
  readonly realm: string
  readonly uri: string
  readonly extraParams?: readonly Param[]
}): string {
  return formatAuthValue({
    scheme: 'Digest',
    params: [
      q('username', input.username),
      q('realm', input.realm),
      q('uri', input.uri),
      q('nonce', ''),
      q('response', ''),
      ...(input.extraParams ?? []),
    ],
  })
}

/**
 * Keeps the last challenge of one registration and the nonce-count that goes with it, so that a refresh can
 * reuse the nonce with nc incremented until the server sends a new challenge. RFC 7616 §3.4: "The nc value is
 * the hexadecimal count of the number of requests (including the current request) that the client has sent
 * with the nonce value in this request."
 */
export class DigestResponder {
  private current: DigestChallenge | undefined
  private nc = 0

  constructor(private readonly preference: readonly DigestAlgorithm[]) {}

  get challenge(): DigestChallenge | undefined {
    return this.current
  }

  /** Takes the best challenge of `response`; a new nonce restarts nc. Returns undefined when none is usable. */
  accept(response: SipResponse): DigestChallenge | undefined {
    const chosen = selectChallenge(digestChallengesOf(response).supported, this.preference)
    if (chosen === undefined) return undefined
    if (this.current?.nonce !== chosen.nonce) this.nc = 0
    this.current = chosen
    return chosen
  }

  forget(): void {
    this.current = undefined
    this.nc = 0
  }

  /** Credentials for the next request under the current challenge (nc incremented), or undefined without one. */
  answer(input: {
    username: string
    password: string
    method: string
    uri: string
    body?: string
    extraParams?: readonly Param[]
  }): { header: 'Authorization' | 'Proxy-Authorization'; value: string } | undefined {
    const challenge = this.current
    if (challenge === undefined) return undefined
    this.nc += 1
    const value = digestAuthorization({ ...input, challenge, nc: this.nc, cnonce: newCnonce() })
    return {
      header: challenge.header === 'Proxy-Authenticate' ? 'Proxy-Authorization' : 'Authorization',
      value,
    }
  }
}

function q(name: string, value: string): Param {
  return { name, value, quoted: true }
}

function t(name: string, value: string): Param {
  return { name, value, quoted: false }
}
