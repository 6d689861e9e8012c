import { isIPv4, isIPv6 } from 'node:net'
import type { TraceEndpoint, TraceEvent } from './trace-event.ts'
import { isSipMessage, traceMessages } from './trace-messages.ts'

/*
 * The trace's SIP messages as a classic pcap file for Wireshark/tshark. Link type 252 (WIRESHARK_UPPER_PDU,
 * "exported PDU"): each record is a list of TLVs naming the dissector ("sip") and the addresses and ports,
 * followed by the SIP message itself, so no IP/TCP/WebSocket framing has to be invented (the W2 leg is TLS +
 * WebSocket on the wire; here it is the SIP text the WIC and the eP-CSCF exchanged). Each message once: the
 * `sent` event, or the `received` event when no component recorded sending it. HTTP messages (the WebSocket upgrade
 * with its Origin header and the eP-CSCF's answer, the WWSF login on W1) are records for the "http" dissector, so
 * the capture shows the Origin an eP-CSCF accepted or refused. W2 and Mw are told apart by their ports.
 */

export const LINKTYPE_WIRESHARK_UPPER_PDU = 252

/** Exported-PDU TLV tags (wireshark epan/exported_pdu.h). */
export const EXP_PDU_TAG = {
  END_OF_OPT: 0,
  DISSECTOR_NAME: 12,
  IPV4_SRC: 20,
  IPV4_DST: 21,
  IPV6_SRC: 22,
  IPV6_DST: 23,
  PORT_TYPE: 24,
  SRC_PORT: 25,
  DST_PORT: 26,
} as const

/** Port types of EXP_PDU_TAG_PORT_TYPE. */
export const EXP_PDU_PT = { TCP: 2, UDP: 3 } as const

const SNAPLEN = 262_144

function tlv(tag: number, value: Buffer): Buffer {
  // Values are padded to a multiple of 4 bytes and the length field holds the padded length.
  const padded = Math.ceil(value.length / 4) * 4
  const out = Buffer.alloc(4 + padded)
  out.writeUInt16BE(tag, 0)
  out.writeUInt16BE(padded, 2)
  value.copy(out, 4)
  return out
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value >>> 0, 0)
  return out
}

function ipv6Bytes(address: string): Buffer {
  let text = address.replace(/%.*$/, '')
  const out = Buffer.alloc(16)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number)
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [
    ...headGroups,
    ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ]
  groups.slice(0, 8).forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2))
  return out
}

/** TLVs for one address: IPv4 (also IPv4-mapped IPv6), IPv6, or 0.0.0.0 for a host name or a missing endpoint. */
function addressTlv(endpoint: TraceEndpoint | undefined, v4Tag: number, v6Tag: number): Buffer {
  const address = (endpoint?.address ?? '').replace(/^\[|\]$/g, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  const v4 = mapped ?? (isIPv4(address) ? address : undefined)
  if (v4 !== undefined) return tlv(v4Tag, Buffer.from(v4.split('.').map(Number)))
  if (isIPv6(address)) return tlv(v6Tag, ipv6Bytes(address))
  return tlv(v4Tag, Buffer.alloc(4))
}

function portType(event: TraceEvent): number {
  const transport = (event.from?.transport ?? event.to?.transport ?? '').toUpperCase()
  return transport === 'UDP' ? EXP_PDU_PT.UDP : EXP_PDU_PT.TCP
}

/** An HTTP/1.x request line (`GET / HTTP/1.1`) or status line (`HTTP/1.1 101 …`) at the start of the text. */
export function isHttpMessage(raw: string): boolean {
  return /^(?:[A-Z]+ \S+ HTTP\/1\.[01]\r?\n|HTTP\/1\.[01] \d{3}[ \r\n])/.test(raw)
}

function record(event: TraceEvent): Buffer {
  const payload = Buffer.from(event.raw, 'utf8')
  const dissector = isSipMessage(event.raw) ? 'sip' : 'http'
  const header = Buffer.concat([
    tlv(EXP_PDU_TAG.DISSECTOR_NAME, Buffer.from(dissector, 'ascii')),
    addressTlv(event.from, EXP_PDU_TAG.IPV4_SRC, EXP_PDU_TAG.IPV6_SRC),
    addressTlv(event.to, EXP_PDU_TAG.IPV4_DST, EXP_PDU_TAG.IPV6_DST),
    tlv(EXP_PDU_TAG.PORT_TYPE, uint32(portType(event))),
    tlv(EXP_PDU_TAG.SRC_PORT, uint32(event.from?.port ?? 0)),
    tlv(EXP_PDU_TAG.DST_PORT, uint32(event.to?.port ?? 0)),
    tlv(EXP_PDU_TAG.END_OF_OPT, Buffer.alloc(0)),
  ])
  const data = Buffer.concat([header, payload])
  const included = data.subarray(0, SNAPLEN)
  const recordHeader = Buffer.alloc(16)
  const at = Number.isFinite(event.at) && event.at > 0 ? event.at : 0
  let seconds = Math.floor(at / 1000)
  let micros = Math.round((at - seconds * 1000) * 1000)
  if (micros >= 1_000_000) {
    seconds += 1
    micros -= 1_000_000
  }
  recordHeader.writeUInt32LE(seconds >>> 0, 0)
  recordHeader.writeUInt32LE(micros, 4)
  recordHeader.writeUInt32LE(included.length, 8)
  recordHeader.writeUInt32LE(data.length, 12)
  return Buffer.concat([recordHeader, included])
}

/** A classic (microsecond, little-endian) pcap file with one exported-PDU record per SIP or HTTP message of the trace. */
export function tracePcap(events: readonly TraceEvent[]): Buffer {
  const global = Buffer.alloc(24)
  global.writeUInt32LE(0xa1b2c3d4, 0)
  global.writeUInt16LE(2, 4)
  global.writeUInt16LE(4, 6)
  global.writeInt32LE(0, 8) // thiszone
  global.writeUInt32LE(0, 12) // sigfigs
  global.writeUInt32LE(SNAPLEN, 16)
  global.writeUInt32LE(LINKTYPE_WIRESHARK_UPPER_PDU, 20)
  const records = traceMessages(events)
    .map((m) => m.event)
    .filter((e) => isSipMessage(e.raw) || isHttpMessage(e.raw))
    .map(record)
  return Buffer.concat([global, ...records])
}
