import { createHash } from 'node:crypto'
import type { DigestAlgorithm } from '../sip/digest.ts'
import type { DigestChallenge } from '../wic/digest-responder.ts'

/** What a REGISTER of the UDP generator varies; everything else is fixed for the run. */
export interface RegisterVariables {
  readonly branch: string
  readonly callId: string
  readonly fromTag: string
  readonly cseq: number
  readonly authorization: string
}

/** One load user as the template needs it (see `loadUser`). */
export interface TemplateUser {
  readonly impi: string
  readonly impu: string
  readonly password: string
  /** The Contact's user part. */
  readonly contactUser: string
}

/**
 * The digest REGISTER of the UDP generator (the workload of bench/sipp/register.xml) as precomputed text: the
 * fixed parts of each user's request are joined once, so that a request costs a few string concatenations
 * (RFC 3261 §8.1.1: Request-URI, To, From, Call-ID, CSeq, Max-Forwards, Via; §10.2 Contact and Expires; no body,
 * Content-Length 0). The Request-URI is the registrar's address, as SIPp's digest uri is.
 */
export class RegisterTemplate {
  readonly uri: string
  private readonly head: string
  private readonly perUser: readonly { readonly from: string; readonly rest: string }[]
  /** H(A1) per user and algorithm (RFC 7616 §3.4.2), computed once per realm. */
  private readonly ha1 = new Map<string, string>()
  private readonly ha2 = new Map<DigestAlgorithm, string>()

  constructor(
    registrar: { readonly address: string; readonly port: number },
    own: { readonly address: string; readonly port: number },
    private readonly users: readonly TemplateUser[],
  ) {
    this.uri = `sip:${registrar.address}:${registrar.port}`
    this.head = `REGISTER ${this.uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${own.address}:${own.port};branch=`
    this.perUser = users.map((u) => ({
      from: `;rport\r\nMax-Forwards: 70\r\nFrom: <${u.impu}>;tag=`,
      rest: `\r\nTo: <${u.impu}>\r\nContact: <sip:${u.contactUser}@${own.address}:${own.port}>\r\nExpires: 600\r\n`,
    }))
  }

  /** The request of user `index` with these variable parts. */
  request(index: number, v: RegisterVariables): string {
    const u = this.perUser[index]!
    return (
      this.head +
      v.branch +
      u.from +
      v.fromTag +
      u.rest +
      'Call-ID: ' +
      v.callId +
      '\r\nCSeq: ' +
      v.cseq +
      ' REGISTER\r\nAuthorization: ' +
      v.authorization +
      '\r\nContent-Length: 0\r\n\r\n'
    )
  }

  /** The initial credentials (TS 24.229 §5.1.1.2: username, realm, uri, empty nonce and response). */
  initialAuthorization(index: number, realm: string): string {
    return `Digest username="${this.users[index]!.impi}", realm="${realm}", uri="${this.uri}", nonce="", response=""`
  }

  /**
   * The credentials answering `challenge` with nonce-count 1 (RFC 7616 §3.4.1, RFC 2617 §3.2.2): H(A1) and H(A2)
   * are fixed for a user, realm and method, so one hash is computed per answer. Undefined for the -sess
   * algorithms and for a challenge without qop=auth, which the bench's registrar does not send.
   */
  answer(index: number, challenge: DigestChallenge, cnonce: string): string | undefined {
    const { algorithm, realm, nonce } = challenge
    if (challenge.qop !== 'auth' || (algorithm !== 'MD5' && algorithm !== 'SHA-256')) return undefined
    const user = this.users[index]!
    const name = algorithm === 'MD5' ? 'md5' : 'sha256'
    const key = `${index} ${algorithm} ${realm}`
    let ha1 = this.ha1.get(key)
    if (ha1 === undefined) {
      ha1 = createHash(name).update(`${user.impi}:${realm}:${user.password}`).digest('hex')
      this.ha1.set(key, ha1)
    }
    let ha2 = this.ha2.get(algorithm)
    if (ha2 === undefined) {
      ha2 = createHash(name).update(`REGISTER:${this.uri}`).digest('hex')
      this.ha2.set(algorithm, ha2)
    }
    const response = createHash(name).update(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`).digest('hex')
    const opaque = challenge.opaque === undefined ? '' : `, opaque="${challenge.opaque}"`
    return (
      `Digest username="${user.impi}", realm="${realm}", nonce="${nonce}", uri="${this.uri}", ` +
      `response="${response}", algorithm=${algorithm}, cnonce="${cnonce}"${opaque}, qop=auth, nc=00000001`
    )
  }
}
