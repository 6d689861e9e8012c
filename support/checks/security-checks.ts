import type { SipRequest } from '../sip/message.ts'
import { adviseThat, expectThat, showHeader } from './expectations.ts'
import { must, should, type MustRequirement, type ShouldRequirement } from './requirement.ts'
import { UNTRUSTED_ASSERTED_IDENTITY } from './requirements-routing.ts'

/**
 * Checks of the SA3 attack matrix (issue 9) that are about what crosses the edge: P-headers a WIC writes (§6).
 * The W2 surface (§4) is judged in exposure-checks.ts, the hostile WebSocket client (§5) in robustness-checks.ts.
 */

/** The P-header fields a WIC may write but only the network may assert (issue 9 §6, catalogue B.3). */
export type WicPHeader =
  'P-Charging-Vector' | 'P-Asserted-Identity' | 'P-Visited-Network-ID' | 'P-Access-Network-Info'

/**
 * What the hostile WIC writes: values no eP-CSCF would write itself (an icid and a network name of the WIC's
 * choosing, the identity of another user, access information claiming to be the network's), so that finding one
 * of them on Mw proves it came from the WIC.
 */
export const WIC_WRITTEN: Readonly<Record<WicPHeader, string>> = {
  'P-Charging-Vector': 'icid-value=wic-chosen-icid-1234;icid-generated-at=192.0.2.66',
  'P-Asserted-Identity': '<sip:ceo@ims.harness.test>',
  'P-Visited-Network-ID': '"visited.wic-chosen.example"',
  'P-Access-Network-Info': '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010000ABCDE01; network-provided',
}

export function isWicPHeader(name: string): name is WicPHeader {
  return Object.hasOwn(WIC_WRITTEN, name)
}

// RFC 7315 §4.6 / TS 24.228 R1-1c: the P-CSCF generates the ICID; a WIC's icid is not "globally unique" by any
// measure the network controls, and would let a client steer charging correlation.
const PCV_TEXT = 'P-CSCF1 inserts this header and populates the icid parameters with a globally unique value.'
// TS 24.229 §5.2.2.1 (read through 24.228 R1-1c [V~]): the P-CSCF inserts P-Visited-Network-ID with its own
// pre-provisioned string; the catalogue (R17 [I]) adds that a value supplied by the WIC is not trusted.
const PVNI_TEXT = 'P-CSCF1 adds the P-Visited-Network-ID header'
// TS 24.371 §5.5 [V] binds the eP-CSCF to the P-CSCF procedures of TS 24.229 on Mw; that those remove a UE's
// P-Access-Network-Info marked "network-provided" (TS 24.229 §5.2.6.3, RFC 7315 §5.4) is reasoned from memory.
const PANI_TEXT =
  'For the Mw reference point, the eP-CSCF shall conform to the requirements for the P-CSCF as specified in ' +
  '3GPP TS 24.229'

/** The requirement each header's check decides on, for a REGISTER and for an originating request. */
const UNTRUSTED: Readonly<
  Record<WicPHeader, { register: MustRequirement; request: MustRequirement | ShouldRequirement }>
