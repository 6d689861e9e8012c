import { join } from 'node:path'
import { BrowserWic } from '../browser/browser-wic.ts'
import {
  sharedChromium,
  spkiPin,
  verifiedServerCertificate,
  type ChromiumDriver,
} from '../browser/chromium-driver.ts'
import { LIBRARIES, pageBundle, pageHtml, type LibraryId } from '../browser/page-bundle.ts'
import { ScenarioMisuse } from '../errors.ts'
import { HARNESS_DIR } from '../sut/sut-pki.ts'
import type { ActorName, HarnessWorld } from './harness-world.ts'

/**
 * The scenario's browser WICs (support/browser), by actor: a page of the WWSF running JsSIP or SIP.js in the
 * worker's Chromium. Kept beside the World (a WeakMap, as the call steps keep their calls), closed at teardown.
 */
const cast = new WeakMap<HarnessWorld, Map<ActorName, BrowserWic>>()

/** The worker's page bundle per library: hashed, and built or read from disk, once per worker, not per scenario. */
const bundles = new Map<LibraryId, Promise<{ file: string; code: string }>>()

function workerBundle(library: LibraryId): Promise<{ file: string; code: string }> {
  const bundle = bundles.get(library) ?? pageBundle(library, join(HARNESS_DIR, 'browser'))
  bundles.set(library, bundle)
  return bundle.catch((error: unknown) => {
    bundles.delete(library)
    throw error
  })
}

/** `JsSIP` / `SIP.js` (as a scenario names them) → the library id. */
export function libraryNamed(name: string): LibraryId {
  const found = (Object.keys(LIBRARIES) as LibraryId[]).find(
    (id) => LIBRARIES[id].name.toLowerCase() === name.toLowerCase() || id === name.toLowerCase(),
  )
  if (found === undefined)
    throw new ScenarioMisuse(
      `no browser WIC library "${name}" (known: ${Object.values(LIBRARIES)
        .map((l) => l.name)
        .join(', ')})`,
    )
  return found
}

/**
 * Opens the actor's browser WIC: the WWSF serves the library's page (bundled once), Chromium loads it from `origin`
 * (default the profile's authorized WWSF origin; any origin resolves to the WWSF), and the library starts.
 */
export async function openBrowserWic(
  world: HarnessWorld,
  actor: ActorName,
  library: LibraryId,
  origin?: string,
): Promise<BrowserWic> {
  const env = world.env
  const { server } = world.wwsf
  const bundle = await workerBundle(library)
  server.servePage(`/wic/${library}.js`, 'text/javascript; charset=utf-8', bundle.code)
  server.servePage(
    `/wic/${library}.html`,
    'text/html; charset=utf-8',
    pageHtml(library, `/wic/${library}.js`),
  )
  const driver = await world.guard(workerChromium(world))
  const { wss, origin: origins } = env.profile.epcscf
  const pageOrigin = new URL(origin ?? origins.allowed[0] ?? 'https://wwsf.harness.test:8443').origin
  const subscriber = world.subscriber(actor)
  const wic = await world.guard(
    BrowserWic.open(driver, {
      library,
      pageUrl: `${pageOrigin}/wic/${library}.html`,
      config: {
        wsUrl: `wss://${wss.serverName}:${env.ports.wss}${wss.path}`,
        impu: subscriber.impu,
        impi: subscriber.impi,
        password: subscriber.password,
        domain: env.profile.domain,
      },
      observer: `WIC ${actor.toLowerCase()} (${LIBRARIES[library].name} in Chromium ${driver.version})`,
      trace: env.trace,
      wss: { host: wss.host, port: env.ports.wss },
      waitMs: env.profile.waitMs,
    }),
  )
  const wics = cast.get(world) ?? new Map<ActorName, BrowserWic>()
  cast.set(world, wics.set(actor, wic))
  world.teardown.defer(`close ${actor}'s browser WIC`, () => wic.close())
  return wic
}

export function browserWic(world: HarnessWorld, actor: ActorName): BrowserWic {
  const wic = cast.get(world)?.get(actor)
  if (wic === undefined)
    throw new ScenarioMisuse(`${actor} has no browser WIC: a step must open its page first`)
  return wic
}

/** The consoles of the scenario's browser WICs (the library logs), for the report; '' when there were none. */
export function browserConsoles(world: HarnessWorld): string {
  const wics = [...(cast.get(world)?.entries() ?? [])]
  return wics
    .map(([actor, wic]) => `=== ${actor}: ${wic.library} in Chromium ===\n${wic.console.join('\n')}`)
    .join('\n\n')
}

let pins: Promise<string[]> | undefined

/**
 * The worker's Chromium: host-resolver rules send the authorized origins, any other `*.harness.test` page origin
 * and the eP-CSCF's name to the harness's addresses; the keys pinned are those of the certificates the eP-CSCF and
 * the WWSF serve, each verified here against the CA the harness trusts.
 */
async function workerChromium(world: HarnessWorld): Promise<ChromiumDriver> {
  const env = world.env
  const { server, caPem: wwsfCa } = world.wwsf
  const { wss, origin } = env.profile.epcscf
  const wwsfAt = `${server.host}:${server.port}`
  pins ??= Promise.all([
    verifiedServerCertificate({
      host: wss.host,
      port: env.ports.wss,
      servername: wss.serverName,
      caPem: env.caPem,
      timeoutMs: env.profile.waitMs,
    }),
    verifiedServerCertificate({
      host: server.host,
      port: server.port,
      servername: 'localhost',
      caPem: wwsfCa,
      timeoutMs: env.profile.waitMs,
    }),
  ]).then((certs) => [...new Set(certs.map(spkiPin))])
  const spkiPins = await pins.catch((error: unknown) => {
    pins = undefined
    throw error
  })
  return sharedChromium({
    executablePath: process.env.HARNESS_CHROMIUM || env.profile.browser.executablePath,
    hostRules: [
      ...origin.allowed.map((o) => [new URL(o).host, wwsfAt] as const),
      [wss.serverName, wss.host],
      ['*.harness.test', wwsfAt],
    ],
    spkiPins,
  })
}
