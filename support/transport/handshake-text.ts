import type { ClientRequest, IncomingMessage } from 'node:http'

/** The opening handshake request as it goes on the wire (RFC 6455 §4.1), rebuilt from the request object. */
export function requestText(req: ClientRequest): string {
  const lines = [`${req.method} ${req.path} HTTP/1.1`]
  for (const name of req.getRawHeaderNames()) {
    const value = req.getHeader(name)
    const values = Array.isArray(value) ? value : [String(value)]
    for (const v of values) lines.push(`${name}: ${v}`)
  }
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** The handshake response status line and header fields as received, plus the body when there is one. */
export function responseText(res: IncomingMessage, body = ''): string {
  const lines = [`HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`]
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}
