/**
 * Every scenario's evidence on disk, not only inside the HTML: `reports/scenarios/NN-slug/` holds the attachments
 * the After hook wrote (verdict.txt, verdict.json, ladder.txt, sip-trace.txt, ladder.svg, sip-trace.pcap, sut-log.txt,
 * …), read from cucumber's message stream line by line (each attachment is capped by the hooks, so memory stays
 * bounded). Returns each scenario's folder, for the index page and JUnit.
 */
import { createReadStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { join } from 'node:path'

interface Envelope {
  pickle?: { id: string; name: string }
  testCase?: { id: string; pickleId: string }
  testCaseStarted?: { id: string; testCaseId: string }
  attachment?: { testCaseStartedId?: string; fileName?: string; body: string; contentEncoding?: string }
}

/** `the eP-CSCF adds a Path …` → `the-ep-cscf-adds-a-path`. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'scenario'
  )
}

/** Writes the folders; returns pickle name → folder (relative to `reportsDir`). */
export async function exportEvidence(reportsDir: string): Promise<Map<string, string>> {
  const root = join(reportsDir, 'scenarios')
  rmSync(root, { recursive: true, force: true })
  const folders = new Map<string, string>()
  const file = join(reportsDir, 'messages.ndjson')
  if (!existsSync(file)) return folders
  const pickleNames = new Map<string, string>()
  const pickleOfCase = new Map<string, string>()
  const folderOfStart = new Map<string, string>()
  let n = 0
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (line.trim() === '') continue
    const e = JSON.parse(line) as Envelope
    if (e.pickle) pickleNames.set(e.pickle.id, e.pickle.name)
    if (e.testCase) pickleOfCase.set(e.testCase.id, e.testCase.pickleId)
    if (e.testCaseStarted) {
      const name = pickleNames.get(pickleOfCase.get(e.testCaseStarted.testCaseId) ?? '') ?? 'scenario'
      n += 1
      const folder = join('scenarios', `${String(n).padStart(2, '0')}-${slug(name)}`)
      mkdirSync(join(reportsDir, folder), { recursive: true })
      folderOfStart.set(e.testCaseStarted.id, folder)
      folders.set(name, folder)
    }
    const attached = e.attachment
    const folder = attached?.testCaseStartedId ? folderOfStart.get(attached.testCaseStartedId) : undefined
    if (attached?.fileName && folder !== undefined) {
      const body =
        attached.contentEncoding === 'BASE64'
          ? Buffer.from(attached.body, 'base64')
          : Buffer.from(attached.body)
      writeFileSync(join(reportsDir, folder, attached.fileName.replace(/[/\\]/g, '_')), body)
    }
  }
  return folders
}
