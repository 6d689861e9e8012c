/**
 * `npm run serve [-- --profile FILE]`: starts the reference eP-CSCF, the mock I/S-CSCF with its HSS and the mock WWSF on their own,
 * prints their addresses and the subscribers, and prints the trace on the console until stopped (Ctrl-C), so that
 * any WIC (a browser page, JsSIP, SIP.js) can be pointed at them.
 */
import { ProfileError } from '../support/errors.ts'
import { traceFull } from '../support/trace/trace-text.ts'
import { loadProfile } from '../support/profile/load-profile.ts'
import { HarnessEnvironment } from '../support/world/harness-environment.ts'

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--profile')
  const file = at >= 0 ? argv[at + 1] : process.env.HARNESS_PROFILE || undefined
  const loaded = loadProfile(file)
  if (loaded.profile.launcher.kind !== 'reference')
    throw new ProfileError('launcher.kind: `npm run serve` serves the reference eP-CSCF only')
  const env = await HarnessEnvironment.start(loaded, 0)
  const { profile } = env
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

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
})
