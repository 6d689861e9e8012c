import { Then, When } from '@cucumber/cucumber'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  checkEdgeSurvived,
  checkFragmentedProcessed,
  checkFrameAttackAnswered,
  checkTortureAnswered,
  type FrameAttack,
  type FrameAttackOutcome,
  type SurvivalOutcome,
} from '../support/checks/robustness-checks.ts'
import {
  checkWicHeaderNotOnMw,
  isWicPHeader,
  WIC_WRITTEN,
  type WicPHeader,
  type WrittenHeaderOutcome,
} from '../support/checks/security-checks.ts'
import {
  checkCertificateStrength,
  checkNoPlainSipWebSocket,
  checkWeakSuitesRefused,
  describeScan,
  isWeakSuiteFamily,
  WEAK_SUITES,
  type SurfaceScan,
  type WeakSuiteFamily,
  type WeakSuiteOutcome,
} from '../support/checks/exposure-checks.ts'
import { HarnessError, ProfileError, ScenarioMisuse, SutDied } from '../support/errors.ts'
import { OPCODE, RawWebSocket } from '../support/wic/raw-frames.ts'
import { presentedCertificate, type PresentedCertificate } from '../support/probe/certificate.ts'
import { portRange, scanPlainWebSocket } from '../support/probe/port-scan.ts'
import { offerTls12Suites } from '../support/probe/tls-offer.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

/** The SA3 attack matrix (issue 9): the W2 surface (§4), P-headers a WIC writes (§6). */

/** What the harness found on the W2 host, per scenario. */
const scans = new WeakMap<HarnessWorld, SurfaceScan>()
const certificates = new WeakMap<HarnessWorld, PresentedCertificate>()
const weakOffers = new WeakMap<HarnessWorld, WeakSuiteOutcome>()

When(
  'a WIC offering only TLS 1.2 cipher suites {string} opens a connection to the eP-CSCF',
  async function (this: HarnessWorld, family: string) {
    const outcome = await this.guard(offerWeakSuites(this, suiteFamily(family)))
    if (outcome === undefined)
      return this.notApplicable(`this harness's OpenSSL cannot offer a suite ${family}`)
    weakOffers.set(this, outcome)
    return undefined
  },
)

Then('the eP-CSCF refuses that TLS handshake', function (this: HarnessWorld) {
  checkWeakSuitesRefused(weakOffers.get(this))
})

When(
  "the harness asks every probed port of the eP-CSCF's WIC-facing host for a plain-text SIP WebSocket",
  async function (this: HarnessWorld) {
    scans.set(this, await this.guard(scanW2Host(this)))
  },
)

Then(
  "no port of the eP-CSCF's WIC-facing host opens a plain-text SIP WebSocket",
  function (this: HarnessWorld) {
    this.attach(describeScan(scans.get(this) as SurfaceScan), {
      mediaType: 'text/plain',
      fileName: 'w2-surface.txt',
    })
    checkNoPlainSipWebSocket(scans.get(this))
  },
)

When('a WIC inspects the certificate the eP-CSCF presents on W2', async function (this: HarnessWorld) {
  const { host, serverName } = this.env.profile.epcscf.wss
  const timeoutMs = this.env.profile.waitMs
  certificates.set(
    this,
    await this.guard(
      presentedCertificate({ host, port: this.env.ports.wss, servername: serverName, timeoutMs }),
    ),
  )
})

Then("the eP-CSCF's certificate is reported, a weak one with a warning", function (this: HarnessWorld) {
  const report = checkCertificateStrength(certificates.get(this))
  this.attach(report, { mediaType: 'text/plain', fileName: 'w2-certificate.txt' })
})

When(
  '{actor} registers with IMS digest writing her/his own {string}',
  async function (this: HarnessWorld, actor: ActorName, header: string) {
    const extraHeaders: [string, string][] = [[pHeader(header), WIC_WRITTEN[pHeader(header)]]]
    await this.register(actor, (wic) => wic.register({ extraHeaders }))
  },
)

