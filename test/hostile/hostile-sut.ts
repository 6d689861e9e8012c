import { createServer, type Server } from 'node:https'
import type net from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

/**
 * Small deliberately hostile eP-CSCFs (issue 7): each serves WSS with the `sip` subprotocol and misbehaves in one
 * way once a WIC speaks. They are what a tester meets in the lab; the harness must give a precise verdict against
 * each in bounded time, with bounded memory and reports, and leave nothing running.
 */
export type Hostility =
  /** Accepts the WebSocket and never answers. */
  | 'silent'
  /** Answers every message with bytes that are not SIP. */
  | 'garbage'
  /** Answers the first message with one 100 MB WebSocket frame (header first, payload streamed). */
  | 'huge-frame'
  /** Floods every connection with small NOTIFY requests until `floodMs` after the first connection. */
  | 'flood'
  /** Closes the connection when a REGISTER arrives (a transaction cut in the middle). */
  | 'close-mid-transaction'
  /** Stops listening and drops every connection when the first message arrives: an external SUT that died. */
  | 'dies'

export interface HostileSut {
  readonly port: number
  /** Bytes and messages the SUT wrote, for the test's own account. */
  readonly sent: { bytes: number; messages: number }
  close(): Promise<void>
}

export const HUGE_FRAME_BYTES = 100 * 1000 * 1000

export async function startHostileSut(
  hostility: Hostility,
  tls: { cert: string; key: string },
  opts: { floodMs?: number } = {},
): Promise<HostileSut> {
  const server = createServer({ cert: tls.cert, key: tls.key })
  const wss = new WebSocketServer({ server, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) })
  const sent = { bytes: 0, messages: 0 }
  const timers = new Set<NodeJS.Timeout>()
  let floodEnds: number | undefined
  let dead = false
  const send = (ws: WebSocket, text: string): void => {
    sent.bytes += text.length
    sent.messages += 1
    ws.send(text)
  }
  wss.on('connection', (ws, req) => {
    const socket = req.socket as net.Socket
    ws.on('error', () => {})
    if (hostility === 'flood') {
      floodEnds ??= Date.now() + (opts.floodMs ?? 60_000)
      flood(ws, () => Date.now() < (floodEnds ?? 0), send, timers)
    }
    let first = true
    ws.on('message', (data) => {
      const text = String(data)
      if (hostility === 'garbage') send(ws, `\u0000\u0001garbage, not SIP: ${text.length} bytes seen\r\n\r\n`)
      if (hostility === 'huge-frame' && first) hugeFrame(socket, sent)
      if (hostility === 'close-mid-transaction' && text.startsWith('REGISTER ')) ws.terminate()
      if (hostility === 'dies' && !dead) {
        dead = true
        for (const client of wss.clients) client.terminate()
        server.close()
        server.closeAllConnections()
      }
      first = false
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    sent,
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await closeServer(server)
    },
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve()
    else server.close(() => resolve())
  })
}

/** A text frame header announcing HUGE_FRAME_BYTES (RFC 6455 §5.2: 127, then a 64-bit length), then the payload. */
function hugeFrame(socket: net.Socket, sent: { bytes: number; messages: number }): void {
  const header = Buffer.alloc(10)
  header[0] = 0x81
  header[1] = 127
  header.writeBigUInt64BE(BigInt(HUGE_FRAME_BYTES), 2)
  socket.write(header)
  const chunk = Buffer.alloc(64 * 1024, 0x41)
  let left = HUGE_FRAME_BYTES
  sent.messages += 1
  const pump = (): void => {
    while (left > 0 && !socket.destroyed) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
      left -= part.length
      sent.bytes += part.length
      if (!socket.write(part)) {
        socket.once('drain', pump)
        return
      }
    }
  }
  pump()
}

/** Small NOTIFYs as fast as the connection takes them (kept under 1 MB buffered), while `going()`. */
function flood(
  ws: WebSocket,
  going: () => boolean,
  send: (ws: WebSocket, text: string) => void,
  timers: Set<NodeJS.Timeout>,
): void {
  let n = 0
  const burst = (): void => {
    if (ws.readyState !== ws.OPEN || !going()) return
    while (ws.bufferedAmount < 1024 * 1024 && n % 200 !== 199) send(ws, notify((n += 1)))
    n += 1
    const timer = setTimeout(() => {
      timers.delete(timer)
      burst()
    }, 1)
    timers.add(timer)
  }
  burst()
}

function notify(n: number): string {
  const body = `<presence>${n}</presence>`
  return [
    'NOTIFY sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0',
    `Via: SIP/2.0/WSS 127.0.0.1:7443;branch=z9hG4bKflood${n}`,
    'Max-Forwards: 70',
    'From: <sip:flood@ims.harness.test>;tag=flood',
    'To: <sip:alice@ims.harness.test>;tag=alice',
    'Call-ID: flood@hostile',
    `CSeq: ${n} NOTIFY`,
    'Event: presence',
    'Subscription-State: active;expires=3600',
    'Content-Type: application/pidf+xml',
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n')
}
