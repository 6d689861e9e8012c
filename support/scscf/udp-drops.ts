import { readFileSync } from 'node:fs'

/**
 * Datagrams the kernel dropped at the UDP sockets bound to this local port (receive buffer full), as Linux counts
 * them in the last column ("drops") of /proc/net/udp and /proc/net/udp6. Undefined where that file is not there
 * (another OS): the drops are then not visible.
 */
export function udpDrops(port: number): number | undefined {
  let total: number | undefined
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    total ??= 0
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const local = fields[1]
      const drops = fields.at(-1)
      if (local === undefined || drops === undefined || fields.length < 13) continue
      if (Number.parseInt(local.split(':').at(-1) ?? '', 16) === port) total += Number(drops) || 0
    }
  }
  return total
}
