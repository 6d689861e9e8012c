import { parseAuthValue, type AuthValue } from '../sip/auth.ts'
import { createResponse } from '../sip/builders.ts'
import { parseCSeq } from '../sip/cseq.ts'
import { verifyDigestResponse, type DigestAlgorithm } from '../sip/digest.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { parseNameAddr, parseNameAddrList, type NameAddr } from '../sip/name-addr.ts'
import { formatParams, getParam, type Param } from '../sip/params.ts'
import { parseUri } from '../sip/uri.ts'
import { BindingStore, contactKey, type Binding, type RequestSource } from './binding-store.ts'
import { canonicalImpu, type Hss, type Subscriber } from './hss.ts'
import { NonceStore, type IssuedNonce } from './nonce-store.ts'
import { REJECT_REASONS, WARN_AGENT, warningValue, type RejectReason } from './reject-reason.ts'
import { TrustedNodes } from './trusted-nodes.ts'

export interface RegistrarOptions {
  readonly hss: Hss
  /** The Service-Route URI returned on success (RFC 3608), e.g. `sip:orig@127.0.0.1:5070;lr`. */
  readonly serviceRoute: string
  /** Digest realm = home domain. Default `ims.harness.test`. */
  readonly realm?: string
  /** Challenge algorithms, one WWW-Authenticate line each, in this order (RFC 8760 §2.4). Default `['MD5']`. */
  readonly algorithms?: readonly DigestAlgorithm[]
  /** How long a nonce is accepted; after that the answer is 401 with stale=true. Default 30 000 ms. */
  readonly nonceLifetimeMs?: number
  /** Sources whose `auth-done` is honoured (see TrustedNodes). Default `['127.0.0.1:5060']`. */
  readonly trustedNodes?: readonly string[]
  /** Reject a REGISTER without Path with 421 (RFC 3261 §8.2.4). Default false: only recorded. */
  readonly requirePath?: boolean
  /** Expiration when the request names none (RFC 3261 §10.3 step 7). Default 3600 s. */
  readonly defaultExpires?: number
  /** Longest interval granted; longer requests are shortened. Default 3600 s. */
  readonly maxExpires?: number
  /** Shortest interval accepted; shorter non-zero requests get 423. Default 0 (never 423). */
  readonly minExpires?: number
  /** Compare the digest `uri` with the Request-URI (RFC 2617 §3.2.2.5). Default true. */
  readonly checkDigestUri?: boolean
  readonly warnAgent?: string
  /** Clock in ms since the epoch (tests move it to expire nonces and bindings). */
  readonly now?: () => number
}

export type RegisterResult = 'challenged' | 'registered' | 'deregistered' | 'queried' | 'rejected'

/** What the registrar did with one REGISTER, for assertions and for the trace. */
export interface RegisterOutcome {
  readonly result: RegisterResult
  readonly response: SipResponse
  /** Why it was rejected or challenged again (absent on a plain first challenge and on success). */
  readonly reason?: RejectReason | undefined
  readonly impi?: string | undefined
  readonly impu?: string | undefined
  /** How the request was authenticated, when it was. */
  readonly authenticatedBy?: 'digest' | 'auth-done' | undefined
  /** The digest algorithm the credentials used, when digest succeeded. */
  readonly algorithm?: DigestAlgorithm | undefined
  /** The `integrity-protected` value the request carried (unquoted), if any. */
  readonly integrityProtected?: string | undefined
  /** Things worth a line in the trace that did not change the answer (e.g. "path-missing"). */
  readonly notes: readonly string[]
}

class Rejection {
  constructor(
    readonly reason: RejectReason,
    readonly detail?: string,
  ) {}
}

interface Identity {
  readonly impi: string
  readonly impu: string
  readonly subscriber: Subscriber
  readonly digest: AuthValue | undefined
  readonly integrityProtected: string | undefined
}

/** IMS AKA values of integrity-protected (TS 33.203 P.4.2, TS 24.229 §5.4.1.1 item 2A). */
const AKA_INTEGRITY_VALUES = new Set(['yes', 'no', 'tls-connected'])

