import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ChromiumDriver, chromiumArgs, spkiPin } from '../../support/browser/chromium-driver.ts'
import { pageBundle } from '../../support/browser/page-bundle.ts'
import { EnvironmentMissing } from '../../support/errors.ts'
import { localPki } from '../helpers/pki.ts'

// The browser WIC's driver (support/browser): a machine without Chromium gets an environment error that says how to
// install it, never a skip; the switches trust exactly the pinned keys and resolve the names the harness maps.

const rules = { hostRules: [['wwsf.harness.test:8443', '127.0.0.1:26843']] as const, spkiPins: ['abc='] }

void test('a missing Chromium is an ENVIRONMENT error that says apt-get install chromium', async () => {
  await assert.rejects(
    ChromiumDriver.launch({ ...rules, executablePath: '/nonexistent/chromium-bogus' }),
    (error: unknown) =>
      error instanceof EnvironmentMissing &&
      error.side === 'environment' &&
      error.message.includes('apt-get install chromium') &&
      error.message.includes('/nonexistent/chromium-bogus'),
  )
})

void test('a Chromium that is no browser is an ENVIRONMENT error too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bogus-chromium-'))
  const fake = join(dir, 'chromium')
  writeFileSync(fake, '#!/bin/sh\nexit 1\n', { mode: 0o755 })
  try {
    await assert.rejects(
      ChromiumDriver.launch({ ...rules, executablePath: fake }),
      (error: unknown) =>
        error instanceof EnvironmentMissing && error.message.includes('apt-get install chromium'),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('the switches map the names and pin the keys, and never switch certificate checks off', () => {
  const args = chromiumArgs(rules)
  assert.ok(args.includes('--host-resolver-rules=MAP wwsf.harness.test:8443 127.0.0.1:26843'))
  assert.ok(args.includes('--ignore-certificate-errors-spki-list=abc='))
  assert.ok(!args.includes('--ignore-certificate-errors'))
  assert.ok(args.includes('--use-fake-device-for-media-stream'))
})

void test('spkiPin is the base64 SHA-256 of the certificate key (44 characters)', async () => {
  const pki = await localPki()
  assert.match(spkiPin(pki.server.cert), /^[A-Za-z0-9+/]{43}=$/)
})

void test('the page bundle is built once and reused by its content hash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'))
  try {
    const first = await pageBundle('jssip', dir)
    assert.ok(existsSync(first.file))
    assert.match(first.code, /harnessWic/)
    const second = await pageBundle('jssip', dir)
    assert.equal(second.file, first.file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
