/**
 * RFC 3261 timer values. T1 is the RTT estimate, T2 the maximum retransmit interval for non-INVITE requests
 * and INVITE responses, T4 the maximum duration a message remains in the network (RFC 3261 §17.1.1.1,
 * Table 4). Defaults 500, 4000, 5000 ms; tests use small values.
 */
export interface TimerSettings {
  T1: number
  T2: number
  T4: number
}

export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = { T1: 500, T2: 4000, T4: 5000 }

/** Names of the RFC 3261 §17 transaction timers (Table 4), plus the harness deadline C (see `deriveTimers`). */
export type TimerName = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K'

/** Durations in ms of the RFC 3261 Table 4 timers for one transport kind. A and E/G are initial intervals. */
export type TransactionTimers = Readonly<Record<TimerName, number>>

/** Default of the Proceeding-state deadline of INVITE client transactions (Timer C is "> 3 min", §16.6). */
export const DEFAULT_TIMER_C = 180_000

/**
 * The Table 4 values for a reliable (TCP, TLS, WS, WSS) or unreliable (UDP) transport:
 * - A = T1 (INVITE request retransmit interval, doubling, UDP only), B = F = H = 64*T1;
 * - E, G = T1, doubling up to T2 (UDP only);
 * - D = max(32 s, 64*T1) on UDP ("at least 32 seconds for unreliable transports", §17.1.1.2), 0 reliable;
 * - I = K = T4 on UDP, 0 on reliable transports; J = 64*T1 on UDP, 0 on reliable transports.
 * C is not a transaction timer: RFC 3261 gives INVITE client transactions no deadline in Proceeding; the harness
 * bounds every wait, so it borrows the proxy's Timer C (RFC 3261 §16.6 step 11, "> 3 min").
 */
export function deriveTimers(
  settings: TimerSettings,
  reliable: boolean,
  timerC = DEFAULT_TIMER_C,
): TransactionTimers {
  const { T1, T4 } = settings
  const udp = (value: number): number => (reliable ? 0 : value)
  return {
    A: udp(T1),
    B: 64 * T1,
    C: timerC,
    D: udp(Math.max(32_000, 64 * T1)),
    E: udp(T1),
    F: 64 * T1,
    G: udp(T1),
    H: 64 * T1,
    I: udp(T4),
    J: udp(64 * T1),
    K: udp(T4),
  }
}

/** The next retransmit interval: doubled, capped at `cap` when given (Timer E and G cap at T2; A does not). */
export function backoff(interval: number, cap?: number): number {
  const doubled = interval * 2
  return cap === undefined ? doubled : Math.min(doubled, cap)
}

/**
 * Named one-shot timers of one transaction, with its Table 4 durations; unref'd so that they never keep a
 * process alive.
 */
export class TimerSet {
  private readonly timers = new Map<TimerName, NodeJS.Timeout>()
  /** Current interval of each retransmission timer (A, E, G). */
  private readonly intervals = new Map<TimerName, number>()

  constructor(
    private readonly durations: TransactionTimers,
    private readonly fire: (name: TimerName) => void,
  ) {}

  /** (Re)starts a timer, for its Table 4 duration unless `ms` is given. */
  start(name: TimerName, ms = this.durations[name]): void {
    this.stop(name)
    const timer = setTimeout(() => {
      this.timers.delete(name)
      this.fire(name)
    }, ms)
    timer.unref()
    this.timers.set(name, timer)
  }

  /** Starts a timer, or fires it at once when its duration is zero (reliable transports). */
  arm(name: TimerName): void {
    const ms = this.durations[name]
    if (ms <= 0) this.fire(name)
    else this.start(name, ms)
  }

  /** Starts a retransmission timer at its initial interval (A = T1, E = G = T1). */
  startRetransmit(name: TimerName): void {
    this.intervals.set(name, this.durations[name])
    this.start(name, this.durations[name])
  }

  /** Restarts a retransmission timer with its interval doubled, capped at `cap` when given (see `backoff`). */
  restartDoubled(name: TimerName, cap?: number): void {
    const interval = backoff(this.intervals.get(name) ?? this.durations[name], cap)
    this.intervals.set(name, interval)
    this.start(name, interval)
  }

  stop(...names: TimerName[]): void {
    for (const name of names) {
      const timer = this.timers.get(name)
      if (timer) clearTimeout(timer)
      this.timers.delete(name)
    }
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