/**
 * The S-CSCF registration procedure (TS 24.229 §5.4.1, RFC 3261 §10.3) without sockets: `handle()` takes a
 * REGISTER and where it came from, and returns the response to send and what happened. Keeps the nonces it
 * issued and the bindings it accepted.
 */
export class Registrar {
  readonly realm: string
  private algorithms: readonly DigestAlgorithm[]
  private readonly hss: Hss
  private readonly serviceRoute: string
  private readonly trusted: TrustedNodes
  private readonly nonces: NonceStore
  private readonly store: BindingStore
  private readonly now: () => number
  private readonly opts: Required<
    Pick<
      RegistrarOptions,
      'requirePath' | 'defaultExpires' | 'maxExpires' | 'minExpires' | 'checkDigestUri' | 'warnAgent'
    >
  >

  constructor(options: RegistrarOptions) {
    this.hss = options.hss
    this.serviceRoute = options.serviceRoute
    this.realm = options.realm ?? 'ims.harness.test'
    this.algorithms = checkAlgorithms(options.algorithms ?? ['MD5'])
    this.trusted = new TrustedNodes(options.trustedNodes ?? ['127.0.0.1:5060'])
    this.now = options.now ?? Date.now
    this.nonces = new NonceStore(options.nonceLifetimeMs ?? 30_000, this.now)
    this.store = new BindingStore(this.now)
    this.opts = {
      requirePath: options.requirePath ?? false,
      defaultExpires: options.defaultExpires ?? 3600,
      maxExpires: options.maxExpires ?? 3600,
      minExpires: options.minExpires ?? 0,
      checkDigestUri: options.checkDigestUri ?? true,
      warnAgent: options.warnAgent ?? WARN_AGENT,
    }
  }

  /** Changes the challenge algorithms for the next challenges (a scenario's "the S-CSCF challenges with ..."). */
  setAlgorithms(algorithms: readonly DigestAlgorithm[]): void {
    this.algorithms = checkAlgorithms(algorithms)
  }

  get challengeAlgorithms(): readonly DigestAlgorithm[] {
    return this.algorithms
  }

  /** Unexpired bindings reaching this IMPU (registered under it or under its implicit registration set). */
  bindings(impu: string): Binding[] {
    return this.store.lookup(canonicalImpu(impu))
  }

  allBindings(): Binding[] {
    return this.store.all()
  }

  /** Forgets bindings and nonces. */
  reset(): void {
    this.store.clear()
    this.nonces.clear()
  }

  isTrusted(source: RequestSource): boolean {
    return this.trusted.includes(source.address, source.port)
  }

  handle(request: SipRequest, source: RequestSource): RegisterOutcome {
    const notes: string[] = []
    let identity: Identity | undefined
    try {
      identity = this.identify(request, notes)
      const auth = this.authenticate(request, source, identity, notes)
      if (auth.kind === 'challenge') {
        return {
          result: 'challenged',
          response: this.challenge(request, identity.impi, auth.stale ?? false, auth.reason),
          reason: auth.reason,
          impi: identity.impi,
          impu: identity.impu,
          integrityProtected: identity.integrityProtected,
          notes,
        }
      }
      const update = this.updateBindings(request, source, identity, auth.by, notes)
      return {
        ...update,
        reason: undefined,
        impi: identity.impi,
        impu: identity.impu,
        authenticatedBy: auth.by,
        algorithm: auth.algorithm,
        integrityProtected: identity.integrityProtected,
        notes,
      }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      if (error.detail) notes.push(`${error.reason}: ${error.detail}`)
      return {
        result: 'rejected',
        response: this.reject(request, error.reason),
        reason: error.reason,
        impi: identity?.impi,
        impu: identity?.impu,
        integrityProtected: identity?.integrityProtected,
        notes,
      }
    }
  }

  /** A response for a rejection: the reason table's status, with the reason in a Warning (RFC 3261 §20.43). */
  reject(request: SipRequest, reason: RejectReason): SipResponse {
    const response = createResponse(request, REJECT_REASONS[reason].status)
    response.append('Warning', warningValue(reason, this.opts.warnAgent))
    if (reason === 'interval-too-brief') response.append('Min-Expires', String(this.opts.minExpires))
    // RFC 3261 §8.2.4: "The needed extension(s) MUST be included in a Require header field in the response."
    if (reason === 'path-missing') response.append('Require', 'path')
    return response.updateContentLength()
  }

