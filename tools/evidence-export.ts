/**
 * Every scenario's evidence on disk, not only inside the HTML: `reports/scenarios/NN-slug/` holds the attachments
 * the After hook wrote (verdict.txt, verdict.json, ladder.txt, sip-trace.txt, ladder.svg, sip-trace.pcap, sut-log.txt,
 * …), from cucumber's message stream (each attachment is capped by the hooks, so memory stays bounded).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
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

/**
 * Writes each attachment into its scenario's folder as the envelopes go by (fed by the one pass over the message
 * stream in readRunResults); `folders` maps each scenario name to its folder, relative to `reportsDir`.
 */
export class EvidenceWriter {
  readonly folders = new Map<string, string>()
  private readonly pickleNames = new Map<string, string>()
  private readonly pickleOfCase = new Map<string, string>()
  private readonly folderOfStart = new Map<string, string>()

  constructor(private readonly reportsDir: string) {
    rmSync(join(reportsDir, 'scenarios'), { recursive: true, force: true })
  }

  add(envelope: object): void {
    const e = envelope as Envelope
    if (e.pickle) this.pickleNames.set(e.pickle.id, e.pickle.name)
    if (e.testCase) this.pickleOfCase.set(e.testCase.id, e.testCase.pickleId)
    if (e.testCaseStarted) {
      const name =
        this.pickleNames.get(this.pickleOfCase.get(e.testCaseStarted.testCaseId) ?? '') ?? 'scenario'
      const folder = join(
        'scenarios',
        `${String(this.folderOfStart.size + 1).padStart(2, '0')}-${slug(name)}`,
      )
      mkdirSync(join(this.reportsDir, folder), { recursive: true })
      this.folderOfStart.set(e.testCaseStarted.id, folder)
      this.folders.set(name, folder)
    }
    const attached = e.attachment
    const folder = attached?.testCaseStartedId
      ? this.folderOfStart.get(attached.testCaseStartedId)
      : undefined
    if (attached?.fileName && folder !== undefined) {
      const body =
        attached.contentEncoding === 'BASE64'
          ? Buffer.from(attached.body, 'base64')
          : Buffer.from(attached.body)
      writeFileSync(join(this.reportsDir, folder, attached.fileName.replace(/[/\\]/g, '_')), body)
    }
  }
}
