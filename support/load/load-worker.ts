/**
 * A WIC generator, a worker thread or a process of its own (generator-channel.ts): runs its share of the arrivals
 * (`WorkerConfig`), reports counts and latencies once a second, and on `stop` closes every WIC and connection
 * within a deadline.
 */
import { arrivalTime } from './arrival-schedule.ts'
import { Flood } from './flood.ts'
import { joinCoordinator } from './generator-channel.ts'
import { heapAfterGc, loadTrace, type CoordinatorMessage, type WorkerMessage } from './load-config.ts'
import { LoadWics } from './load-wics.ts'
import { TickRecorder } from './tick-recorder.ts'

const line = await joinCoordinator()
const config = line.config
/** The generator keeps almost no trace: a load run is measured, not reported message by message. */
const trace = loadTrace()
const recorder = new TickRecorder(config.index)
const wics = new LoadWics(config, recorder, trace)
const flood = new Flood(config.target, config.halfOpenS, recorder, trace)
let arrivals = 0
/** Clears the schedules' timers and the tick. */
const stoppers: (() => void)[] = []
let stopped = false
/** How late the generator fired an arrival, at most, since the last tick (ms). */
let lagMs = 0

function post(message: WorkerMessage): void {
  line.post(message)
}

function gauges() {
  return {
    open: wics.openCount,
    registered: wics.registeredCount,
    halfOpen: flood.halfOpen,
    halfOpenClosedEarly: flood.closedEarly,
    arrivals,
    lagMs: Math.round(lagMs),
    heapUsed: process.memoryUsage().heapUsed,
  }
}

/** Most arrivals fired in one turn of the event loop: a late thread catches up without starving its own I/O. */
const BURST = 20

/**
 * Fires `run` at each arrival of the plan after `startAt` (+ `offsetS`). A thread that falls behind fires the
 * arrivals that are due, BURST per turn, and reports how late it was (`lagMs`, the largest lag of the interval):
 * an open-loop generator that cannot keep its schedule says so rather than quietly lowering the rate.
 */
function schedule(
  startAt: number,
  offsetS: number,
  at: (k: number) => number | undefined,
  run: () => void,
): void {
  let k = 0
  let timer: NodeJS.Timeout | undefined
  const next = (): void => {
    if (stopped) return
    const now = performance.timeOrigin + performance.now()
    for (let fired = 0; ; fired += 1) {
      const due = at(k)
      if (due === undefined) return
      const dueAt = startAt + (offsetS + due) * 1000
      if (dueAt > now || fired === BURST) {
        timer = setTimeout(next, Math.max(0, dueAt - now))
        return
      }
      lagMs = Math.max(lagMs, now - dueAt)
      k += 1
      run()
    }
  }
  stoppers.push(() => clearTimeout(timer))
  next()
}

function oneArrival(): void {
  arrivals += 1
  const { workload, callShare } = config
  if (workload === 'call') void wics.call()
  else if (workload === 'mixed' && Math.random() < callShare)
    void wics.call().then((placed) => (placed ? undefined : wics.arrive()))
  else void wics.arrive()
}

function start(startAt: number): void {
  schedule(startAt, 0, (k) => arrivalTime(config.plan, k), oneArrival)
  if (config.workload === 'flood' && config.floodRate > 0) {
    const floodPlan = {
      rate: config.floodRate,
      rampS: 0,
      durationS: config.plan.durationS - config.floodFromS,
      limit: Infinity,
    }
    schedule(
      startAt,
      config.floodFromS,
      (k) => arrivalTime(floodPlan, k),
      () => void flood.attack(),
    )
  }
  const tick = setInterval(() => {
    post(recorder.flush(gauges()))
    lagMs = 0
  }, 1000)
  stoppers.push(() => clearInterval(tick))
}

async function stop(): Promise<void> {
  if (stopped) return
  stopped = true
  for (const stopper of stoppers) stopper()
  flood.stop()
  await wics.closeAll(Math.max(2000, config.target.waitMs))
  post({ kind: 'done', worker: config.index, tick: recorder.flush(gauges()) })
  line.close()
}

line.onMessage((message: CoordinatorMessage) => {
  if (message.kind === 'start') start(message.startAt)
  else if (message.kind === 'heap') post({ kind: 'heap', worker: config.index, heapUsed: heapAfterGc() })
  else void stop()
})

async function prepare(): Promise<void> {
  await wics.init()
  // The `call` workload places its calls from a pool of WICs registered before the arrivals start.
  if (config.workload === 'call')
    await Promise.all(Array.from({ length: config.pool }, () => wics.arrive(Infinity)))
  post({ kind: 'ready', worker: config.index })
}

void prepare()