  // --- identities (TS 24.229 §5.4.1.2.1, Cx) -------------------------------------------------------------------

  private identify(request: SipRequest, notes: string[]): Identity {
    let to: NameAddr
    try {
      to = parseNameAddr(request.get('To') ?? '')
    } catch (error) {
      throw new Rejection('to-invalid', String(error))
    }
    const scheme = to.uri.scheme.toLowerCase()
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel')
      throw new Rejection('to-invalid', to.uri.raw)
    const impu = canonicalImpu(to.uri.raw)

    const digest = this.digestCredentials(request, notes)
    const username = digest ? getParam(digest.params, 'username') : undefined
    // Without credentials the S-CSCF derives the IMPI from the IMPU (TS 24.229 §5.4.1.2.1 for a REGISTER without
    // an Authorization header field): the URI without its scheme.
    const impi = username ?? impu.replace(/^[a-z]+:/i, '')
    const subscriber = this.hss.byImpi(impi)
    if (!subscriber) throw new Rejection('unknown-impi', impi)
    if (!this.hss.byImpu(impu)) throw new Rejection('unknown-impu', impu)
    if (!this.hss.isBound(impu, impi)) throw new Rejection('impu-not-bound-to-impi', `${impu} / ${impi}`)
    const integrity = digest ? getParam(digest.params, 'integrity-protected')?.toLowerCase() : undefined
    return { impi: subscriber.impi, impu, subscriber, digest, integrityProtected: integrity }
  }

  /**
   * The Digest credentials for our realm. RFC 3261 §22.4: a request may carry several Authorization header
   * fields, one per realm; the one for this realm is ours. A Bearer token on Mw is recorded (it should have been
   * consumed by the eP-CSCF) and ignored.
   */
  private digestCredentials(request: SipRequest, notes: string[]): AuthValue | undefined {
    const values: AuthValue[] = []
    for (const line of request.getAll('Authorization')) {
      try {
        values.push(parseAuthValue(line))
      } catch (error) {
        throw new Rejection('authorization-invalid', String(error))
      }
    }
    if (values.some((v) => v.scheme.toLowerCase() === 'bearer')) notes.push('bearer-token-on-mw')
    const digests = values.filter((v) => v.scheme.toLowerCase() === 'digest')
    if (digests.length > 1) notes.push(`authorization-lines: ${digests.length}`)
    return digests.find((d) => getParam(d.params, 'realm') === this.realm) ?? digests[0]
  }

  // --- authentication (TS 24.229 §5.4.1.2.2, TS 33.203 Annex U and P.4, RFC 7616) ------------------------------