When(
  '{actor} sends a MESSAGE to {actor} writing her/his own {string}',
  async function (this: HarnessWorld, from: ActorName, to: ActorName, header: string) {
    const headers: [string, string][] = [[pHeader(header), WIC_WRITTEN[pHeader(header)]]]
    await this.originate(from, 'MESSAGE', to, { headers })
  },
)

Then(
  "no REGISTER of {actor}'s reached the S-CSCF with her/his own {string}",
  function (this: HarnessWorld, actor: ActorName, header: string) {
    checkWicHeaderNotOnMw(registerOutcome(this, actor, pHeader(header)))
  },
)

Then(
  "{actor}'s MESSAGE reached the S-CSCF without her/his own {string}",
  function (this: HarnessWorld, actor: ActorName, header: string) {
    checkWicHeaderNotOnMw(requestOutcome(this, actor, pHeader(header)))
  },
)

function pHeader(name: string): WicPHeader {
  if (!isWicPHeader(name)) throw new ScenarioMisuse(`"${name}" is not a P-header the WIC writes here`)
  return name
}

function registerOutcome(world: HarnessWorld, actor: ActorName, header: WicPHeader): WrittenHeaderOutcome {
  const finalStatus = world.lastRegistration(actor).final.status
  return { header, kind: 'register', finalStatus, atMw: world.forwardedRegisters(actor) }
}

function requestOutcome(world: HarnessWorld, actor: ActorName, header: WicPHeader): WrittenHeaderOutcome {
  const { request, response } = world.lastOriginated(actor)
  const atMw = world.atScscf('MESSAGE', request.get('Call-ID'))
  return { header, kind: 'request', finalStatus: response.status, atMw }
}

/**
 * The ports of the W2 host to probe: the profile's `epcscf.exposure.scanPorts` (default the worker's WSS port ±50),
 * always with the WSS and Mw ports; the harness's own listeners (mock S-CSCF, WWSF) are left out.
 */
function scanW2Host(world: HarnessWorld): Promise<SurfaceScan> {
  const { profile, ports, wwsf } = world.env
  const span = profile.epcscf.exposure.scanPorts ?? `${ports.wss - 50}-${ports.wss + 50}`
  const listed = portRange(span).filter((p) => p > 0 && p < 65536)
  if (listed.length === 0) throw new ProfileError(`epcscf.exposure.scanPorts: "${span}" names no port`)
  const own = [ports.scscf, wwsf?.server.port ?? ports.wwsf].filter((p) => p > 0)
  const wanted = [...new Set([...listed, ports.wss, ports.mw])]
  const host = profile.epcscf.wss.host
  const perPortMs = Math.min(profile.waitMs, 2000)
  const origin = profile.epcscf.origin.allowed[0]
  return scanPlainWebSocket({
    host,
    ports: wanted.filter((p) => !own.includes(p)),
    path: profile.epcscf.wss.path,
    origin,
    perPortMs,
  }).then((answers) => ({
    host,
    span: `${span}, WSS ${ports.wss} and Mw ${ports.mw}`,
    skipped: own,
    answers,
  }))
}

function suiteFamily(name: string): WeakSuiteFamily {
  if (!isWeakSuiteFamily(name)) throw new ScenarioMisuse(`"${name}" is not a family of weak TLS suites`)
  return name
}

/** Offers only the family's suites over TLS 1.2; undefined when this process can offer none of them. */
async function offerWeakSuites(
  world: HarnessWorld,
  family: WeakSuiteFamily,
): Promise<WeakSuiteOutcome | undefined> {
  const { host, serverName } = world.env.profile.epcscf.wss
  const offer = await offerTls12Suites({
    host,
    port: world.env.ports.wss,
    servername: serverName,
    suites: WEAK_SUITES[family].suites,
    timeoutMs: world.env.profile.waitMs,
  })
  if (offer.outcome === 'unavailable') return undefined
  const accepted = offer.outcome === 'accepted' ? offer.cipher : undefined
  return { family, offered: offer.offered, accepted, detail: offer.outcome === 'refused' ? offer.detail : '' }
}

