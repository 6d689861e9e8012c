import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { createServer, type Server } from 'node:net'
import { WebSocket } from 'ws'
import { parseFaults, type FaultName } from '../../support/epcscf/faults.ts'
import { WebSocketEdge, type AcceptedWebSocket } from '../../support/epcscf/websocket-edge.ts'
import type { TestPki } from '../../support/pki/test-pki.ts'
import { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import { localPki } from '../helpers/pki.ts'

const ALLOWED = 'https://wwsf.harness.test:8443'

interface Outcome {
  status: number
  protocol?: string
  headers: IncomingMessage['headers']
  body: string
}

/** Opens a WebSocket and reports the handshake outcome (101 + subprotocol, or the HTTP refusal). */
function handshake(
  url: string,
  ca: string,
  opts: { origin?: string; protocols?: string[]; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? ['sip'], {
      ca,
      ...(opts.origin === undefined ? {} : { origin: opts.origin }),
      ...(opts.maxVersion === undefined ? {} : { maxVersion: opts.maxVersion, minVersion: 'TLSv1' as const }),
      handshakeTimeout: 3000,
    })
    ws.on('upgrade', (res) => {
      ws.once('open', () => {
        resolve({ status: res.statusCode ?? 0, protocol: ws.protocol, headers: res.headers, body: '' })
        ws.close()
      })
    })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    ws.on('error', (error) => {
      if (ws.readyState !== WebSocket.OPEN) reject(error)
    })
  })
}

async function startEdge(
  pki: TestPki,
  faults: FaultName[] = [],
  missingOrigin: 'refuse' | 'allow' = 'refuse',
  port = 0,
): Promise<{ edge: WebSocketEdge; trace: TraceRecorder; accepted: AcceptedWebSocket[] }> {
  const trace = new TraceRecorder()
  const accepted: AcceptedWebSocket[] = []
  const edge = await WebSocketEdge.listen({
    host: '127.0.0.1',
    port,
    path: '/',
    tls: { cert: pki.server.cert, key: pki.server.key },
    origin: { allowed: [ALLOWED], missingOrigin },
    faults: parseFaults(faults),
    trace,
    observer: 'reference eP-CSCF',
    onConnection: (c) => accepted.push(c),
  })
  return { edge, trace, accepted }
}

