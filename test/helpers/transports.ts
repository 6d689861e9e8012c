import type { TraceRecorder } from '../../support/trace/trace-recorder.ts'
import type { TraceTag } from '../../support/transport/peer.ts'
import { TcpTransport } from '../../support/transport/tcp-transport.ts'
import { UdpTransport } from '../../support/transport/udp-transport.ts'

type Leg = TraceTag['leg']

/** Listening options for an ephemeral port of 127.0.0.1, recording into `trace` as `observer`. */
const loopback = (trace: TraceRecorder, observer: string, leg: Leg) =>
  ({ address: '127.0.0.1', port: 0, trace, observer, leg }) as const

/** A UDP transport on an ephemeral port of 127.0.0.1. */
export const localUdp = (trace: TraceRecorder, observer: string, leg: Leg = 'Mw'): Promise<UdpTransport> =>
  UdpTransport.listen(loopback(trace, observer, leg))

/** A TCP transport listening on an ephemeral port of 127.0.0.1. */
export const localTcp = (trace: TraceRecorder, observer: string, leg: Leg = 'Mw'): Promise<TcpTransport> =>
  TcpTransport.listen(loopback(trace, observer, leg))
