/**
 * Parser throughput for the two messages the eP-CSCF sees most on its WebRTC side (RFC 7118 SIP over WebSocket):
 * a REGISTER with RFC 5626 outbound parameters and Digest credentials, and an INVITE with a WebRTC SDP offer
 * (ICE candidates, DTLS fingerprint, BUNDLE, audio + video). Run: `node --import tsx bench/parser.bench.ts`.
 */
import { parseMessage } from '../support/sip/parse.ts'

const crlf = (lines: string[]): string => lines.join('\r\n')

const REGISTER = crlf([
  'REGISTER sip:ims.example.com SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7mG3kqRz1;rport',
  'Max-Forwards: 70',
  'To: <sip:alice@ims.example.com>',
  'From: "Alice" <sip:alice@ims.example.com>;tag=a73kszlfl',
  'Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid',
  'CSeq: 2 REGISTER',
  'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1;expires=600;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
  'Authorization: Digest username="alice@ims.example.com", realm="ims.example.com", nonce="ZGY4ZGQ3ZWJkNzBjYjk1ZjE2NzZkNmQ4", uri="sip:ims.example.com", response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
  'Supported: path, outbound, gruu',
  'User-Agent: WebRTC-Client/1.0',
  'Content-Length: 0',
  '',
  '',
])

const SDP = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 4f2a7c1e',
  'm=audio 54400 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 203.0.113.7',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.0.196 54400 typ host generation 0 network-id 1',
  'a=candidate:3289912957 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.0.196 rport 54400 generation 0',
  'a=candidate:435653019 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0 network-id 1',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=sendrecv',
  'a=msid:4f2a7c1e 9b1c2d3e',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1001 cname:k3kd93kd9d93kd9',
  'm=video 54400 UDP/TLS/RTP/SAVPF 96 97 102 103',
  'c=IN IP4 203.0.113.7',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.0.196 54400 typ host generation 0 network-id 1',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F',
  'a=setup:actpass',
  'a=mid:1',
  'a=sendrecv',
  'a=msid:4f2a7c1e 5e6f7a8b',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=ssrc-group:FID 2002 2003',
  'a=ssrc:2002 cname:k3kd93kd9d93kd9',
  'a=ssrc:2003 cname:k3kd93kd9d93kd9',
  '',
])

const INVITE = crlf([
  'INVITE sip:bob@ims.example.com SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKlQ1mWpx8f9Zt;rport',
  'Max-Forwards: 70',
  'Route: <sip:pcscf.ims.example.com:443;transport=ws;lr>',
  'To: <sip:bob@ims.example.com>',
  'From: "Alice" <sip:alice@ims.example.com>;tag=v8q3bf7d2l',
  'Call-ID: 9kdn38dlslq0s93ksd@df7jal23ls0d.invalid',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"',
  'P-Preferred-Identity: <sip:alice@ims.example.com>',
  'Allow: INVITE, ACK, CANCEL, BYE, UPDATE, INFO, MESSAGE, OPTIONS, NOTIFY, REFER',
  'Supported: 100rel, timer, replaces, outbound, ice',
  'Session-Expires: 1800',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP, 'utf8')}`,
  '',
  SDP,
])

function measure(label: string, text: string, seconds = 1): void {
  for (let i = 0; i < 5000; i++) parseMessage(text) // warm-up
  let count = 0
  const start = process.hrtime.bigint()
  const budget = BigInt(Math.round(seconds * 1e9))
  let elapsed = 0n
  while (elapsed < budget) {
    for (let i = 0; i < 500; i++) parseMessage(text)
    count += 500
    elapsed = process.hrtime.bigint() - start
  }
  const rate = Math.round((count * 1e9) / Number(elapsed))
  console.log(`parser: ${label} ${rate} msg/s (${Buffer.byteLength(text)} octets)`)
}

measure('REGISTER', REGISTER)
measure('INVITE', INVITE)
