import { createHash, randomBytes } from 'node:crypto'
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform'

/**
 * WebRTC offers and answers as a browser (JSEP, RFC 8829) writes them, built and read with `sdp-transform`:
 * ICE credentials and a host candidate (RFC 8839), a DTLS fingerprint and `a=setup` (RFC 8842: `actpass` in an
 * offer, `active` or `passive` in an answer), `a=rtcp-mux` (RFC 5761), BUNDLE (RFC 8843), Opus (RFC 7587) and
 * telephone-event, optionally VP8 video. Pure: no I/O. `write()` puts attributes in its own order, so SDPs are
 * compared by meaning (`readSdp`), never byte for byte.
 */

export interface OfferOptions {
  /** Add a video m-line (VP8) to the audio one. Default false. */
  readonly video?: boolean
  /** Host candidate and c= address. Default a TEST-NET-1 address (RFC 5737), never reached: signalling only. */
  readonly address?: string
  readonly port?: number
  /** Group the m-lines with BUNDLE (a browser's default policy). Default true. */
  readonly bundle?: boolean
}

/** What the checks read from an SDP, per m-line. */
export interface MediaSummary {
  readonly type: string
  readonly port: number
  readonly protocol: string
  readonly mid: string | undefined
  readonly iceUfrag: string | undefined
  readonly icePwd: string | undefined
  readonly candidates: number
  /** `a=ice-options:trickle` at media or session level (RFC 8840 §4.1.1): candidates may come later. */
  readonly trickle: boolean
  readonly fingerprint: string | undefined
  readonly setup: string | undefined
  readonly rtcpMux: boolean
  /** Codec names in payload order, lower case: `opus`, `telephone-event`, `vp8`. */
  readonly codecs: readonly string[]
  readonly direction: string | undefined
}

export interface SdpSummary {
  /** False when the text is no SDP at all (`sdp-transform` returns an empty description for garbage). */
  readonly valid: boolean
  readonly sessionId: string | undefined
  readonly bundle: readonly string[]
  readonly media: readonly MediaSummary[]
}

/** A WebRTC offer: one audio m-line (Opus, telephone-event), and a video one when asked. */
export function webrtcOffer(options: OfferOptions = {}): string {
  const address = options.address ?? '192.0.2.10'
  const port = options.port ?? 9
  const ice = iceCredentials()
  const fingerprint = { type: 'sha-256', hash: certificateFingerprint() }
  const audio: MediaDescription = {
    ...mediaLine('audio', port, address, '0', ice, fingerprint, 'actpass'),
    rtp: [
      { payload: 111, codec: 'opus', rate: 48000, encoding: 2 },
      { payload: 101, codec: 'telephone-event', rate: 8000 },
    ],
    fmtp: [{ payload: 111, config: 'minptime=10;useinbandfec=1' }],
    payloads: '111 101',
  }
  const media = [audio]
  if (options.video === true) {
    media.push({
      ...mediaLine('video', port, address, '1', ice, fingerprint, 'actpass'),
      rtp: [{ payload: 96, codec: 'VP8', rate: 90000 }],
      fmtp: [],
      payloads: '96',
    })
  }
  return write(session(address, media, options.bundle ?? true))
}

/**
 * The answer to a WebRTC offer (RFC 3264 §6): one m-line per offered one, in order, with the same mid; the first
 * offered codec of each; `a=setup:active` (RFC 8842 §5.3: "the answerer MUST use either 'active' or 'passive'");
 * BUNDLE accepted when offered; fresh ICE credentials and fingerprint of the answerer.
 */
export function webrtcAnswer(offerText: string, options: { address?: string; port?: number } = {}): string {
  const offer = parse(offerText)
  const address = options.address ?? '192.0.2.20'
  const port = options.port ?? 9
  const ice = iceCredentials()
  const fingerprint = { type: 'sha-256', hash: certificateFingerprint() }
  const media = offer.media.map((m, index): MediaDescription => {
    const first = m.rtp[0]
    const chosen = first === undefined ? [] : [first]
    return {
      ...mediaLine(m.type, port, address, String(m.mid ?? index), ice, fingerprint, 'active'),
      protocol: m.protocol,
      rtp: chosen,
      fmtp: m.fmtp.filter((f) => chosen.some((c) => c.payload === f.payload)),
      payloads: chosen.map((c) => c.payload).join(' '),
    }
  })
  const bundled = (offer.groups ?? []).some((g) => g.type === 'BUNDLE')
  return write(session(address, media, bundled))
}

