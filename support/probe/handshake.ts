import { exchangeUpgrade, upgradeRequestText } from '../transport/raw-upgrade.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'

/**
 * A WebSocket opening handshake written line by line (issue 9 §3), for what no WebSocket library sends: two Origin
 * header fields, a Sec-WebSocket-Version other than 13, an Origin in capitals exactly as given. Only the answer's
 * status line and header fields are read; the connection is closed as soon as they are in (a 101 included: nothing
 * is sent on it).
 */

export interface HandshakeRequest {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly servername: string
  readonly ca: string
  /** Header fields after the fixed ones (Host, Upgrade, Connection, Sec-WebSocket-Key), in order, repeats kept. */
  readonly headers: readonly (readonly [string, string])[]
  readonly timeoutMs: number
  readonly trace: TraceRecorder
}

/** The server's answer: its status and header fields (names in lower case, in order, repeats kept). */
export interface HandshakeAnswer {
  readonly status: number
  readonly statusLine: string
  readonly headers: readonly (readonly [string, string])[]
}

const OBSERVER = 'handshake probe'

/** Every value of `name` in `answer`, comma-separated lists split (RFC 9110 §5.3). */
export function headerValues(answer: HandshakeAnswer, name: string): string[] {
  return answer.headers
    .filter(([n]) => n === name.toLowerCase())
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

/** Sends the handshake over TLS (the profile's CA) and reads the answer's head; errors name what was awaited. */
export async function rawHandshake(request: HandshakeRequest): Promise<HandshakeAnswer> {
  const text = upgradeRequestText(request.path, request, request.headers)
  const sent = `handshake ${request.headers.map(([n, v]) => `${n}: ${v}`).join(', ')}`
  const { socket, head } = await exchangeUpgrade(request, text, () => record(request, 'sent', sent, text))
  socket.destroy()
  record(request, 'received', `handshake answer ${head.split('\r\n')[0] ?? ''}`, `${head}\r\n\r\n`)
  return parseHead(head)
}

function parseHead(raw: string): HandshakeAnswer {
  const [statusLine = '', ...lines] = raw.split('\r\n')
  const headers = lines.flatMap((line): [string, string][] => {
    const colon = line.indexOf(':')
    return colon <= 0 ? [] : [[line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]]
  })
  return { status: Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0), statusLine, headers }
}

function record(
  request: HandshakeRequest,
  direction: 'sent' | 'received',
  summary: string,
  raw: string,
): void {
  const harness = { transport: 'HTTPS', address: 'harness', port: 0 }
  const epcscf = { transport: 'HTTPS', address: request.host, port: request.port }
  request.trace.record({
    observer: OBSERVER,
    direction,
    leg: 'W2',
    from: direction === 'sent' ? harness : epcscf,
    to: direction === 'sent' ? epcscf : harness,
    raw,
    summary,
  })
}
