/**
 * `npm run serve [-- --profile FILE] [--port-base N] [--page FILE ...]`: starts the reference eP-CSCF, the mock
 * I/S-CSCF with its HSS and the mock WWSF on their own, prints their addresses, the subscribers and how to host a
 * WIC page at the authorized origin, and prints the trace on the console until stopped (Ctrl-C), so that any WIC (a
 * browser page, JsSIP, SIP.js) can be pointed at them.
 *
 * A browser page reaches the eP-CSCF (its Origin check) and logs in at the WWSF (CORS) only from an authorized
 * origin, which by default is the WWSF's own (`https://wwsf.harness.test:<wwsf port>`, following the WWSF's port and
 * `--port-base`): `--page FILE` has the mock WWSF serve the file at `/wic/<name>`, so that the page is at that origin.
 */
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { ProfileError } from '../support/errors.ts'
import { traceFull } from '../support/trace/trace-text.ts'
import { loadProfile } from '../support/profile/load-profile.ts'
import type { Profile } from '../support/profile/profile-schema.ts'
import { HarnessEnvironment } from '../support/world/harness-environment.ts'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
}

export interface ServeArgs {
  readonly profile: string | undefined
  readonly portBase: string | undefined
  readonly pages: readonly string[]
}

export function serveArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  const values = (option: string) => argv.flatMap((arg, i) => (arg === option ? [argv[i + 1] ?? ''] : []))
  for (const option of ['--profile', '--port-base', '--page'])
    if (values(option).includes('')) throw new ProfileError(`${option} needs a value`)
  return {
    profile: values('--profile').at(-1) ?? (env.HARNESS_PROFILE || undefined),
    portBase: values('--port-base').at(-1) ?? env.HARNESS_PORT_BASE,
    pages: values('--page'),
  }
}

/** Where a page given with `--page` is served on the WWSF. */
export function pagePath(file: string): string {
  return `/wic/${encodeURIComponent(basename(file))}`
}

/**
 * How to host a WIC page at the authorized origin: the lines `npm run serve` prints. `wwsfUrl` is where the mock WWSF
 * listens (`https://127.0.0.1:8443`), `pages` the files it serves.
 */
export function hostingHelp(
  profile: Profile,
  wwsfUrl: string | undefined,
  caFile: string,
  pages: readonly string[],
): string[] {
  const origin = profile.epcscf.origin.allowed[0] ?? ''
  const page = new URL(origin)
  const names = [page.hostname, profile.epcscf.wss.serverName].filter((n) => !/^[\d.]+$|^\[/.test(n))
  const wwsf = wwsfUrl === undefined ? undefined : new URL(wwsfUrl)
  const samePort = wwsf !== undefined && (page.port || '443') === wwsf.port
  const lines = [
    `WIC page           a browser page must come from the authorized origin ${origin} (scheme, host and port):`,
    `  1. names         resolve ${names.join(' and ')} to 127.0.0.1: a line "127.0.0.1 ${names.join(' ')}" in /etc/hosts,`,
    `                   or chromium --host-resolver-rules="${names.map((n) => `MAP ${n} 127.0.0.1`).join(', ')}"`,
    `  2. trust         import ${caFile} into the browser as a certificate authority`,
  ]
  if (wwsf === undefined)
    return [
      ...lines,
      '  3. page          the WWSF is off (wwsf.enabled: false): serve the page at that origin yourself',
    ]
  if (!samePort)
    lines.push(
      `                   (the WWSF listens on port ${wwsf.port}, not the origin's ${page.port || '443'}: map the port too, e.g.`,
      `                   chromium --host-resolver-rules="MAP ${page.host} ${wwsf.hostname}:${wwsf.port}")`,
    )
  if (pages.length === 0)
    lines.push(
      `  3. page          npm run serve -- --page my-wic.html: the mock WWSF serves it at ${origin}/wic/my-wic.html`,
      `                   (its script may POST ${origin}/login, CORS answered, and open ${profile.epcscf.wss.serverName} over WSS)`,
    )
  else for (const file of pages) lines.push(`  3. page          ${origin}${pagePath(file)}  (${file})`)
  return lines
}

async function main(argv: string[]): Promise<void> {
  const args = serveArgs(argv)
  const loaded = loadProfile(args.profile, process.cwd(), args.portBase)
  if (loaded.profile.launcher.kind !== 'reference')
    throw new ProfileError('launcher.kind: `npm run serve` serves the reference eP-CSCF only')
  const pages = args.pages.map((file) => {
    try {
      return { file, body: readFileSync(file, 'utf8') }
    } catch (error) {
      throw new ProfileError(`--page: cannot read ${file}: ${(error as Error).message}`)
    }
  })
  const env = await HarnessEnvironment.start(loaded, 0)
  const { profile } = env
  for (const { file, body } of pages)
    env.wwsf?.server.servePage(
      pagePath(file),
      CONTENT_TYPES[extname(file)] ?? 'text/plain; charset=utf-8',
      body,
    )
  const out = (text: string) => process.stdout.write(`${text}\n`)
  out(`reference eP-CSCF  ${env.wssUrl}  (subprotocol sip; Mw ${profile.epcscf.mw.address}:${env.ports.mw})`)
  out(`  allowed origins  ${profile.epcscf.origin.allowed.join(', ')}`)
  out(`  CA certificate   ${env.pki.dir}/ca.crt  (trust it in the WIC, or import it into the browser)`)
  out(
    `mock I/S-CSCF      ${profile.scscf.address}:${env.ports.scscf} UDP+TCP, realm ${profile.domain}, digest ${profile.scscf.algorithms.join(', ')}`,
  )
  if (env.wwsf !== undefined)
    out(
      `mock WWSF          ${env.wwsf.server.url}  (POST /login with user and password → JWT; JWKS ${env.wwsf.server.jwksUrl})`,
    )
  out('subscribers')
  for (const s of profile.subscribers)
    out(`  ${s.impi.padEnd(28)} ${s.impus.join(', ').padEnd(48)} password ${s.password}`)
  for (const line of hostingHelp(profile, env.wwsf?.server.url, `${env.pki.dir}/ca.crt`, args.pages))
    out(line)
  out('\ntrace (Ctrl-C to stop):\n')
  env.trace.subscribe((event) => out(`${traceFull([event])}\n`))
  const stop = () => {
    env.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (import.meta.main)
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  })
