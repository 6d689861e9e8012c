import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readSdp, webrtcAnswer, webrtcOffer } from '../../support/sdp/webrtc-sdp.ts'

void describe('WebRTC SDP (JSEP-style offer and answer)', () => {
  void it('an offer has ICE, DTLS actpass, rtcp-mux, BUNDLE and Opus', () => {
    const offer = readSdp(webrtcOffer())
    assert.equal(offer.valid, true)
    assert.deepEqual(offer.bundle, ['0'])
    const [audio] = offer.media
    assert.ok(audio)
    assert.equal(audio.protocol, 'UDP/TLS/RTP/SAVPF')
    assert.equal(audio.setup, 'actpass')
    assert.equal(audio.rtcpMux, true)
    assert.equal(audio.codecs[0], 'opus')
    assert.ok((audio.iceUfrag ?? '').length >= 4)
    assert.ok((audio.icePwd ?? '').length >= 22)
    assert.match(audio.icePwd ?? '', /^[A-Za-z0-9+/]+$/)
    assert.equal(audio.candidates, 1)
    assert.match(audio.fingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  void it('video is optional and bundled with audio', () => {
    const offer = readSdp(webrtcOffer({ video: true }))
    assert.deepEqual(
      offer.media.map((m) => m.type),
      ['audio', 'video'],
    )
    assert.deepEqual(offer.bundle, ['0', '1'])
  })

  void it('the answer mirrors the m-lines, chooses one codec and is active, never actpass', () => {
    const offerText = webrtcOffer({ video: true })
    const answer = readSdp(webrtcAnswer(offerText))
    assert.equal(answer.media.length, 2)
    for (const m of answer.media) {
      assert.equal(m.setup, 'active')
      assert.equal(m.codecs.length, 1)
    }
    assert.equal(answer.media[0]?.mid, '0')
    assert.notEqual(answer.media[0]?.iceUfrag, readSdp(offerText).media[0]?.iceUfrag)
  })

  void it('reads an all-digit ice-ufrag as text (sdp-transform makes it a number)', () => {
    const offer = webrtcOffer().replace(/a=ice-ufrag:\S+/g, 'a=ice-ufrag:38949073')
    assert.equal(readSdp(offer).media[0]?.iceUfrag, '38949073')
  })

  void it('garbage is not an SDP', () => {
    assert.equal(readSdp('hello').valid, false)
    assert.equal(readSdp('').media.length, 0)
  })
})
