/**
 * The README matches the project (issue 10 §6): `allowScripts` names every dependency with an install script
 * (package-lock.json's `hasInstallScript`), allows only node and esbuild, denies artillery's browser download, and the
 * README's table explains each entry; the EBADENGINE notice and the onboarding commands are explained.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

const readme = readFileSync('README.md', 'utf8')
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> }
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>
}

void test('allowScripts covers every dependency with an install script, allowing only node and esbuild', () => {
  const withScripts = new Set(
    Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript === true)
      .map(([path]) => path.replace(/^.*node_modules\//, '')),
  )
  for (const name of withScripts)
    assert.ok(name in pkg.allowScripts, `${name} has an install script: list it in allowScripts`)
  assert.deepEqual(
    Object.entries(pkg.allowScripts)
      .filter(([, allowed]) => allowed)
      .map(([name]) => name)
      .sort(),
    ['esbuild', 'node'],
  )
  assert.equal(pkg.allowScripts['@playwright/browser-chromium'], false, 'no browser is downloaded at install')
})

void test('the README explains every allowScripts entry, the EBADENGINE notice and the onboarding commands', () => {
  const section = readme.slice(readme.indexOf('**Which dependencies may run install scripts.**'))
  assert.ok(section.length > 0 && readme.includes('`allowScripts`'))
  for (const name of Object.keys(pkg.allowScripts))
    assert.match(
      section.slice(0, 3000),
      new RegExp(`^\\|[^\\n]*\`${name.replace(/[/.@-]/g, '\\$&')}\``, 'm'),
      name,
    )
  assert.match(readme, /EBADENGINE/)
  for (const text of [
    '--port-base',
    'npm run serve -- --page',
    'conformance.html',
    'npm run schema',
    'faketime',
  ])
    assert.ok(readme.includes(text), text)
})
