import { World, type IWorldOptions } from '@cucumber/cucumber'
import {
  HarnessError,
  InconclusiveError,
  PreconditionFailed,
  ProfileError,
  ScenarioMisuse,
  SutDied,
  SutUnreachable,
  SutProtocolError,
  OversizeMessage,
  TlsHandshakeFailed,
} from '../errors.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import { Wic, WicConnectError } from '../wic/wic.ts'
import { initialDigestAuthorization } from '../wic/digest-responder.ts'
import type { RegistrationOutcome } from '../wic/wic.ts'
import type { TerminatingTransaction } from '../scscf/mock-scscf.ts'
import type { HarnessEnvironment } from './harness-environment.ts'
import { currentEnvironment, type HarnessParameters } from './environment-holder.ts'
import { Teardown } from './teardown.ts'
import type { SecureVersion } from 'node:tls'
import type { TlsOutcome } from '../checks/transport-checks.ts'
import { recordFinding } from '../checks/findings.ts'
import { loginAtWwsf } from '../wwsf/wwsf-client.ts'
import type { HostileToken } from '../wwsf/signing-keys.ts'
import type { WwsfEndpoint } from './harness-environment.ts'

/** The cast: a name in a scenario and the subscriber (by position in the profile) it plays. */
const CAST = ['Alice', 'Bob', 'Carol'] as const
export type ActorName = (typeof CAST)[number]

export interface HandshakeOutcome {
  readonly ok: boolean
  readonly status: number | undefined
  /** The subprotocol the server selected (also from a 101 the WIC rejected), '' or undefined when none. */
  readonly protocol: string | undefined
  readonly error: HarnessError | undefined
  /** The probe WIC on the open WebSocket (`ok`), closed at teardown. */
  readonly wic?: Wic
}

const TLS_ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

/**
 * One scenario's state: the WICs by actor name, their registration outcomes, the teardown stack and the trace
 * mark. Protocol behaviour lives in support/wic, support/scscf and support/epcscf; the World only holds state and
 * turns the environment's health into the verdict: when the SUT has died, any failure is an environment error.
 */
export class HarnessWorld extends World<HarnessParameters> {
  readonly teardown = new Teardown()
  readonly wics = new Map<ActorName, Wic>()
  readonly registrations = new Map<ActorName, RegistrationOutcome[]>()
  traceMark = 0
  /** The first error of the scenario (set by the hooks), from which its verdict is decided. */
  failure: unknown = undefined
  handshake: HandshakeOutcome | undefined
  tls: TlsOutcome | undefined
  /** The last request each actor originated, and the eP-CSCF's final response to it. */
  readonly originated = new Map<ActorName, { request: SipRequest; response: SipResponse }>()
  /** The last terminating request the mock S-CSCF sent toward each actor. */
  readonly terminating = new Map<ActorName, TerminatingTransaction>()
  /** The token each actor got from the WWSF at login (W1). */
  readonly tokens = new Map<ActorName, string>()

  constructor(options: IWorldOptions<HarnessParameters>) {
    super(options)
  }

  get env(): HarnessEnvironment {
    return currentEnvironment()
  }

  subscriber(actor: ActorName): { impi: string; impu: string; password: string } {
    const index = CAST.indexOf(actor)
    const subscriber = this.env.profile.subscribers[index]
    const impu = subscriber?.impus[0]
    if (subscriber === undefined || impu === undefined)
      throw new ProfileError(`subscribers[${index}]: the profile has no subscriber to play ${actor}`)
    return { impi: subscriber.impi, impu, password: subscriber.password }
  }

  /**
   * Connects the actor's WIC over WSS (W2) from `origin` (undefined: no Origin header). `instance` names a further
   * WIC of the same actor (its trace name, e.g. `alice-2`) and may give its +sip.instance; it becomes the actor's WIC.
   */
  async connect(
    actor: ActorName,
    origin: string | undefined,
    protocols = ['sip'],
    instance: { name?: string; instanceId?: string } = {},
  ): Promise<Wic> {
    const env = this.env
    const wic = await this.guard(
      Wic.connect({
        name: instance.name ?? actor.toLowerCase(),
        ...(instance.instanceId === undefined ? {} : { instanceId: instance.instanceId }),
        ...this.subscriber(actor),
        domain: env.profile.domain,
        url: env.wssUrl,
        origin,
        protocols,
        ca: env.caPem,
        servername: env.profile.epcscf.wss.serverName,
        minVersion: env.profile.epcscf.tls.minVersion,
        maxVersion: env.profile.epcscf.tls.maxVersion,
        timers: env.profile.timers,
        waitMs: env.profile.waitMs,
        trace: env.trace,
        preloadServiceRoute: env.profile.wic.style === 'ue',
      }),
    )
    this.wics.set(actor, wic)
    this.teardown.defer(`close WIC ${actor}`, () => wic.close())
    return wic
  }

