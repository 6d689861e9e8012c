import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/**
 * The W2 surface probe (issue 9 §4): every TCP port of a range on the eP-CSCF's WIC-facing host is asked, in plain
 * text, for a WebSocket upgrade with the `sip` subprotocol, as a browser page would for `ws://host:port/`. Each
 * port gets one connection, one request and one deadline; every socket is destroyed before the scan resolves.
 */

/** What one port did with a plain-text upgrade request. */
export interface PlainUpgradeAnswer {
  readonly port: number
  /**
   * `closed`: nothing listens (connection refused); `silent`: connected, no answer by the deadline; `hung-up`:
   * the peer closed or reset without an HTTP answer (a TLS port does); `answered`: an HTTP status line came back.
   */
  readonly outcome: 'closed' | 'silent' | 'hung-up' | 'answered'
  /** The HTTP status, when answered. */
  readonly status?: number
  /** The Sec-WebSocket-Protocol of the answer, when any. */
  readonly protocol?: string
  /** The first line that came back, for the report (a SIP 400 from a SIP port, a TLS alert...). */
  readonly firstLine?: string
}

export interface ScanOptions {
  readonly host: string
  readonly ports: readonly number[]
  /** Request-target and Origin of the upgrade request (the authorized WWSF's, so Origin is not why it fails). */
  readonly path: string
  readonly origin: string | undefined
  /** Deadline per port, from its connection attempt. */
  readonly perPortMs: number
  /** Ports probed at once. */
  readonly concurrency?: number
}

/** `45393-45493` → the ports; a reversed or out-of-range span is the caller's to refuse. */
export function portRange(span: string): number[] {
  const [from = NaN, to = NaN] = span.split('-').map(Number)
  const ports: number[] = []
  for (let port = from; port <= to; port++) ports.push(port)
  return ports
}

export async function scanPlainWebSocket(options: ScanOptions): Promise<PlainUpgradeAnswer[]> {
  const answers: PlainUpgradeAnswer[] = []
  const queue = [...options.ports]
  const worker = async (): Promise<void> => {
    for (let port = queue.shift(); port !== undefined; port = queue.shift())
      answers.push(await askPlainUpgrade(port, options))
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker))
  return answers.sort((a, b) => a.port - b.port)
}

function upgradeRequest(host: string, port: number, options: ScanOptions): string {
  const lines = [
    `GET ${options.path} HTTP/1.1`,
    `Host: ${host.includes(':') ? `[${host}]` : host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Protocol: sip',
    ...(options.origin === undefined ? [] : [`Origin: ${options.origin}`]),
  ]
  return `${lines.join('\r\n')}\r\n\r\n`
}

function askPlainUpgrade(port: number, options: ScanOptions): Promise<PlainUpgradeAnswer> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0)
    let connected = false
    const socket: Socket = connect({ host: options.host, port })
    const finish = (answer: PlainUpgradeAnswer): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answer)
    }
    const timer = setTimeout(
      () => finish({ port, outcome: connected ? 'silent' : 'closed' }),
      options.perPortMs,
    )
    socket.once('connect', () => {
      connected = true
      socket.write(upgradeRequest(options.host, port, options))
    })
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const head = received.toString('latin1')
      if (!head.includes('\r\n\r\n') && received.length < 8192) return
      finish(parseAnswer(port, head))
    })
    socket.on('error', () => undefined) // the close that follows says what happened
    socket.once('close', () => {
      if (!connected) finish({ port, outcome: 'closed' })
      else if (received.length > 0) finish(parseAnswer(port, received.toString('latin1')))
      else finish({ port, outcome: 'hung-up' })
    })
  })
}

function parseAnswer(port: number, head: string): PlainUpgradeAnswer {
  const firstLine = (head.split('\r\n')[0] ?? '').replace(/[^\x20-\x7e]/g, '.').slice(0, 120)
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]
  if (status === undefined) return { port, outcome: 'hung-up', firstLine }
  const protocol = /\r\nSec-WebSocket-Protocol:[ \t]*([^\r\n]*)/i.exec(head)?.[1]?.trim()
  return {
    port,
    outcome: 'answered',
    status: Number(status),
    firstLine,
    ...(protocol === undefined ? {} : { protocol }),
  }
}
