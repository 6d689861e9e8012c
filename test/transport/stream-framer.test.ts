import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamFramer, type FramedItem } from '../../support/transport/stream-framer.ts'

const T = { timeout: 5000 }

function message(body: string, extra = ''): string {
  const length = Buffer.byteLength(body)
  return `MESSAGE sip:bob@example.test SIP/2.0\r\nVia: SIP/2.0/TCP a.test;branch=z9hG4bK1\r\n${extra}Content-Length: ${length}\r\n\r\n${body}`
}

function texts(items: FramedItem[]): string[] {
  return items.map((i) => (i.kind === 'message' ? i.data.toString('utf8') : `ERROR ${i.error.reason}`))
}

void describe('StreamFramer (RFC 3261 §18.3)', () => {
  void it('splits coalesced messages by Content-Length', T, () => {
    const a = message('hello')
    const b = message('')
    const c = message('wörld ✓')
    const out = new StreamFramer().push(Buffer.from(a + b + c))
    assert.deepEqual(texts(out), [a, b, c])
  })

  void it('reassembles a message split at every byte', T, () => {
    const a = message('body with ünïcode')
    const b = message('second')
    const bytes = Buffer.from(a + b)
    const framer = new StreamFramer()
    const out: FramedItem[] = []
    for (let i = 0; i < bytes.length; i += 1) out.push(...framer.push(bytes.subarray(i, i + 1)))
    assert.deepEqual(texts(out), [a, b])
  })

  void it('ignores CRLF keep-alives between messages (RFC 5626 §3.5.1)', T, () => {
    const a = message('x')
    const framer = new StreamFramer()
    const out = [
      ...framer.push(Buffer.from('\r\n\r\n')),
      ...framer.push(Buffer.from(`\r\n${a}\r\n`)),
      ...framer.push(Buffer.from('\r\n\r\n')),
      ...framer.push(Buffer.from(a)),
    ]
    assert.deepEqual(texts(out), [a, a])
    assert.equal(framer.end(), undefined)
  })

  void it('accepts the compact form l: of Content-Length', T, () => {
    const text = 'OPTIONS sip:x SIP/2.0\r\nl: 3\r\n\r\nabc'
    assert.deepEqual(texts(new StreamFramer().push(Buffer.from(text + text))), [text, text])
  })

  void it('reports a missing Content-Length as a framing error and stops', T, () => {
    const framer = new StreamFramer()
    const bad = 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP a;branch=z9hG4bK2\r\n\r\n'
    const out = framer.push(Buffer.from(bad + message('after')))
    assert.equal(out.length, 1)
    const [item] = out
    assert.equal(item?.kind, 'error')
    assert.match(item.kind === 'error' ? item.error.reason : '', /missing Content-Length/)
    assert.equal(item.kind === 'error' ? item.error.code : '', 'SIP_PARSE_FAILED')
    assert.deepEqual(framer.push(Buffer.from(message('more'))), [])
  })

  void it('reports an invalid Content-Length', T, () => {
    const out = new StreamFramer().push(Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: ten\r\n\r\n'))
    assert.match(texts(out)[0] ?? '', /ERROR invalid Content-Length/)
  })

  void it('waits for the body, then reports a truncated message at end of stream', T, () => {
    const framer = new StreamFramer()
    assert.deepEqual(framer.push(Buffer.from(message('0123456789').slice(0, -4))), [])
    const end = framer.end()
    assert.equal(end?.kind, 'error')
    assert.match(end?.kind === 'error' ? end.error.reason : '', /stream ended inside a message/)
  })

  void it('gives up on a header section larger than the limit', T, () => {
    const framer = new StreamFramer({ maxHeaderBytes: 100, maxBodyBytes: 100 })
    const out = framer.push(Buffer.from(`OPTIONS sip:x SIP/2.0\r\nX: ${'a'.repeat(200)}\r\n`))
    assert.match(texts(out)[0] ?? '', /no end of header section within 100 bytes/)
  })
})