  /** Opens a WebSocket and records whether the eP-CSCF accepted it; a refusal is an outcome, not an error. */
  async tryHandshake(origin: string | undefined, protocols = ['sip']): Promise<HandshakeOutcome> {
    const env = this.env
    const result = await this.guard(
      Wic.tryConnect({
        name: 'probe',
        ...this.subscriber('Alice'),
        url: env.wssUrl,
        origin,
        protocols,
        ca: env.caPem,
        servername: env.profile.epcscf.wss.serverName,
        waitMs: env.profile.waitMs,
        trace: env.trace,
      }),
    )
    if (result.ok) {
      const wic = result.wic
      this.teardown.defer('close probe WebSocket', () => wic.close())
      this.handshake = { ok: true, status: 101, protocol: wic.protocol, error: undefined, wic }
      return this.handshake
    }
    // No HTTP answer at all (connection refused, TLS failure): not a refusal the scenario can judge.
    if (result.status === undefined) return this.guard(Promise.reject<HandshakeOutcome>(result.error))
    const selected =
      result.error instanceof WicConnectError
        ? result.error.responseHeaders?.['sec-websocket-protocol']
        : undefined
    this.handshake = {
      ok: false,
      status: result.status,
      protocol: Array.isArray(selected) ? selected.join(', ') : selected,
      error: result.error,
    }
    return this.handshake
  }

  /**
   * Opens a WSS connection from the authorized origin offering only `versions` (a contiguous range of TLS versions),
   * validating the eP-CSCF's certificate against the profile's CA. A failed TLS handshake is the outcome judged
   * here; a failure before TLS (no TCP connection) or a deadline is an error, as in `tryHandshake`.
   */
  async tryTls(versions: readonly SecureVersion[]): Promise<TlsOutcome> {
    const env = this.env
    const sorted = [...versions].sort((a, b) => TLS_ORDER.indexOf(a) - TLS_ORDER.indexOf(b))
    const minVersion = sorted[0]
    const maxVersion = sorted.at(-1)
    if (minVersion === undefined || maxVersion === undefined)
      throw new ScenarioMisuse('tryTls needs at least one TLS version to offer')
    // OpenSSL 3 refuses to offer TLS 1.0/1.1 (their cipher suites use SHA-1) above security level 0.
    const legacy = TLS_ORDER.indexOf(minVersion) < TLS_ORDER.indexOf('TLSv1.2')
    const result = await this.guard(
      Wic.tryConnect({
        name: 'tls-probe',
        ...this.subscriber('Alice'),
        url: env.wssUrl,
        origin: env.profile.epcscf.origin.allowed[0],
        ca: env.caPem,
        servername: env.profile.epcscf.wss.serverName,
        minVersion,
        maxVersion,
        ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
        waitMs: env.profile.waitMs,
        trace: env.trace,
      }),
    )
    if (result.ok) {
      const wic = result.wic
      this.teardown.defer('close TLS probe WebSocket', () => wic.close())
      this.tls = { offered: sorted, stage: 'connected', status: 101, error: undefined }
      return this.tls
    }
    if (result.status !== undefined) {
      this.tls = { offered: sorted, stage: 'upgrade-refused', status: result.status, error: result.error }
      return this.tls
    }
    // The WSS client names the stage that failed (support/transport/wss-client.ts): only a TLS-stage failure is
    // the eP-CSCF refusing the offered versions; a TCP failure or a deadline is not something to judge.
    if (!(result.error instanceof TlsHandshakeFailed))
      return this.guard(Promise.reject<TlsOutcome>(result.error))
    this.tls = { offered: sorted, stage: 'tls-refused', status: undefined, error: result.error }
    return this.tls
  }

  /** The mock WWSF, or a profile error when the profile disables it. */
  get wwsf(): WwsfEndpoint {
    const wwsf = this.env.wwsf
    if (wwsf === undefined)
      throw new ProfileError('wwsf.enabled: token scenarios need the WWSF (enabled: true)')
    return wwsf
  }

