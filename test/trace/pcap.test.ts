/** The trace as a pcap of exported PDUs (support/trace/pcap.ts). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tracePcap } from '../../support/trace/pcap.ts'
import { REGISTER_W2, T0, UPGRADE, externalTrace, referenceTrace } from './trace-fixture.ts'

/** The records of a pcap file: each record header's fields and its data. */
function records(pcap: Buffer) {
  const out: Array<{ seconds: number; micros: number; data: Buffer; original: number }> = []
  let at = 24
  while (at < pcap.length) {
    const included = pcap.readUInt32LE(at + 8)
    out.push({
      seconds: pcap.readUInt32LE(at),
      micros: pcap.readUInt32LE(at + 4),
      original: pcap.readUInt32LE(at + 12),
      data: pcap.subarray(at + 16, at + 16 + included),
    })
    at += 16 + included
  }
  assert.equal(at, pcap.length, 'records fill the file exactly')
  return out
}

void test('it writes a classic little-endian pcap header with link type 252 (exported PDU)', () => {
  const pcap = tracePcap(referenceTrace())
  const header = pcap.subarray(0, 24)
  // prettier-ignore
  const expected = [
    0xd4, 0xc3, 0xb2, 0xa1, // magic, microseconds, little-endian
    2, 0, 4, 0, // version 2.4
    0, 0, 0, 0, // thiszone
    0, 0, 0, 0, // sigfigs
    0x00, 0x00, 0x04, 0x00, // snaplen 262144
    252, 0, 0, 0, // LINKTYPE_WIRESHARK_UPPER_PDU
  ]
  assert.deepEqual([...header], expected)
})

void test('it writes one record per SIP message: TLVs for dissector, addresses, ports, then the SIP bytes', () => {
  const all = records(tracePcap(referenceTrace()))
  // The upgrade (HTTP), REGISTER W2, REGISTER Mw, 200 Mw, 200 W2: the received copies are left out.
  assert.equal(all.length, 5)
  const first = all[1]
  assert.ok(first)
  const at = T0 + 3
  assert.equal(first.seconds, Math.floor(at / 1000))
  assert.equal(first.micros, Math.round((at % 1000) * 1000))
  assert.equal(first.original, first.data.length)
  // prettier-ignore
  const tlvs = Buffer.from([
    0, 12, 0, 4, 0x73, 0x69, 0x70, 0, // dissector name "sip", padded to 4, length 4
    0, 20, 0, 4, 127, 0, 0, 1, // IPv4 source
    0, 21, 0, 4, 127, 0, 0, 1, // IPv4 destination
    0, 24, 0, 4, 0, 0, 0, 2, // port type TCP (WSS)
    0, 25, 0, 4, 0, 0, 0xc6, 0x4e, // source port 50766
    0, 26, 0, 4, 0, 0, 0x1d, 0x13, // destination port 7443
    0, 0, 0, 0, // end of options
  ])
  assert.deepEqual(first.data.subarray(0, tlvs.length), tlvs)
  assert.equal(first.data.subarray(tlvs.length).toString('utf8'), REGISTER_W2)
  // The Mw leg is UDP.
  assert.deepEqual([...(all[2]?.data.subarray(24, 32) ?? [])], [0, 24, 0, 4, 0, 0, 0, 3])
})

void test('the WebSocket upgrade is in the capture for the http dissector, with its Origin header', () => {
  const upgrade = records(tracePcap(referenceTrace()))[0]
  assert.deepEqual([...(upgrade?.data.subarray(0, 8) ?? [])], [0, 12, 0, 4, 0x68, 0x74, 0x74, 0x70]) // "http"
  assert.equal(upgrade?.data.subarray(52).toString('utf8'), UPGRADE)
  assert.match(UPGRADE, /\r\nOrigin: https:\/\/wwsf\.harness\.test:8443\r\n/)
})

void test('with an external eP-CSCF the received-only messages are in the capture too', () => {
  const all = records(tracePcap(externalTrace()))
  assert.deepEqual(
    all.map((r) => r.data.subarray(52).toString('utf8').split('\r\n')[0]),
    [
      'GET / HTTP/1.1',
      'REGISTER sip:ims.harness.test SIP/2.0',
      'REGISTER sip:ims.harness.test SIP/2.0',
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
    ],
  )
})

void test('an empty trace is a header-only capture', () => {
  assert.equal(tracePcap([]).length, 24)
})

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' })
const noTshark = tshark.error !== undefined || tshark.status !== 0
void test(
  'tshark decodes the records as SIP, and the upgrade as HTTP with its Origin',
  { skip: noTshark ? 'tshark is not installed (apt-get install tshark) — byte layout checked above' : false },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcap-test-'))
    try {
      const file = join(dir, 'trace.pcap')
      writeFileSync(file, tracePcap(referenceTrace()))
      const run = spawnSync(
        'tshark',
        [
          '-r',
          file,
          '-T',
          'fields',
          '-E',
          'separator=,',
          '-e',
          'sip.Method',
          '-e',
          'sip.Status-Code',
          '-e',
          'exported_pdu.dst_port',
          '-e',
          'http.request.line',
        ],
        { encoding: 'utf8', env: { ...process.env, HOME: dir } },
      )
      assert.equal(run.status, 0, run.stderr)
      assert.deepEqual(run.stdout.trim().split('\n'), [
        String.raw`,,7443,Upgrade: websocket\r\n,Sec-WebSocket-Protocol: sip\r\n,Origin: https://wwsf.harness.test:8443\r\n`,
        'REGISTER,,7443,',
        'REGISTER,,5070,',
        ',200,5060,',
        ',200,50766,',
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
