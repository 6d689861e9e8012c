/**
 * Every scenario's evidence on disk, not only inside the HTML: `reports/scenarios/<feature>/<scenario>/` (e.g.
 * `scenarios/registration-digest/registration-answering-an-md5-challenge/`) holds the attachments the After hook
 * wrote (verdict.txt, verdict.json, ladder.txt, sip-trace.txt, ladder.svg, sip-trace.pcap, sut-log.txt, …), from
 * cucumber's message stream (each attachment is capped by the hooks, so memory stays bounded). Two scenarios of one
 * feature with the same slug get `-2`, `-3`…; a retried scenario writes into the folder of its first attempt.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

interface Envelope {
  pickle?: { id: string; name: string; uri: string; location?: { line: number } }
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
      .slice(0, 60)
      .replace(/^-+|-+$/g, '') || 'scenario'
  )
}

/**
 * What identifies a scenario in a run: its feature file and line (an Examples row has its own line), so that two
 * scenarios of the same name (in two features, or the rows of an outline) keep their own evidence. The name stands
 * in for the line only where cucumber gave none.
 */
export function scenarioKey(scenario: { feature: string; line: number | undefined; name: string }): string {
  return `${scenario.feature}:${scenario.line ?? scenario.name}`
}

/**
 * Writes each attachment into its scenario's folder as the envelopes go by (fed by the one pass over the message
 * stream in readRunResults); `folders` maps each scenario's `scenarioKey` to its folder, relative to `reportsDir`.
 */
export class EvidenceWriter {
  readonly folders = new Map<string, string>()
  private readonly pickles = new Map<string, { name: string; uri: string; line?: number | undefined }>()
  private readonly pickleOfCase = new Map<string, string>()
  private readonly folderOfPickle = new Map<string, string>()
  private readonly folderOfStart = new Map<string, string>()
  private readonly taken = new Set<string>()

  constructor(private readonly reportsDir: string) {
    rmSync(join(reportsDir, 'scenarios'), { recursive: true, force: true })
  }

  add(envelope: object): void {
    const e = envelope as Envelope
    if (e.pickle)
      this.pickles.set(e.pickle.id, { name: e.pickle.name, uri: e.pickle.uri, line: e.pickle.location?.line })
    if (e.testCase) this.pickleOfCase.set(e.testCase.id, e.testCase.pickleId)
    if (e.testCaseStarted) {
      const pickleId = this.pickleOfCase.get(e.testCaseStarted.testCaseId) ?? ''
      const folder = this.folderOfPickle.get(pickleId) ?? this.newFolder(pickleId)
      this.folderOfStart.set(e.testCaseStarted.id, folder)
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

  /** `scenarios/<feature>/<scenario>`, made unique within the run. */
  private newFolder(pickleId: string): string {
    const pickle = this.pickles.get(pickleId) ?? { name: 'scenario', uri: 'feature' }
    const feature = slug(pickle.uri.replace(/^features\//, '').replace(/\.feature$/, ''))
    const base = join('scenarios', feature, slug(pickle.name))
    let folder = base
    for (let n = 2; this.taken.has(folder); n += 1) folder = `${base}-${n}`
    this.taken.add(folder)
    mkdirSync(join(this.reportsDir, folder), { recursive: true })
    this.folderOfPickle.set(pickleId, folder)
    this.folders.set(scenarioKey({ feature: pickle.uri, line: pickle.line, name: pickle.name }), folder)
    return folder
  }
}