  /** The actor logs in at the WWSF with the subscriber's password (W1); the token is kept on 200. */
  async login(actor: ActorName): Promise<number> {
    const { impi, password } = this.subscriber(actor)
    const wwsf = this.wwsf
    const { status, result } = await loginAtWwsf({
      url: wwsf.server.url,
      user: impi,
      password,
      ca: wwsf.caPem,
      timeoutMs: this.env.profile.waitMs,
    })
    if (result !== undefined) this.tokens.set(actor, result.access_token)
    return status
  }

  token(actor: ActorName): string {
    const token = this.tokens.get(actor)
    if (token === undefined)
      throw new ScenarioMisuse(`${actor} has no token: a step must log in at the WWSF first`)
    return token
  }

  /** A token for the actor made wrong in one way, by the WWSF's own key unless the defect is the key. */
  hostileToken(actor: ActorName, kind: HostileToken, other?: ActorName): Promise<string> {
    const subject = (name: ActorName) => ({
      impi: this.subscriber(name).impi,
      impus: this.env.profile.subscribers[CAST.indexOf(name)]?.impus ?? [],
    })
    const { server } = this.wwsf
    return server.keys.mintHostile(kind, server.tokenProfile, subject(actor), other && subject(other))
  }

  /** The actor's WIC registers with `token` as Bearer credentials, carried as the profile says. */
  registerWithToken(
    actor: ActorName,
    token: string,
    integrityProtected?: string,
  ): Promise<RegistrationOutcome> {
    const { carriage, impi } = this.env.profile.wwsf
    const { domain } = this.env.profile
    // Profile wwsf.impi: the IMPI only in the token, or also as a Digest username beside the Bearer.
    const withImpi: [string, string][] =
      impi === 'digest-username'
        ? [
            [
              'Authorization',
              initialDigestAuthorization({
                username: this.subscriber(actor).impi,
                realm: domain,
                uri: `sip:${domain}`,
              }),
            ],
          ]
        : []
    return this.register(actor, (wic) =>
      wic.register({
        authorization: { bearer: token, carriage },
        extraHeaders: withImpi,
        ...(integrityProtected === undefined ? {} : { integrityProtected }),
      }),
    )
  }

  wic(actor: ActorName): Wic {
    const wic = this.wics.get(actor)
    if (wic === undefined) throw new ScenarioMisuse(`${actor} has no WIC yet: a step must connect it first`)
    return wic
  }

  async register(
    actor: ActorName,
    action: (wic: Wic) => Promise<RegistrationOutcome>,
  ): Promise<RegistrationOutcome> {
    const wic = this.wic(actor)
    const outcome = await this.guard(action(wic))
    this.registrations.set(actor, [...(this.registrations.get(actor) ?? []), outcome])
    if (outcome.final.status >= 200 && outcome.final.status < 300 && wic.state === 'registered')
      this.teardown.defer(`de-register ${actor}`, async () => {
        if (!wic.closed && wic.state === 'registered') await wic.deregister()
      })
    return outcome
  }

  /**
   * The actor's WIC originates `method` to `target` (out of dialog) and awaits the eP-CSCF's final response. The
   * WIC preloads its Service-Route unless `route` says what to preload (`[]`: none); `from` puts another actor's
   * IMPU in From (an impersonation attempt).
   */
  async originate(
    actor: ActorName,
    method: string,
    target: ActorName,
    options: { headers?: [string, string][]; route?: readonly string[]; from?: ActorName } = {},
  ): Promise<SipResponse> {
    const wic = this.wic(actor)
    const request = wic.createRequest(method, this.subscriber(target).impu, {
      body: 'harness',
      contentType: 'text/plain',
      headers: options.headers ?? [],
      ...(options.route === undefined ? {} : { route: options.route }),
      ...(options.from === undefined ? {} : { from: `<${this.subscriber(options.from).impu}>` }),
    })
    const response = await this.guard(wic.request(request))
    this.originated.set(actor, { request, response })
    return response
  }

  lastOriginated(actor: ActorName): { request: SipRequest; response: SipResponse } {
    const sent = this.originated.get(actor)
    if (sent === undefined) throw new ScenarioMisuse(`${actor} has not originated a request in this scenario`)
    return sent
  }

  /** The requests with this method and Call-ID that reached the mock S-CSCF in this scenario. */
  atScscf(method: string, callId?: string): SipRequest[] {
    return this.env.scscf.received
      .map((entry) => entry.request)
      .filter((r) => r.method === method && (callId === undefined || r.get('Call-ID') === callId))
  }