/** Reads an SDP into what the checks compare. */
export function readSdp(text: string): SdpSummary {
  const sdp = parse(text)
  const valid = sdp.version === 0 && sdp.origin !== undefined && Array.isArray(sdp.media)
  const group = (sdp.groups ?? []).find((g) => g.type === 'BUNDLE')
  // sdp-transform reads a lone mid as a number.
  const bundle = group === undefined ? [] : String(group.mids).split(/\s+/)
  return {
    valid,
    sessionId: sdp.origin === undefined ? undefined : String(sdp.origin.sessionId),
    bundle,
    media: (sdp.media ?? []).map((m) => ({
      type: m.type,
      port: m.port,
      protocol: m.protocol,
      mid: m.mid === undefined ? undefined : String(m.mid),
      // sdp-transform turns an all-digit value into a number (an ice-ufrag of hex digits can be one).
      iceUfrag: asText(m.iceUfrag ?? sdp.iceUfrag),
      icePwd: asText(m.icePwd ?? sdp.icePwd),
      candidates: m.candidates?.length ?? 0,
      trickle: String(m.iceOptions ?? sdp.iceOptions ?? '')
        .split(/\s+/)
        .includes('trickle'),
      fingerprint: (m.fingerprint ?? sdp.fingerprint)?.hash,
      setup: m.setup ?? sdp.setup,
      rtcpMux: m.rtcpMux === 'rtcp-mux',
      codecs: m.rtp.map((r) => r.codec.toLowerCase()),
      direction: m.direction ?? sdp.direction,
    })),
  }
}

function asText(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value)
}

function session(address: string, media: MediaDescription[], bundle: boolean): SessionDescription {
  return {
    version: 0,
    origin: {
      username: '-',
      // A 62-bit decimal, as browsers write it (RFC 8829 §5.2.1); kept a string by sdp-transform.
      sessionId: BigInt.asUintN(62, randomBytes(8).readBigUInt64BE()).toString(),
      sessionVersion: 2,
      netType: 'IN',
      ipVer: 4,
      address: '127.0.0.1',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    ...(bundle && media.length > 0
      ? { groups: [{ type: 'BUNDLE', mids: media.map((m) => String(m.mid)).join(' ') }] }
      : {}),
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: media.map((m) => ({ ...m, connection: { version: 4, ip: address } })),
  }
}

function mediaLine(
  type: string,
  port: number,
  address: string,
  mid: string,
  ice: { iceUfrag: string; icePwd: string },
  fingerprint: { type: string; hash: string },
  setup: string,
): MediaDescription {
  return {
    type,
    port,
    protocol: 'UDP/TLS/RTP/SAVPF',
    payloads: '',
    rtp: [],
    fmtp: [],
    mid,
    ...ice,
    iceOptions: 'trickle',
    fingerprint,
    setup,
    rtcpMux: 'rtcp-mux',
    direction: 'sendrecv',
    candidates: [
      {
        foundation: '1',
        component: 1,
        transport: 'udp',
        priority: 2122260223,
        ip: address,
        port,
        type: 'host',
      },
    ],
  }
}

/**
 * RFC 8839 §5.4: "ice-ufrag = "a=ice-ufrag:" ufrag / ufrag = 4*256ice-char", "ice-pwd = "a=ice-pwd:" password /
 * password = 22*256ice-char", ice-char = ALPHA / DIGIT / "+" / "/" (so base64, not base64url).
 */
function iceCredentials(): { iceUfrag: string; icePwd: string } {
  return { iceUfrag: randomBytes(4).toString('hex'), icePwd: randomBytes(18).toString('base64') }
}

/** A SHA-256 fingerprint in RFC 8122 §5 form (upper-case hex pairs and colons) of a made-up certificate. */
function certificateFingerprint(): string {
  const hex = createHash('sha256').update(randomBytes(32)).digest('hex').toUpperCase()
  return hex.match(/../g)?.join(':') ?? hex
}
