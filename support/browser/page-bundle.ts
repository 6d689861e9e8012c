import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, version as esbuildVersion } from 'esbuild'

/** The client libraries a browser WIC can run, with the page source of each and its npm package. */
export const LIBRARIES = {
  jssip: { name: 'JsSIP', source: 'jssip-page.ts', pkg: 'jssip' },
  sipjs: { name: 'SIP.js', source: 'sipjs-page.ts', pkg: 'sip.js' },
} as const

export type LibraryId = keyof typeof LIBRARIES

const PAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'pages')
const require = createRequire(import.meta.url)

/**
 * The page script of `library`, bundled with esbuild for the browser (an IIFE) into `<dir>/<library>-<hash>.js`.
 * The hash covers the page sources, the library's version and esbuild's, so a bundle is built once and reused
 * until one of them changes; parallel workers write to a temporary file renamed into place.
 */
export async function pageBundle(library: LibraryId, dir: string): Promise<{ file: string; code: string }> {
  const { source, pkg } = LIBRARIES[library]
  const entry = join(PAGES_DIR, source)
  const hash = createHash('sha256')
    .update(readFileSync(entry))
    .update(readFileSync(join(PAGES_DIR, 'page-api.ts')))
    .update(readFileSync(join(PAGES_DIR, 'login-form.ts')))
    .update(`${pkg}@${packageVersion(pkg)} esbuild@${esbuildVersion}`)
    .digest('hex')
    .slice(0, 16)
  const file = resolve(dir, `${library}-${hash}.js`)
  if (existsSync(file)) return { file, code: readFileSync(file, 'utf8') }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((error: unknown) => {
    // A defect of the harness (its page source), not of the SUT or the machine: a plain error, a HARNESS ERROR.
    throw new Error(`esbuild could not bundle ${entry}: ${(error as Error).message}`, { cause: error })
  })
  const code = result.outputFiles[0]?.text
  if (code === undefined) throw new Error(`esbuild wrote no output for ${entry}`)
  mkdirSync(dir, { recursive: true })
  const staging = `${file}.${process.pid}.tmp`
  writeFileSync(staging, code)
  renameSync(staging, file)
  return { file, code }
}

/** The HTML page that loads `script` and nothing else (the library exposes `window.harnessWic`). */
export function pageHtml(library: LibraryId, script: string): string {
  const { name } = LIBRARIES[library]
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>WIC (${name})</title><link rel="icon" href="data:,"></head>\n<body>\n<form id="login"><input name="user" autocomplete="username"><input name="password" type="password" autocomplete="current-password"><button type="submit">Log in</button></form>\n<script src="${script}"></script></body></html>\n`
}

function packageVersion(pkg: string): string {
  try {
    const json = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as {
      version?: string
    }
    return json.version ?? '?'
  } catch {
    return '?'
  }
}