  lastRegistration(actor: ActorName): RegistrationOutcome {
    const outcome = this.registrations.get(actor)?.at(-1)
    if (outcome === undefined) throw new ScenarioMisuse(`${actor} has not registered in this scenario`)
    return outcome
  }

  /** The REGISTERs the actor's WIC sent in this scenario, in order, as built. */
  sentRegisters(actor: ActorName): SipRequest[] {
    return (this.registrations.get(actor) ?? []).flatMap((outcome) => outcome.requests)
  }

  /** The REGISTERs of the actor's registration that reached the mock S-CSCF in this scenario (same Call-ID). */
  forwardedRegisters(actor: ActorName): SipRequest[] {
    const callIds = new Set(this.sentRegisters(actor).map((r) => r.get('Call-ID')))
    return this.env.scscf.received
      .map((entry) => entry.request)
      .filter((r) => r.method === 'REGISTER' && callIds.has(r.get('Call-ID')))
  }

  /** Responses the mock S-CSCF sent to the actor's REGISTERs, in order. */
  scscfResponses(actor: ActorName): SipResponse[] {
    const callIds = new Set(this.sentRegisters(actor).map((r) => r.get('Call-ID')))
    return this.env.scscf.sentResponses.filter((r) => callIds.has(r.get('Call-ID')))
  }

  /**
   * A precondition (a `Given`): whatever makes `action` fail, the scenario's own requirement was not exercised, so
   * the verdict is INCONCLUSIVE (the cause, e.g. a ConformanceFailure of the registration, is kept and shown).
   * Environment and harness errors keep their side.
   */
  async precondition<T>(what: string, action: () => Promise<T> | T): Promise<T> {
    try {
      return await action()
    } catch (error) {
      if (error instanceof HarnessError && (error.side === 'environment' || error.side === 'harness'))
        throw error
      const detail = error instanceof Error ? error.message : String(error)
      throw new PreconditionFailed(`precondition "${what}" not met: ${detail}`, { cause: error })
    }
  }

  /** The scenario does not apply to this profile: records N/A with the reason; the step returns 'skipped'. */
  notApplicable(reason: string): 'skipped' {
    recordFinding({ kind: 'N/A', message: reason })
    return 'skipped'
  }

  /**
   * Awaits a harness action; if it fails while the SUT has died, the failure is the environment's, and says so
   * (a killed eP-CSCF is not a conformance failure; an external one that stopped answering is SUT_UNREACHABLE).
   * A transport-level failure that follows a protocol violation of the SUT on a WIC's flow (a message over the
   * size limit, cut) is that violation.
   */
  async guard<T>(action: Promise<T>): Promise<T> {
    try {
      return await action
    } catch (error) {
      const violation = this.violationBehind(error)
      if (violation !== undefined) throw violation
      const notice = await this.deathNoticeAfter(error)
      if (notice !== undefined && this.env.sut.kind === 'external')
        throw new SutUnreachable(notice, { cause: error })
      if (notice !== undefined) throw new SutDied(notice, { cause: error })
      throw error
    }
  }

  /** The first protocol violation on a WIC's flow, as the error of an inconclusive failure it explains. */
  private violationBehind(error: unknown): SutProtocolError | undefined {
    if (!(error instanceof InconclusiveError)) return undefined
    for (const wic of this.wics.values()) {
      const violation = wic.flow.violation
      if (violation === undefined) continue
      const message = `${violation.message.replace(/^[A-Z_]+: /, '')}; then: ${error.message}`
      return violation instanceof OversizeMessage
        ? new OversizeMessage(message, {
            cause: error,
            ...(violation.bytes === undefined ? {} : { bytes: violation.bytes }),
            ...(violation.limit === undefined ? {} : { limit: violation.limit }),
          })
        : violation
    }
    return undefined
  }

  /**
   * The SUT's death notice. A lost connection often arrives a moment before the launcher hears that the process
   * or container exited, so after a transport-level failure the launcher gets up to a second to say so; an
   * external SUT is probed at once (a TLS handshake with its WSS port).
   */
  private async deathNoticeAfter(error: unknown): Promise<string | undefined> {
    const sut = this.env.sut
    // Silence, a closed connection, a refused one: what a dead SUT looks like from the outside.
    const transportLevel = error instanceof InconclusiveError
    if (transportLevel && sut.probe !== undefined) return sut.probe()
    for (let waited = 0; transportLevel && sut.deathNotice() === undefined && waited < 1000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50))
    return sut.deathNotice()
  }
}