  private authenticate(
    request: SipRequest,
    source: RequestSource,
    id: Identity,
    notes: string[],
  ):
    | { kind: 'ok'; by: 'digest' | 'auth-done'; algorithm?: DigestAlgorithm }
    | { kind: 'challenge'; reason?: RejectReason; stale?: boolean } {
    const integrity = id.integrityProtected
    if (integrity === 'auth-done') {
      // TS 33.203 U.1: "The S-CSCF looks for an indication in the 'integrity-protected' flag that authentication
      // is already performed by the trusted node"; U.2: the I-CSCF "verifies that the incoming REGISTER originates
      // from a trusted node". From anywhere else the flag is ignored and the user is challenged.
      if (this.isTrusted(source)) return { kind: 'ok', by: 'auth-done' }
      notes.push(`auth-done from ${source.address}:${source.port}, not in [${this.trusted.toString()}]`)
      return { kind: 'challenge', reason: 'auth-done-from-untrusted-node' }
    }
    let akaReason: RejectReason | undefined
    if (integrity !== undefined && AKA_INTEGRITY_VALUES.has(integrity)) {
      // TS 33.203 P.4.2 step 1: "If the flag is present and has either the value 'yes' or the value 'no' the
      // S-CSCF concludes that the REGISTER request relates to IMS AKA" (tls-connected: AKAv2 over TLS, TS 24.229
      // §5.4.1.1 item 2A). The mock has no AKA vectors: it records the value and runs digest, which challenges.
      notes.push(`integrity-protected=${integrity} is an IMS AKA value; answered with a Digest challenge`)
      akaReason = 'aka-integrity-value-ignored'
    }

    const digest = id.digest
    const nonceValue = digest ? (getParam(digest.params, 'nonce') ?? '') : ''
    const responseValue = digest ? (getParam(digest.params, 'response') ?? '') : ''
    // TS 24.229 §5.4.1.2.2: the S-CSCF "shall always require authentication for REGISTER requests received
    // without the 'integrity-protected' header field parameter in the Authorization header field set to 'yes' or
    // 'tls-connected'". An initial REGISTER (empty nonce and response) is challenged.
    if (!digest || nonceValue === '' || responseValue === '') return { kind: 'challenge', reason: akaReason }

    const realm = getParam(digest.params, 'realm')
    if (realm !== this.realm) throw new Rejection('digest-realm-mismatch', `realm "${realm ?? ''}"`)

    const check = this.nonces.check(nonceValue)
    if (check.state === 'unknown') return { kind: 'challenge', reason: 'nonce-unknown' }
    const nonce = check.nonce
    if (nonce.impi.toLowerCase() !== id.impi.toLowerCase()) {
      throw new Rejection('nonce-impi-mismatch', `nonce issued for ${nonce.impi}`)
    }
    // RFC 7616 §3.3, algorithm: "If this is not present, it is assumed to be 'MD5'."
    const algorithmText = getParam(digest.params, 'algorithm') ?? 'MD5'
    const algorithm = nonce.algorithms.find((a) => a.toLowerCase() === algorithmText.toLowerCase())
    if (!algorithm) throw new Rejection('digest-algorithm-not-offered', algorithmText)
    const qop = getParam(digest.params, 'qop')
    const nc = getParam(digest.params, 'nc')
    const cnonce = getParam(digest.params, 'cnonce')
    // RFC 7616 §3.4: qop "MUST be one of the alternatives the server indicated it supports"; we offer "auth".
    if (qop?.toLowerCase() !== 'auth') throw new Rejection('digest-qop-mismatch', `qop ${qop ?? '(absent)'}`)
    if (nc === undefined || cnonce === undefined) throw new Rejection('digest-params-missing')
    const uri = getParam(digest.params, 'uri') ?? ''
    // RFC 2617 §3.2.2.5: the server checks that the digest-uri names the same resource as the Request-URI, and
    // "If they do not match, the server SHOULD return a 400 Bad Request error."
    if (this.opts.checkDigestUri && !sameUri(uri, request.uri)) {
      throw new Rejection('digest-uri-mismatch', `uri "${uri}" vs Request-URI "${request.uri}"`)
    }
    const ok = verifyDigestResponse(
      {
        algorithm,
        username: getParam(digest.params, 'username') ?? id.impi,
        realm: this.realm,
        password: id.subscriber.password,
        method: request.method,
        uri,
        nonce: nonceValue,
        qop: 'auth',
        nc,
        cnonce,
        body: request.body,
      },
      responseValue,
    )
    // Cf. TS 24.229 §5.4.1.2.3: an authentication that fails is answered with 403 (Forbidden).
    if (!ok) throw new Rejection('digest-response-mismatch', `algorithm ${algorithm}`)
    // RFC 7616 §3.3 stale: "The server SHOULD only set stale to true if it receives a request for which the nonce
    // is invalid but with a valid digest for that nonce". The digest above was valid.
    if (check.state === 'stale') return { kind: 'challenge', reason: 'nonce-stale', stale: true }
    if (!this.nonces.acceptNc(nonce, nc)) return { kind: 'challenge', reason: 'nonce-count-replay' }
    return { kind: 'ok', by: 'digest', algorithm }
  }

  /**
   * The 401: one WWW-Authenticate line per configured algorithm, in order, sharing one fresh nonce. RFC 7616
   * §3.7 lets a server offer several challenges, one per algorithm, in its order of preference, the client using
   * the first one it supports; RFC 8760 §2.4 applies this to SIP (SHA-256 before MD5).
   */
  private challenge(request: SipRequest, impi: string, stale: boolean, reason?: RejectReason): SipResponse {
    const nonce: IssuedNonce = this.nonces.issue(impi, this.algorithms)
    const response = createResponse(request, 401)
    for (const algorithm of this.algorithms) {
      const params = [
        `realm="${this.realm}"`,
        `nonce="${nonce.value}"`,
        `algorithm=${algorithm}`,
        `qop="auth"`,
        ...(stale ? ['stale=true'] : []),
      ]
      response.append('WWW-Authenticate', `Digest ${params.join(', ')}`)
    }
    if (reason) response.append('Warning', warningValue(reason, this.opts.warnAgent))
    return response.updateContentLength()
  }

