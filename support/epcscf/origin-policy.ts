import type { Faults } from './faults.ts'
import { NO_VARIANTS, type Variants } from './variants.ts'

/**
 * The Origin policy of the W2 WebSocket handshake (TS 33.203 X.2.2.3 step 2: "The eP-CSCF verifies in this step that
 * the WIC establishing the signalling connection comes from a trusted domain").
 */

/**
 * A handshake without Origin (a non-browser WIC) is refused, or allowed (`allow`; `token-only` is the profile's
 * name for the same choice, with the WIC then held to token authentication at REGISTER).
 */
export type MissingOriginPolicy = 'refuse' | 'allow' | 'token-only'

export interface OriginPolicy {
  /** Authorized WWSF origins, `scheme://host[:port]`. */
  readonly allowed: readonly string[]
  readonly missingOrigin: MissingOriginPolicy
}

export type OriginDecision =
  | { readonly accept: true; readonly origin: string | undefined }
  | { readonly accept: false; readonly status: 400 | 403; readonly reason: string }

/**
 * Decides on the Origin header lines of one handshake. Comparison is of the ASCII serialisation of the origin
 * (RFC 6454 §6.2): scheme and host case-insensitive, the port explicit or the scheme's default, nothing else.
 */
export function checkOrigin(
  originLines: readonly string[],
  policy: OriginPolicy,
  faults: Faults,
  variants: Variants = NO_VARIANTS,
): OriginDecision {
  const decision = decideOrigin(originLines, policy, faults)
  // The `origin-refusal-400` variant: RFC 6455 §4.2.2 asks for "an appropriate HTTP error code (e.g., 403
  // Forbidden)"; 403 itself is a SHOULD (§10.2). https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
  if (!decision.accept && decision.status === 403 && variants.has('origin-refusal-400'))
    return { accept: false, status: 400, reason: decision.reason.replace(/^Forbidden/, 'Bad Request') }
  return decision
}

function decideOrigin(originLines: readonly string[], policy: OriginPolicy, faults: Faults): OriginDecision {
  if (faults.has('no-origin-check')) return { accept: true, origin: originLines[0] }

  // The origin-first-header-only fault: a second Origin header field is never looked at.
  if (originLines.length > 1 && !faults.has('origin-first-header-only')) {
    // RFC 6454 §7.3: the user agent MUST NOT include more than one Origin header field in any HTTP request.
    // https://www.rfc-editor.org/rfc/rfc6454#section-7.3  (Kamailio answers 400 here too.)
    return { accept: false, status: 400, reason: 'Bad Request - more than one Origin header field' }
  }
  const origin = originLines[0]?.trim()
  if (origin === undefined || origin === '') {
    if (policy.missingOrigin === 'refuse') {
      return { accept: false, status: 403, reason: 'Forbidden - Origin header field required' }
    }
    return { accept: true, origin: undefined }
  }

  if (faults.has('origin-substring-match')) {
    // The injected defect: a "contains" test, which https://wwsf.harness.test:8443.evil.test passes.
    if (policy.allowed.some((allowed) => origin.includes(allowed))) return { accept: true, origin }
    return refuse(origin)
  }

  const loose = looseMatch(origin, policy, faults)
  if (loose !== undefined) return loose ? { accept: true, origin } : refuse(origin)

  // Servers that are not intended to process input from any web page but only for certain sites SHOULD verify
  // the |Origin| field is an origin they expect. If the origin indicated is unacceptable to the server, then it
  // SHOULD respond to the WebSocket handshake with a reply containing HTTP 403 Forbidden status code.
  // https://www.rfc-editor.org/rfc/rfc6455#section-10.2
  const key = serializeOrigin(origin)
  if (key !== undefined && policy.allowed.some((allowed) => serializeOrigin(allowed) === key)) {
    return { accept: true, origin }
  }
  return refuse(origin)
}

/**
 * The defective comparisons of three fault switches (undefined when none is on): `origin-case-sensitive` compares
 * the text as sent, so the authorized origin in capitals is refused (RFC 6454 §4 lower-cases the host, §5 compares
 * the triples); `origin-host-suffix-match` takes any host that ends with an allowed host (a sub-domain rule
 * written without its dot: https://evilwwsf.harness.test:8443 passes); `origin-host-prefix-match` any host that
 * begins with one (an unanchored pattern: https://wwsf.harness.test.evil.test:8443 passes). Scheme and port are
 * still compared under the last two.
 */
function looseMatch(origin: string, policy: OriginPolicy, faults: Faults): boolean | undefined {
  if (faults.has('origin-case-sensitive')) return policy.allowed.includes(origin)
  const suffix = faults.has('origin-host-suffix-match')
  if (!suffix && !faults.has('origin-host-prefix-match')) return undefined
  const parts = originParts(origin)
  return policy.allowed.some((allowed) => {
    const want = originParts(allowed)
    if (parts === undefined || want === undefined) return false
    if (parts.scheme !== want.scheme || parts.port !== want.port) return false
    return suffix ? parts.host.endsWith(want.host) : parts.host.startsWith(want.host)
  })
}

function originParts(value: string): { scheme: string; host: string; port: number } | undefined {
  const key = serializeOrigin(value)
  const match = key === undefined ? null : /^([^:]+):\/\/(.+):(\d+)$/.exec(key)
  if (match === null) return undefined
  return { scheme: match[1] ?? '', host: match[2] ?? '', port: Number(match[3]) }
}

function refuse(origin: string): OriginDecision {
  return { accept: false, status: 403, reason: `Forbidden - origin ${origin} is not authorized` }
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/:?#@\s[\]]+)(?::(\d{1,5}))?$/i
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 }

/**
 * `scheme://host:port` in lower case with the port made explicit, or undefined when the value is not a tuple
 * origin (`null`, a path, user info, a bad port).
 */
export function serializeOrigin(value: string): string | undefined {
  const match = ORIGIN.exec(value.trim())
  if (match === null) return undefined
  const scheme = (match[1] ?? '').toLowerCase()
  const host = (match[2] ?? '').toLowerCase()
  const port = match[3] === undefined ? DEFAULT_PORTS[scheme] : Number(match[3])
  if (port === undefined || port < 1 || port > 65535) return undefined
  return `${scheme}://${host}:${port}`
}