// ---- §5: a WebSocket edge that survives hostile clients (RFC 6455, RFC 7118 §5, RFC 4475) ----------------------

/** The hostile WIC's raw WebSocket, what it sent, and what came back, per scenario. */
const hostile = new WeakMap<HarnessWorld, HostileSent>()

When(
  'a hostile WIC sends a REGISTER for {actor} in three WebSocket frames',
  async function (this: HarnessWorld, actor: ActorName) {
    hostile.set(this, await sendFragmentedRegister(this, actor))
  },
)

Then('the eP-CSCF answers the fragmented REGISTER', function (this: HarnessWorld) {
  const sent = hostile.get(this)
  checkFragmentedProcessed(sent?.answer, sent?.callId ?? '', this.env.profile.waitMs)
})

When(
  /^a hostile WIC sends (an unmasked frame|invalid UTF-8|an oversized message) on its WebSocket$/,
  async function (this: HarnessWorld, what: string) {
    const attack = what.replace(/^an? /, '') as FrameAttack
    const raw = await openHostile(this, attack)
    hostile.set(this, { raw, after: attack, attack: await frameAttack(this, raw, attack) })
  },
)

Then('the eP-CSCF fails that WebSocket connection as RFC 6455 prescribes', function (this: HarnessWorld) {
  checkFrameAttackAnswered(hostile.get(this)?.attack)
})

When(
  'a hostile WIC sends the RFC 4475 message {string} on its WebSocket',
  async function (this: HarnessWorld, file: string) {
    hostile.set(this, await sendTorture(this, file))
  },
)

Then(
  'the eP-CSCF answers the message {string} with 400 or drops it',
  function (this: HarnessWorld, file: string) {
    checkTortureAnswered(file, hostile.get(this)?.answer)
  },
)

Then(
  "{actor}'s WIC, connecting afresh, still registers",
  async function (this: HarnessWorld, actor: ActorName) {
    checkEdgeSurvived(await freshRegistration(this, actor, hostile.get(this)?.after ?? 'hostile input'))
  },
)

type HostileSent = {
  raw: RawWebSocket
  callId?: string
  attack?: FrameAttackOutcome
  after: string
  answer?: string
}

/** A REGISTER for the actor split over a text frame and two continuation frames; the answer, if any. */
async function sendFragmentedRegister(world: HarnessWorld, actor: ActorName): Promise<HostileSent> {
  const raw = await openHostile(world, 'fragmented REGISTER')
  const { text, callId } = hostileRegister(world, actor)
  sendInFrames(raw, Buffer.from(text), 3)
  return { raw, callId, after: 'fragmented REGISTER', ...(await answerOf(raw, world.env.profile.waitMs)) }
}

/** An RFC 4475 fixture as one text message; the answer, if any. */
async function sendTorture(world: HarnessWorld, file: string): Promise<HostileSent> {
  const raw = await openHostile(world, `RFC 4475 ${file}`)
  raw.sendFrame({ opcode: OPCODE.text, payload: tortureMessage(file) }, `RFC 4475 ${file}`)
  return { raw, after: `RFC 4475 message ${file}`, ...(await answerOf(raw, world.env.profile.waitMs)) }
}

/** A raw WSS connection from the authorized origin, closed at teardown. */
async function openHostile(world: HarnessWorld, what: string): Promise<RawWebSocket> {
  const { wss, origin } = world.env.profile.epcscf
  const raw = await world.guard(
    RawWebSocket.open({
      host: wss.host,
      port: world.env.ports.wss,
      path: wss.path,
      servername: wss.serverName,
      ca: world.env.caPem,
      origin: origin.allowed[0],
      timeoutMs: world.env.profile.waitMs,
      trace: world.env.trace,
    }),
  )
  world.teardown.defer(`close the hostile WebSocket (${what})`, () => raw.close())
  return raw
}