  // --- bindings (RFC 3261 §10.3 steps 6-8, RFC 3327 §5.3, RFC 5626 §6) ------------------------------------------

  private updateBindings(
    request: SipRequest,
    source: RequestSource,
    id: Identity,
    by: 'digest' | 'auth-done',
    notes: string[],
  ): { result: RegisterResult; response: SipResponse } {
    const pathLines = request.getAll('Path')
    let path: NameAddr[]
    try {
      path = pathLines.flatMap((line) => parseNameAddrList(line))
    } catch (error) {
      throw new Rejection('path-invalid', String(error))
    }
    if (path.length === 0) {
      notes.push('path-missing')
      if (this.opts.requirePath) throw new Rejection('path-missing')
    }
    const options = optionTags(request)
    if (path.length > 0 && !options.has('path')) notes.push('path-without-supported-path')

    const callId = request.get('Call-ID') ?? ''
    const cseq = cseqOf(request)
    const now = this.now()
    const current = this.store.of(id.impu)
    const next = new Map(current)
    const contactLines = request.getAll('Contact')
    let removedAny = false

    if (contactLines.some((line) => line.trim() === '*')) {
      // RFC 3261 §10.3 step 6: "If the request has additional Contact fields or an expiration time other than
      // zero, the request is invalid, and the server MUST return a 400 (Invalid Request)".
      const expires = request.get('Expires')?.trim()
      if (contactLines.length !== 1 || expires !== '0') throw new Rejection('star-contact-invalid')
      for (const [key, b] of current) {
        if (b.callId === callId && cseq <= b.cseq) throw new Rejection('out-of-order-cseq', `CSeq ${cseq}`)
        next.delete(key)
      }
      removedAny = true
    } else {
      let contacts: NameAddr[]
      try {
        contacts = contactLines.flatMap((line) => parseNameAddrList(line))
      } catch (error) {
        throw new Rejection('contact-invalid', String(error))
      }
      const headerExpires = parseExpires(request.get('Expires'))
      for (const contact of contacts) {
        // RFC 3261 §10.3 step 7: the expires parameter, else the Expires header field, else a local default.
        const requested = parseExpires(getParam(contact.params, 'expires')) ?? headerExpires
        let expires = Math.min(requested ?? this.opts.defaultExpires, this.opts.maxExpires)
        if (expires > 0 && expires < this.opts.minExpires) {
          throw new Rejection('interval-too-brief', `${expires} s < ${this.opts.minExpires} s`)
        }
        expires = Math.max(0, expires)
        const instance = getParam(contact.params, '+sip.instance')
        const regId = getParam(contact.params, 'reg-id')
        const key = contactKey(contact, instance, regId)
        const existing = next.get(key)
        // RFC 3261 §10.3 step 7: "If they are the same, the registrar compares the CSeq value. If the value is
        // higher than that of the existing binding, it MUST update or remove the binding as above. If not, the
        // update MUST be aborted and the request fails."
        if (existing && existing.callId === callId && cseq <= existing.cseq) {
          throw new Rejection('out-of-order-cseq', `CSeq ${cseq} <= ${existing.cseq}`)
        }
        if (expires === 0) {
          next.delete(key)
          removedAny = true
          continue
        }
        next.set(key, {
          aor: id.impu,
          impi: id.impi,
          implicitSet: id.subscriber.impus.map(canonicalImpu),
          contact,
          contactUri: contact.uri.raw,
          instance,
          regId,
          path,
          pathLines,
          callId,
          cseq,
          expires,
          expiresAt: now + expires * 1000,
          registeredAt: existing?.registeredAt ?? now,
          authenticatedBy: by,
          source,
        })
      }
    }
    // The whole request is accepted or refused: bindings change only once every contact passed.
    this.store.replace(id.impu, next)

    // RFC 3261 §10.3 step 8: "The response MUST contain Contact header field values enumerating all current
    // bindings. Each Contact value MUST feature an 'expires' parameter indicating its expiration interval chosen
    // by the registrar."
    const response = createResponse(request, 200)
    for (const b of next.values()) {
      const remaining = Math.max(0, Math.ceil((b.expiresAt - now) / 1000))
      response.append('Contact', contactWithExpires(b.contact, remaining))
    }
    // RFC 3327 §5.3: the registrar stores the Path and returns it in the 200 (OK) to a UA that indicated support
    // for Path; RFC 3261 §8.2.4: a UAS "MUST NOT" apply an extension the request did not list in Supported.
    if (options.has('path')) for (const line of pathLines) response.append('Path', line)
    // RFC 3608 §6 / TS 24.229 §5.4.1.2.2: the S-CSCF's own URI with an indication of originating handling.
    response.append('Service-Route', `<${this.serviceRoute}>`)
    // RFC 7315 §4.1 / TS 24.229 §5.4.1.2.2: the registered IMPU's implicit set, default IMPU first.
    response.append('P-Associated-URI', id.subscriber.impus.map((u) => `<${u}>`).join(', '))
    // TS 24.229 §5.4.1.2.2: the S-CSCF includes P-Charging-Function-Addresses (and the P-Charging-Vector with its
    // term-ioi) in the 200 (OK). They are network-internal: the eP-CSCF removes them toward the WIC (R21).
    const chargingVector = request.get('P-Charging-Vector')
    if (chargingVector !== undefined)
      response.append('P-Charging-Vector', `${chargingVector};term-ioi=${this.realm}`)
    response.append('P-Charging-Function-Addresses', `ccf=ccf.${this.realm}`)
    response.updateContentLength()

    const result: RegisterResult =
      contactLines.length === 0 ? 'queried' : next.size === 0 && removedAny ? 'deregistered' : 'registered'
    return { result, response }
  }
}