void describe('W2 WebSocket edge', { timeout: 30_000 }, () => {
  let pki: TestPki
  before(async () => {
    pki = await localPki()
  })

  void describe('correct policy', () => {
    let edge: WebSocketEdge
    let trace: TraceRecorder
    let accepted: AcceptedWebSocket[]
    before(async () => ({ edge, trace, accepted } = await startEdge(pki)))
    after(() => edge.close())

    void it('the allowed origin MUST get 101 with Sec-WebSocket-Protocol: sip', async () => {
      const out = await handshake(edge.url, pki.ca.cert, { origin: ALLOWED })
      assert.equal(out.status, 101)
      assert.equal(out.protocol, 'sip')
      assert.equal(accepted.at(-1)?.origin, ALLOWED)
      const events = trace.all().filter((e) => e.leg === 'W2')
      assert.ok(events.some((e) => e.direction === 'received' && /Origin: https:\/\/wwsf/.test(e.raw)))
      assert.ok(events.some((e) => e.direction === 'sent' && e.raw.startsWith('HTTP/1.1 101')))
      assert.ok(events.every((e) => e.observer === 'reference eP-CSCF'))
    })

    void it('the allowed origin in upper case is the same origin (RFC 6454 §6.2)', async () => {
      const out = await handshake(edge.url, pki.ca.cert, { origin: 'HTTPS://WWSF.Harness.Test:8443' })
      assert.equal(out.status, 101)
    })

    for (const origin of [
      'https://evil.test',
      'http://wwsf.harness.test:8443',
      'https://wwsf.harness.test',
      'https://wwsf.harness.test:8443.evil.test',
      'https://x.wwsf.harness.test:8443',
      'null',
    ]) {
      void it(`origin ${origin} MUST be refused with 403 and a reason`, async () => {
        const before = accepted.length
        const out = await handshake(edge.url, pki.ca.cert, { origin })
        assert.equal(out.status, 403)
        assert.match(out.body, /Forbidden/)
        assert.equal(accepted.length, before, 'no WebSocket was handed to the proxy')
        assert.ok(trace.all().some((e) => e.summary === 'WS upgrade refused 403'))
      })
    }

    void it('a handshake without Origin is refused by default', async () => {
      const out = await handshake(edge.url, pki.ca.cert)
      assert.equal(out.status, 403)
    })

    void it('a handshake without the sip subprotocol gets 400 naming it (Kamailio behaviour)', async () => {
      const out = await handshake(edge.url, pki.ca.cert, { origin: ALLOWED, protocols: ['chat'] })
      assert.equal(out.status, 400)
      assert.equal(out.headers['sec-websocket-protocol'], 'sip')
    })

    void it('"chat, sip" selects sip', async () => {
      const out = await handshake(edge.url, pki.ca.cert, { origin: ALLOWED, protocols: ['chat', 'sip'] })
      assert.equal(out.status, 101)
      assert.equal(out.protocol, 'sip')
    })

    void it('a wrong WebSocket version gets 426 with Sec-WebSocket-Version: 13', async () => {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        // ws only speaks 8 and 13; 8 is a version the edge does not understand.
        const ws = new WebSocket(edge.url, ['sip'], { ca: pki.ca.cert, origin: ALLOWED, protocolVersion: 8 })
        ws.on('unexpected-response', (_req, r) => resolve(r))
        ws.on('open', () => reject(new Error('opened')))
        ws.on('error', () => undefined)
      })
      assert.equal(res.statusCode, 426)
      assert.equal(res.headers['sec-websocket-version'], '13')
    })
  })

  void describe('missingOrigin: allow', () => {
    void it('a handshake without Origin upgrades', async () => {
      const { edge } = await startEdge(pki, [], 'allow')
      try {
        assert.equal((await handshake(edge.url, pki.ca.cert)).status, 101)
        assert.equal((await handshake(edge.url, pki.ca.cert, { origin: 'https://evil.test' })).status, 403)
      } finally {
        await edge.close()
      }
    })
  })

  void describe('faults', () => {
    void it('origin-substring-match lets https://wwsf.harness.test:8443.evil.test in', async () => {
      const { edge } = await startEdge(pki, ['origin-substring-match'])
      try {
        const evil = await handshake(edge.url, pki.ca.cert, { origin: `${ALLOWED}.evil.test` })
        assert.equal(evil.status, 101)
        assert.equal((await handshake(edge.url, pki.ca.cert, { origin: 'https://evil.test' })).status, 403)
      } finally {
        await edge.close()
      }
    })

    void it('origin-host-suffix-match and -prefix-match let a host extended before or after it in', async () => {
      for (const [fault, origin] of [
        ['origin-host-suffix-match', 'https://evilwwsf.harness.test:8443'],
        ['origin-host-prefix-match', 'https://wwsf.harness.test.evil.test:8443'],
      ] as const) {
        const { edge } = await startEdge(pki, [fault])
        try {
          assert.equal((await handshake(edge.url, pki.ca.cert, { origin })).status, 101, fault)
          assert.equal(
            (await handshake(edge.url, pki.ca.cert, { origin: 'http://wwsf.harness.test:8443' })).status,
            403,
          )
        } finally {
          await edge.close()
        }
      }
    })

    void it('origin-case-sensitive refuses the allowed origin in capitals', async () => {
      const { edge } = await startEdge(pki, ['origin-case-sensitive'])
      try {
        assert.equal(
          (await handshake(edge.url, pki.ca.cert, { origin: 'https://WWSF.HARNESS.TEST:8443' })).status,
          403,
        )
        assert.equal((await handshake(edge.url, pki.ca.cert, { origin: ALLOWED })).status, 101)
      } finally {
        await edge.close()
      }
    })

    void it('websocket-version-unchecked upgrades a version 8 handshake', async () => {
      const { edge } = await startEdge(pki, ['websocket-version-unchecked'])
      try {
        const opened = await new Promise<boolean>((resolve) => {
          // ws sends Sec-WebSocket-Origin for version 8 (the hybi draft's name), so Origin is set by hand.
          const headers = { Origin: ALLOWED }
          const ws = new WebSocket(edge.url, ['sip'], { ca: pki.ca.cert, headers, protocolVersion: 8 })
          ws.on('open', () => {
            resolve(true)
            ws.close()
          })
          ws.on('unexpected-response', () => resolve(false))
          ws.on('error', () => resolve(false))
        })
        assert.equal(opened, true)
      } finally {
        await edge.close()
      }
    })

    void it('no-origin-check lets any origin in', async () => {
      const { edge } = await startEdge(pki, ['no-origin-check'])
      try {
        assert.equal((await handshake(edge.url, pki.ca.cert, { origin: 'https://evil.test' })).status, 101)
      } finally {
        await edge.close()
      }
    })

    void it('subprotocol-not-required upgrades without Sec-WebSocket-Protocol', async () => {
      const { edge } = await startEdge(pki, ['subprotocol-not-required'])
      try {
        const out = await handshake(edge.url, pki.ca.cert, { origin: ALLOWED, protocols: [] })
        assert.equal(out.status, 101)
        assert.equal(out.headers['sec-websocket-protocol'], undefined)
      } finally {
        await edge.close()
      }
    })
  })

  void it('TLS 1.1 MUST NOT be accepted; TLS 1.2 and 1.3 are (TS 33.210 §6.2.1)', async () => {
    const { edge, trace } = await startEdge(pki)
    try {
      await assert.rejects(handshake(edge.url, pki.ca.cert, { origin: ALLOWED, maxVersion: 'TLSv1.1' }))
      assert.equal(
        (await handshake(edge.url, pki.ca.cert, { origin: ALLOWED, maxVersion: 'TLSv1.2' })).status,
        101,
      )
      assert.equal(
        (await handshake(edge.url, pki.ca.cert, { origin: ALLOWED, maxVersion: 'TLSv1.3' })).status,
        101,
      )
      assert.ok(trace.all().some((e) => /TLS handshake failed/.test(e.summary)))
    } finally {
      await edge.close()
    }
  })

  void it('a start that fails on the plain-ws-listener port leaves nothing listening (no leaked W2 listener)', async () => {
    const { port, blocker } = await portWithNextTaken()
    try {
      await assert.rejects(startEdge(pki, ['plain-ws-listener'], 'refuse', port), { code: 'EADDRINUSE' })
      const again = await listen(port)
      again.close()
    } finally {
      blocker.close()
    }
  })
})

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/** A free port whose next port this test holds (tried a few times: the next one may be someone else's). */
async function portWithNextTaken(): Promise<{ port: number; blocker: Server }> {
  for (let attempt = 0; ; attempt += 1) {
    const probe = await listen(0)
    const port = (probe.address() as { port: number }).port
    probe.close()
    try {
      return { port, blocker: await listen(port + 1) }
    } catch (error) {
      if (attempt === 5) throw error
    }
  }
}
