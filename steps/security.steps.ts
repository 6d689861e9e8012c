import { Then, When } from '@cucumber/cucumber'
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
import { ProfileError, ScenarioMisuse } from '../support/errors.ts'
import { presentedCertificate, type PresentedCertificate } from '../support/probe/certificate.ts'
import { portRange, scanPlainWebSocket } from '../support/probe/port-scan.ts'
import { offerTls12Suites } from '../support/probe/tls-offer.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

/**
 * The SA3 attack matrix (issue 9): the W2 surface (§4), P-headers a WIC writes (§6). The hostile WebSocket clients
 * (§5) are in websocket-robustness.steps.ts.
 */

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