function checkAlgorithms(algorithms: readonly DigestAlgorithm[]): readonly DigestAlgorithm[] {
  if (algorithms.length === 0) throw new Error('the registrar needs at least one digest algorithm')
  return [...algorithms]
}

/** Option tags of Supported and Require (RFC 3261 §20.32, §20.37), lower-cased. */
function optionTags(request: SipRequest): Set<string> {
  const lines = [...request.getAll('Supported'), ...request.getAll('Require')]
  return new Set(lines.flatMap((l) => l.split(',')).map((t) => t.trim().toLowerCase()))
}

/** delta-seconds (RFC 3261 §20.19); a value too large for 32 bits is taken as 2^32-1, as §20.19 allows. */
function parseExpires(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const t = text.trim()
  if (!/^\d+$/.test(t)) throw new Rejection('expires-invalid', `"${text}"`)
  return Math.min(Number(t), 4294967295)
}

function contactWithExpires(contact: NameAddr, expires: number): string {
  const params: Param[] = contact.params.filter((p) => p.name.toLowerCase() !== 'expires')
  params.push({ name: 'expires', value: String(expires), quoted: false })
  const display = contact.displayName ? `"${contact.displayName.replace(/^"|"$/g, '')}" ` : ''
  return `${display}<${contact.uri.raw}>${formatParams(params)}`
}

/** Request-URI vs digest uri: equal as written, or with equal scheme, user, host and port (RFC 3261 §19.1.4). */
function sameUri(a: string, b: string): boolean {
  if (a.trim() === b.trim()) return true
  try {
    const [x, y] = [parseUri(a.trim()), parseUri(b.trim())]
    return (
      x.scheme.toLowerCase() === y.scheme.toLowerCase() &&
      x.user === y.user &&
      x.host.toLowerCase() === y.host.toLowerCase() &&
      x.port === y.port &&
      x.opaque === y.opaque
    )
  } catch {
    return false
  }
}

function cseqOf(request: SipRequest): number {
  try {
    return parseCSeq(request.get('CSeq') ?? '').seq
  } catch (error) {
    throw new Rejection('missing-header', `CSeq: ${String(error)}`)
  }
}
