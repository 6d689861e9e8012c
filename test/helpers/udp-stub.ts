import dgram from 'node:dgram'
import { parseMessage } from '../../support/sip/parse.ts'

/** A UDP socket bound to an ephemeral port on 127.0.0.1. */
export async function bindUdp(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return socket
}

/** A raw UDP socket standing in for a remote peer: records every datagram it gets with the arrival time. */
export class UdpStub {
  readonly arrivals: { at: number; text: string }[] = []
  private waiters: (() => void)[] = []

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data) => {
      this.arrivals.push({ at: performance.now(), text: data.toString() })
      for (const w of this.waiters.splice(0)) w()
    })
  }

  static async start(): Promise<UdpStub> {
    return new UdpStub(await bindUdp())
  }

  get port(): number {
    return this.socket.address().port
  }

  async waitFor(count: number): Promise<void> {
    while (this.arrivals.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  send(text: string, port: number): void {
    this.socket.send(text, port, '127.0.0.1')
  }

  /** The arrivals as one-line summaries (`200 OK (REGISTER)`). */
  summaries(): string[] {
    return this.arrivals.map((a) => parseMessage(a.text).summary())
  }

  close(): void {
    this.socket.close()
  }
}
