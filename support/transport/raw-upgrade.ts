import { randomBytes } from 'node:crypto'
import { connect, type TLSSocket } from 'node:tls'
import { NoAnswer, TlsHandshakeFailed, TransportFailed } from '../errors.ts'

/**
 * A WebSocket opening handshake written by hand over TLS (RFC 6455 §4.1), for the probes that send what no
 * WebSocket library sends (two Origin fields, another version, unmasked frames afterwards): the request text, and
 * one exchange that writes it and reads the answer's head with a deadline. The hostile WIC (support/wic/raw-frames.ts)
 * keeps the socket; the handshake probe (support/probe/handshake.ts) closes it.
 */

export interface RawUpgradeTarget {
  readonly host: string
  readonly port: number
  readonly servername: string
  readonly ca: string
  readonly timeoutMs: number
}

/** The upgrade request: the fixed lines (Host, Upgrade, Connection, a fresh Sec-WebSocket-Key), then `headers`. */
export function upgradeRequestText(
  path: string,
  target: Pick<RawUpgradeTarget, 'servername' | 'port'>,
  headers: readonly (readonly [string, string])[],
): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${target.servername}:${target.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...headers.map(([name, value]) => `${name}: ${value}`),
  ]
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** The answer's head (status line and header fields, without the blank line) and the bytes that followed it. */
export interface UpgradeExchange {
  readonly socket: TLSSocket
  readonly head: string
  readonly rest: Buffer
}

/**
 * Connects over TLS (the given CA), writes `request` once secure (`onSent` is told first), and resolves with the
 * answer's head. The deadline, a TLS failure, a later error and a close before the head each reject with an error
 * that names the eP-CSCF's address and what was awaited, and destroy the socket. On success the socket stays open.
 */
export function exchangeUpgrade(
  target: RawUpgradeTarget,
  request: string,
  onSent: () => void = () => undefined,
): Promise<UpgradeExchange> {
  const where = `${target.host}:${target.port}`
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0)
    let secure = false
    let settled = false
    const socket = connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      ca: target.ca,
    })
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    }
    const timer = setTimeout(() => {
      const got = head.length === 0 ? 'nothing' : `${head.length} bytes without the end of a header section`
      fail(
        new NoAnswer(
          `no HTTP answer from the eP-CSCF at ${where} within ${target.timeoutMs} ms to a WebSocket handshake; got ${got}`,
        ),
      )
    }, target.timeoutMs)
    socket.once('secureConnect', () => {
      secure = true
      onSent()
      socket.write(request)
    })
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      settled = true
      clearTimeout(timer)
      socket.off('data', onData)
      resolve({ socket, head: head.subarray(0, end).toString('latin1'), rest: head.subarray(end + 4) })
    }
    socket.on('data', onData)
    socket.once('error', (error) =>
      fail(
        secure
          ? new TransportFailed(`handshake to ${where}: ${error.message}`, { cause: error })
          : new TlsHandshakeFailed(`handshake to ${where}: TLS ${error.message}`, { cause: error }),
      ),
    )
    socket.once('close', () =>
      fail(
        new TransportFailed(`the eP-CSCF at ${where} closed the connection before answering the handshake`),
      ),
    )
  })
}