> = {
  'P-Charging-Vector': {
    register: must('TS 24.229 §5.2.2.1; TS 24.228 R1-1c (flow text); RFC 7315 §4.6', {
      id: 'R18',
      quote: PCV_TEXT,
      source: 'V',
    }),
    request: must('TS 24.229 §5.2.6.3.2; TS 24.228 session flow (flow text); RFC 7315 §4.6', {
      id: 'R68',
      quote: PCV_TEXT,
      source: 'V',
    }),
  },
  'P-Asserted-Identity': { register: UNTRUSTED_ASSERTED_IDENTITY, request: UNTRUSTED_ASSERTED_IDENTITY },
  'P-Visited-Network-ID': {
    register: must('TS 24.229 §5.2.2.1; TS 24.228 R1-1c (flow text)', {
      id: 'R17',
      quote: PVNI_TEXT,
      source: 'V',
    }),
    // Outside REGISTER the P-CSCF inserts none and no sentence read says it must remove one: a SHOULD (RFC 7315
    // §4.3 trust domain, reasoned from memory).
    request: should('RFC 7315 §4.3 (trust domain); TS 24.229 §5.2.6.3', {
      id: 'R17',
      quote: PVNI_TEXT,
      source: 'R',
    }),
  },
  'P-Access-Network-Info': {
    register: must('TS 24.371 §5.5; TS 24.229 §5.2.2.1, §5.2.6.3; RFC 7315 §5.4', {
      id: 'R02',
      quote: PANI_TEXT,
      source: 'V',
    }),
    request: must('TS 24.371 §5.5; TS 24.229 §5.2.6.3; RFC 7315 §5.4', {
      id: 'R02',
      quote: PANI_TEXT,
      source: 'V',
    }),
  },
}

/** What a WIC sent with its own P-header, and what came of it. */
export interface WrittenHeaderOutcome {
  readonly header: WicPHeader
  readonly kind: 'register' | 'request'
  /** The final status the WIC got for what it sent (its last REGISTER, or its request). */
  readonly finalStatus: number
  /** The requests of that registration or transaction that reached the S-CSCF (same Call-ID). */
  readonly atMw: readonly SipRequest[]
}

/**
 * The value the WIC wrote never reaches Mw as written: no field value of that header on any forwarded request is
 * the WIC's (for P-Charging-Vector: no icid-value is the WIC's; for P-Asserted-Identity: no asserted URI is the
 * one the WIC claimed). Replacing, removing, or refusing the request (nothing on Mw, an error to the WIC) all
 * pass; a request that reached nobody and was not refused is no evidence and fails.
 */
export function checkWicHeaderNotOnMw(outcome: WrittenHeaderOutcome): void {
  const requirement = UNTRUSTED[outcome.header][outcome.kind]
  const what = outcome.kind === 'register' ? 'REGISTER' : 'request'
  if (outcome.atMw.length === 0) {
    if (requirement.level === 'MUST')
      expectThat(
        outcome.finalStatus >= 300,
        requirement,
        () =>
          `expected the WIC's ${what} to reach the S-CSCF (without its own ${outcome.header}) or be refused, but nothing reached the S-CSCF and the WIC got ${outcome.finalStatus}`,
      )
    return
  }
  const written = identityOf(outcome.header, WIC_WRITTEN[outcome.header])
  const carrying = outcome.atMw.filter((request) =>
    request
      .getAll(outcome.header)
      .flatMap(splitValues)
      .some((value) => identityOf(outcome.header, value) === written),
  )
  const message = () =>
    `the ${outcome.header} the WIC wrote (${WIC_WRITTEN[outcome.header]}) reached the S-CSCF as written on ` +
    `${carrying.length} of ${outcome.atMw.length} forwarded ${what}(s): ${carrying.map((r) => showHeader(r, outcome.header)).join(' || ')}`
  if (requirement.level === 'MUST') expectThat(carrying.length === 0, requirement, message)
  else adviseThat(carrying.length === 0, requirement, message)
}

/** Comma-separated field values (RFC 3261 §7.3.1), commas inside <...> or quotes kept. */
function splitValues(line: string): string[] {
  return (line.match(/(?:<[^>]*>|"(?:[^"\\]|\\.)*"|[^,])+/g) ?? []).map((v) => v.trim())
}

/** What makes a value the WIC's: the icid-value, the asserted URI, or the whole value without spacing and case. */
function identityOf(header: WicPHeader, value: string): string {
  const flat = value.replace(/\s+/g, '').toLowerCase()
  if (header === 'P-Charging-Vector') return /icid-value="?([^";]+)/.exec(flat)?.[1] ?? flat
  if (header === 'P-Asserted-Identity') return /<([^>]*)>/.exec(flat)?.[1] ?? flat.split(';')[0] ?? flat
  return flat
}
