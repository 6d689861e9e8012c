import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { escapeXml as html } from '../support/trace/ladder-svg.ts'
import type { RunHeader } from './index-page.ts'

/**
 * cucumber's own HTML report (@cucumber/html-formatter) is titled "Cucumber" and names no system under test. After
 * the run its title names the SUT, and a line above the report says what ran (SUT, launcher, switches, profile,
 * start) and links back to index.html, so that a page saved or forwarded on its own still says what it judged.
 * The formatter has no option for either (version 24: only its CSS, script and icon paths), hence the edit.
 */
export function headCucumberHtml(file: string, header: RunHeader): void {
  if (!existsSync(file)) return
  const page = readFileSync(file, 'utf8')
  const switches = header.switches.length === 0 ? '' : ` with ${header.switches.join(', ')}`
  const title = `eP-CSCF conformance: ${header.sut}${switches}: cucumber report`
  const banner =
    `<div style="font:14px sans-serif;padding:8px 16px;background:#f6f8fa;border-bottom:1px solid #d0d7de">` +
    `<b>System under test:</b> ${html(header.sut)} (${html(header.launcher)}${html(switches)}) at ` +
    `<code>${html(header.wssUrl)}</code> · profile ${header.profileFile ? `<code>${html(header.profileFile)}</code>` : 'built-in'} · ` +
    `started ${html(header.startedAt.toISOString())} · <a href="index.html">verdicts and evidence</a></div>`
  const headed = page
    .replace(/<title>[^<]*<\/title>/, `<title>${html(title)}</title>`)
    .replace(/<body([^>]*)>/, (body) => `${body}${banner}`)
  writeFileSync(file, headed)
}
