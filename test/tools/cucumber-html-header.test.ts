import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { headCucumberHtml } from '../../tools/cucumber-html-header.ts'

void test("cucumber.html's title and a line above the report name the system under test (not 'Cucumber')", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cucumber-html-'))
  try {
    const file = join(dir, 'cucumber.html')
    writeFileSync(
      file,
      '<html><head><title>Cucumber</title></head><body class="x"><div id="content"></div></body></html>',
    )
    headCucumberHtml(file, {
      sut: 'vendor <SBC>',
      launcher: 'external',
      profileFile: 'profiles/vendor.yaml',
      switches: [],
      wssUrl: 'wss://sbc.example:443/',
      arguments: [],
      startedAt: new Date(0),
    })
    const page = readFileSync(file, 'utf8')
    assert.match(page, /<title>eP-CSCF conformance: vendor &lt;SBC&gt;: cucumber report<\/title>/)
    assert.match(
      page,
      /<body class="x"><div [^>]*><b>System under test:<\/b> vendor &lt;SBC&gt; \(external\)/,
    )
    assert.match(
      page,
      /<code>wss:\/\/sbc\.example:443\/<\/code> · profile <code>profiles\/vendor\.yaml<\/code>/,
    )
    assert.match(page, /<a href="index\.html">verdicts and evidence<\/a><\/div><div id="content">/)
    headCucumberHtml(join(dir, 'absent.html'), {
      sut: 's',
      launcher: 'reference',
      profileFile: undefined,
      switches: [],
      wssUrl: '',
      arguments: [],
      startedAt: new Date(0),
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
