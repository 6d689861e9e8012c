/**
 * What the mock S-CSCF does with an eP-CSCF's own traffic (catalogue Appendix B.1): OPTIONS keep-alive probes and a
 * reg-event SUBSCRIBE are flagged as background, stay visible in the log and never count as scenario traffic; the
 * SUBSCRIBE is answered as RFC 3680 / RFC 6665 say; Path host names resolve through the profile's table; UDP drops
 * are visible.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { acceptRegSubscribe, isRegEvent, regNotify } from '../../support/scscf/reg-event-notifier.ts'
import { classify, RequestLog } from '../../support/scscf/request-log.ts'
import { pathTarget } from '../../support/scscf/terminating-request.ts'
import type { Binding } from '../../support/scscf/binding-store.ts'
import { udpDrops } from '../../support/scscf/udp-drops.ts'
import { parseNameAddr, parseNameAddrList } from '../../support/sip/name-addr.ts'
import { getParam } from '../../support/sip/params.ts'
import { parseMessage } from '../../support/sip/parse.ts'
import type { SipRequest } from '../../support/sip/message.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import type { Flow } from '../../support/transport/peer.ts'
import { requestText } from '../helpers/sip-text.ts'
import { localUdp } from '../helpers/transports.ts'

const EPCSCF_VIA = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKprobe1'
const WIC_VIA = 'SIP/2.0/WSS abc.invalid;branch=z9hG4bKwic1;received=127.0.0.1;rport=40000'
const FLOW = { id: 'fake' } as unknown as Flow

function request(start: string, opts: { vias?: string[]; to?: string; headers?: string[] } = {}): SipRequest {
  const [via, ...more] = opts.vias ?? [EPCSCF_VIA]
  return parseMessage(
    requestText({
      start,
      via: via!,
      afterVia: more.map((v) => `Via: ${v}`),
      from: '<sip:epcscf.harness.test>;tag=p1',
      to: opts.to ?? '<sip:127.0.0.1:5070>',
      callId: 'bg-1',
      cseq: `1 ${start.split(' ')[0]}`,
      headers: opts.headers ?? [],
    }),
  ) as SipRequest
}

void describe('mock S-CSCF: the eP-CSCF own traffic', () => {
  void it('classifies probes and the reg-event SUBSCRIBE as background, a forwarded WIC request as scenario', () => {
    assert.equal(classify(request('OPTIONS sip:127.0.0.1:5070')), 'keep-alive')
    assert.equal(classify(request('OPTIONS sip:bob@ims.harness.test')), 'scenario', 'an OPTIONS to a user')
    assert.equal(classify(request('OPTIONS sip:127.0.0.1:5070', { vias: [EPCSCF_VIA, WIC_VIA] })), 'scenario')
    assert.equal(classify(request('OPTIONS sip:127.0.0.1:5070', { to: '<sip:x@y>;tag=1' })), 'scenario')
    const subscribe = request('SUBSCRIBE sip:alice@ims.harness.test', { headers: ['Event: reg'] })
    assert.equal(classify(subscribe), 'reg-event')
    const forwarded = request('SUBSCRIBE sip:alice@ims.harness.test', {
      vias: [EPCSCF_VIA, WIC_VIA],
      headers: ['Event: reg'],
    })
    assert.equal(classify(forwarded), 'scenario', "a WIC's own reg SUBSCRIBE is scenario traffic")
    assert.equal(classify(request('SUBSCRIBE sip:a@b', { headers: ['Event: presence'] })), 'scenario')
  })

  void it('keeps background requests in the log, out of entries, unconsumed() and default waits', async () => {
    const log = new RequestLog('mock S-CSCF')
    log.add({ request: request('OPTIONS sip:127.0.0.1:5070'), flow: FLOW, at: Date.now() })
    assert.equal(log.all.length, 1)
    assert.equal(log.all[0]?.kind, 'keep-alive')
    assert.deepEqual(log.entries, [])
    assert.deepEqual(log.unconsumed(), [])
    await assert.rejects(log.expect({ method: 'OPTIONS' }, { withinMs: 20 }), /received: nothing/)
    const probe = await log.expect({ method: 'OPTIONS', kinds: ['keep-alive'] }, { withinMs: 20 })
    assert.equal(probe.kind, 'keep-alive')
  })

  void it('answers a reg-event SUBSCRIBE with 200 and a NOTIFY along the subscription dialog (RFC 6665, RFC 3680)', () => {
    const subscribe = request('SUBSCRIBE sip:alice@ims.harness.test', {
      to: '<sip:alice@ims.harness.test>',
      headers: ['Event: reg', 'Expires: 600000', 'Contact: <sip:127.0.0.1:5060>'],
    })
    assert.ok(isRegEvent(subscribe))
    const own = { transport: 'UDP', address: '127.0.0.1', port: 5070 }
    const ok = acceptRegSubscribe(subscribe, own)
    assert.equal(ok.status, 200)
    assert.ok(getParam(parseNameAddr(ok.get('To') ?? '').params, 'tag') !== undefined, 'To tagged')
    const binding = {
      contactUri: 'sip:k2@h.invalid;transport=ws',
      expires: 600,
    } as unknown as Binding
    const notify = regNotify(subscribe, ok, [binding], own)
    assert.equal(notify.uri, 'sip:127.0.0.1:5060', 'to the subscriber contact')
    assert.equal(notify.get('From'), ok.get('To'), "From is the 200's To, with its tag")
    assert.equal(notify.get('To'), subscribe.get('From'))
    assert.equal(notify.get('Call-ID'), subscribe.get('Call-ID'))
    assert.equal(notify.get('Event'), 'reg')
    assert.match(notify.get('Subscription-State') ?? '', /^active;expires=\d+$/)
    assert.equal(notify.get('Content-Type'), 'application/reginfo+xml')
    assert.match(notify.body, /<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">/)
    assert.match(notify.body, /<registration aor="sip:alice@ims.harness.test" id="r1" state="active">/)
    assert.match(notify.body, /<uri>sip:k2@h.invalid;transport=ws<\/uri>/)
  })

  void it('resolves a Path host name through the profile table, and leaves addresses as they are', () => {
    const binding = (path: string) => ({ path: parseNameAddrList(path) }) as unknown as Binding
    const named = pathTarget(binding('<sip:tok@epcscf.harness.test:5060;lr;ob>'), {
      'EPCSCF.harness.test': '127.0.0.9',
    })
    assert.deepEqual(named, { transport: 'UDP', address: '127.0.0.9', port: 5060 })
    const tcp = pathTarget(binding('<sip:tok@127.0.0.1:5060;transport=tcp;lr>'), {})
    assert.deepEqual(tcp, { transport: 'TCP', address: '127.0.0.1', port: 5060 })
  })

  void it('counts UDP drops of a bound port where the kernel shows them', async () => {
    const udp = await localUdp(new TraceRecorder(), 'test')
    try {
      const drops = udpDrops(udp.local.port)
      if (process.platform === 'linux') assert.equal(drops, 0)
      else assert.equal(drops, undefined)
    } finally {
      await udp.close()
    }
  })
})