async function answerOf(raw: RawWebSocket, waitMs: number): Promise<{ answer?: string }> {
  const answer = await raw.nextMessage(waitMs)
  return answer === undefined ? {} : { answer }
}

/** A REGISTER as a WIC writes it (RFC 7118 §5.2 Via, RFC 5626 Contact), without credentials. */
function hostileRegister(world: HarnessWorld, actor: ActorName): { text: string; callId: string } {
  const { impu } = world.subscriber(actor)
  const id = randomBytes(8).toString('hex')
  const lines = [
    `REGISTER sip:${world.env.profile.domain} SIP/2.0`,
    `Via: SIP/2.0/WSS ${id}.invalid;branch=z9hG4bK${id};rport`,
    'Max-Forwards: 70',
    `From: <${impu}>;tag=${id}`,
    `To: <${impu}>`,
    `Call-ID: ${id}@hostile.invalid`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${id}@${id}.invalid;transport=ws>;expires=600`,
    'Expires: 600',
    'Content-Length: 0',
  ]
  return { text: `${lines.join('\r\n')}\r\n\r\n`, callId: `${id}@hostile.invalid` }
}

/** `text` as one text frame and `count - 1` continuation frames, the last with FIN (RFC 6455 §5.4). */
function sendInFrames(raw: RawWebSocket, text: Buffer, count: number): void {
  const size = Math.ceil(text.length / count)
  for (let i = 0; i < count; i++) {
    const payload = text.subarray(i * size, (i + 1) * size)
    const opcode = i === 0 ? OPCODE.text : OPCODE.continuation
    raw.sendFrame({ opcode, payload, fin: i === count - 1 }, `fragment ${i + 1} of ${count}`)
  }
}

const ONE_MIB = 1024 * 1024

/** Sends the attack and watches the connection for waitMs. */
async function frameAttack(
  world: HarnessWorld,
  raw: RawWebSocket,
  attack: FrameAttack,
): Promise<FrameAttackOutcome> {
  const options = `OPTIONS sip:${world.env.profile.domain} SIP/2.0\r\nContent-Length: 0\r\n\r\n`
  if (attack === 'unmasked frame')
    raw.sendFrame({ opcode: OPCODE.text, payload: Buffer.from(options), mask: false }, 'unmasked text frame')
  else if (attack === 'invalid UTF-8')
    raw.sendFrame(
      {
        opcode: OPCODE.text,
        payload: Buffer.concat([Buffer.from(options.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff])]),
      },
      'text frame with invalid UTF-8',
    )
  else
    raw.sendFrame(
      { opcode: OPCODE.text, payload: Buffer.alloc(ONE_MIB + 1, 0x41) },
      'text message of 1 MiB + 1 byte',
    )
  const waitedMs = world.env.profile.waitMs
  const answered = await raw.nextMessage(waitedMs)
  const close = await raw.awaitClose(answered === undefined ? 0 : waitedMs)
  return { attack, close, answered: answered?.split('\r\n')[0], waitedMs }
}

function tortureMessage(file: string): Buffer {
  if (!/^[a-z0-9]+$/.test(file)) throw new ScenarioMisuse(`"${file}" is not an RFC 4475 fixture name`)
  return readFileSync(new URL(`../test/fixtures/rfc4475/${file}.dat`, import.meta.url))
}

/** The actor's fresh WIC connects and registers; any failure to do so is the outcome, not an error. */
async function freshRegistration(
  world: HarnessWorld,
  actor: ActorName,
  after: string,
): Promise<SurvivalOutcome> {
  try {
    const wic = await world.connect(actor, world.env.profile.epcscf.origin.allowed[0])
    const outcome = await world.register(actor, () => wic.register())
    return { after, status: outcome.final.status, error: undefined }
  } catch (error) {
    if (
      error instanceof HarnessError &&
      (error.side === 'harness' || error.side === 'environment') &&
      !(error instanceof SutDied)
    )
      throw error
    return { after, status: undefined, error: error instanceof Error ? error.message : String(error) }
  }
}
