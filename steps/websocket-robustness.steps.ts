import { Then, When } from '@cucumber/cucumber'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import {
  checkEdgeSurvived,
  checkFragmentedProcessed,
  checkFrameAttackAnswered,
  checkSecondMessageNotProcessed,
  checkTortureAnswered,
  type FrameAttack,
  type FrameAttackOutcome,
  type SmuggledOutcome,
  type SurvivalOutcome,
} from '../support/checks/robustness-checks.ts'
import { HarnessError, ScenarioMisuse, SutDied } from '../support/errors.ts'
import { HalfOpenConnections } from '../support/probe/half-open.ts'
import { OPCODE, RawWebSocket } from '../support/wic/raw-frames.ts'
import type { ActorName, HarnessWorld } from '../support/world/harness-world.ts'

// ---- issue 9 §5: a WebSocket edge that survives hostile clients (RFC 6455, RFC 7118 §5, RFC 4475) ---------------

/** The hostile WIC's raw WebSocket, what it sent, and what came back, per scenario. */
const hostile = new WeakMap<HarnessWorld, HostileSent>()

When(
  'a hostile WIC sends a REGISTER for {actor} in three WebSocket frames',
  async function (this: HarnessWorld, actor: ActorName) {
    hostile.set(this, await sendFragmentedRegister(this, actor))
  },
)

Then('the eP-CSCF answers the fragmented REGISTER', function (this: HarnessWorld) {
  const sent = hostile.get(this)
  checkFragmentedProcessed(sent?.answer, sent?.callId ?? '', this.env.profile.waitMs)
})

When(
  /^a hostile WIC sends (an unmasked frame|invalid UTF-8|an oversized message) on its WebSocket$/,
  async function (this: HarnessWorld, what: string) {
    const attack = what.replace(/^an? /, '') as FrameAttack
    const raw = await openHostile(this, attack)
    hostile.set(this, { raw, after: attack, attack: await frameAttack(this, raw, attack) })
  },
)

Then('the eP-CSCF fails that WebSocket connection as RFC 6455 prescribes', function (this: HarnessWorld) {
  checkFrameAttackAnswered(hostile.get(this)?.attack)
})

When(
  'a hostile WIC sends the RFC 4475 message {string} on its WebSocket',
  async function (this: HarnessWorld, file: string) {
    hostile.set(this, await sendTorture(this, file))
  },
)

Then(
  'the eP-CSCF answers the message {string} with 400 or drops it',
  function (this: HarnessWorld, file: string) {
    checkTortureAnswered(file, hostile.get(this)?.answer)
  },
)

Then(
  "{actor}'s WIC, connecting afresh, still registers",
  async function (this: HarnessWorld, actor: ActorName) {
    const sent = hostile.get(this)
    const outcome = await freshRegistration(this, actor, sent?.after ?? 'hostile input')
    checkEdgeSurvived({ ...outcome, exhaustion: sent?.exhaustion === true })
  },
)

When(
  'a hostile WIC sends a REGISTER for {actor} and one for {actor} in one WebSocket message',
  async function (this: HarnessWorld, first: ActorName, second: ActorName) {
    hostile.set(this, await sendTwoInOne(this, first, second))
  },
)

Then('nothing of the second REGISTER reaches the S-CSCF', function (this: HarnessWorld) {
  checkSecondMessageNotProcessed(hostile.get(this)?.smuggled)
})

When(
  'a hostile client holds {int} half-open TLS connections to the eP-CSCF',
  async function (this: HarnessWorld, count: number) {
    hostile.set(this, await holdHalfOpen(this, count))
  },
)

/** Two REGISTERs, each with Content-Length, in one text message; what reached Mw or came back of the second. */
async function sendTwoInOne(world: HarnessWorld, first: ActorName, second: ActorName): Promise<HostileSent> {
  const raw = await openHostile(world, 'two SIP messages in one WebSocket message')
  const one = hostileRegister(world, first)
  const two = hostileRegister(world, second)
  raw.sendFrame(
    { opcode: OPCODE.text, payload: Buffer.from(one.text + two.text) },
    'two REGISTERs, one message',
  )
  const waitedMs = world.env.profile.waitMs
  const answers: string[] = []
  const until = Date.now() + waitedMs
  for (let left = waitedMs; left > 0; left = until - Date.now()) {
    const message = await raw.nextMessage(left)
    if (message === undefined) break
    if (message.includes(two.callId)) answers.push(message.split('\r\n')[0] ?? '')
  }
  // A connection the eP-CSCF closed ends the answers, not the watch on Mw: the rest of the window is waited out.
  await delay(Math.max(0, until - Date.now()))
  const atMw = world.env.scscf.allReceived
    .map((entry) => entry.request.toString())
    .filter((text) => text.includes(two.callId))
    .map((text) => text.split('\r\n')[0] ?? '')
  const smuggled: SmuggledOutcome = { marker: two.callId, atMw, answers, waitedMs }
  return { raw, after: 'WebSocket message with two SIP messages', smuggled }
}

/** Opens the half-open connections and holds them until teardown; the count goes into the report. */
async function holdHalfOpen(world: HarnessWorld, count: number): Promise<HostileSent> {
  const held = await world.guard(
    HalfOpenConnections.open({
      host: world.env.profile.epcscf.wss.host,
      port: world.env.ports.wss,
      count,
      connectTimeoutMs: world.env.profile.waitMs,
    }),
  )
  world.teardown.defer(`close ${count} half-open TLS connections`, () => held.close())
  world.attach(held.describe(), { mediaType: 'text/plain', fileName: 'half-open.txt' })
  return { after: held.describe(), exhaustion: true }
}

type HostileSent = {
  exhaustion?: boolean
  raw?: RawWebSocket
  callId?: string
  attack?: FrameAttackOutcome
  after: string
  answer?: string
  smuggled?: SmuggledOutcome
}

/** A REGISTER for the actor split over a text frame and two continuation frames; the answer, if any. */
async function sendFragmentedRegister(world: HarnessWorld, actor: ActorName): Promise<HostileSent> {
  const raw = await openHostile(world, 'fragmented REGISTER')
  const { text, callId } = hostileRegister(world, actor)
  sendInFrames(raw, Buffer.from(text), 3)
  return { raw, callId, after: 'fragmented REGISTER', ...(await answerOf(raw, world.env.profile.waitMs)) }
}

/** An RFC 4475 fixture as one text message; the answer, if any. */
async function sendTorture(world: HarnessWorld, file: string): Promise<HostileSent> {
  const raw = await openHostile(world, `RFC 4475 ${file}`)
  raw.sendFrame({ opcode: OPCODE.text, payload: tortureMessage(file) }, `RFC 4475 ${file}`)
  return { raw, after: `RFC 4475 message ${file}`, ...(await answerOf(raw, world.env.profile.waitMs)) }
}

/** A raw WSS connection from the authorized origin, closed at teardown. */
async function openHostile(world: HarnessWorld, what: string): Promise<RawWebSocket> {
  const { wss, origin } = world.env.profile.epcscf
  const raw = await world.guard(
    RawWebSocket.open({
      host: wss.host,
      port: world.env.ports.wss,
      path: wss.path,
      servername: wss.serverName,
      ca: world.env.caPem,
      origin: origin.allowed[0],
      timeoutMs: world.env.profile.waitMs,
      trace: world.env.trace,
    }),
  )
  world.teardown.defer(`close the hostile WebSocket (${what})`, () => raw.close())
  return raw
}

async function answerOf(raw: RawWebSocket, waitMs: number): Promise<{ answer?: string }> {
  const answer = await raw.nextMessage(waitMs)
  return answer === undefined ? {} : { answer }
}

/** A REGISTER as a WIC writes it (RFC 7118 §5.2 Via, RFC 5626 Contact), without credentials. */
function hostileRegister(world: HarnessWorld, actor: ActorName): { text: string; callId: string } {
  const { impu } = world.subscriber(actor)
  const id = randomBytes(8).toString('hex')
  const lines = [
    `REGISTER sip:${world.env.profile.domain} SIP/2.0`,
    `Via: SIP/2.0/WSS ${id}.invalid;branch=z9hG4bK${id};rport`,
    'Max-Forwards: 70',
    `From: <${impu}>;tag=${id}`,
    `To: <${impu}>`,
    `Call-ID: ${id}@hostile.invalid`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${id}@${id}.invalid;transport=ws>;expires=600`,
    'Expires: 600',
    'Content-Length: 0',
  ]
  return { text: `${lines.join('\r\n')}\r\n\r\n`, callId: `${id}@hostile.invalid` }
}

/** `text` as one text frame and `count - 1` continuation frames, the last with FIN (RFC 6455 §5.4). */
function sendInFrames(raw: RawWebSocket, text: Buffer, count: number): void {
  const size = Math.ceil(text.length / count)
  for (let i = 0; i < count; i++) {
    const payload = text.subarray(i * size, (i + 1) * size)
    const opcode = i === 0 ? OPCODE.text : OPCODE.continuation
    raw.sendFrame({ opcode, payload, fin: i === count - 1 }, `fragment ${i + 1} of ${count}`)
  }
}

const ONE_MIB = 1024 * 1024

/** Sends the attack and watches the connection for waitMs. */
async function frameAttack(
  world: HarnessWorld,
  raw: RawWebSocket,
  attack: FrameAttack,
): Promise<FrameAttackOutcome> {
  const options = `OPTIONS sip:${world.env.profile.domain} SIP/2.0\r\nContent-Length: 0\r\n\r\n`
  if (attack === 'unmasked frame')
    raw.sendFrame({ opcode: OPCODE.text, payload: Buffer.from(options), mask: false }, 'unmasked text frame')
  else if (attack === 'invalid UTF-8')
    raw.sendFrame(
      {
        opcode: OPCODE.text,
        payload: Buffer.concat([Buffer.from(options.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff])]),
      },
      'text frame with invalid UTF-8',
    )
  else
    raw.sendFrame(
      { opcode: OPCODE.text, payload: Buffer.alloc(ONE_MIB + 1, 0x41) },
      'text message of 1 MiB + 1 byte',
    )
  const waitedMs = world.env.profile.waitMs
  const answered = await raw.nextMessage(waitedMs)
  const close = await raw.awaitClose(answered === undefined ? 0 : waitedMs)
  return { attack, close, answered: answered?.split('\r\n')[0], waitedMs }
}

function tortureMessage(file: string): Buffer {
  if (!/^[a-z0-9]+$/.test(file)) throw new ScenarioMisuse(`"${file}" is not an RFC 4475 fixture name`)
  return readFileSync(new URL(`../test/fixtures/rfc4475/${file}.dat`, import.meta.url))
}

/** The actor's fresh WIC connects and registers; any failure to do so is the outcome, not an error. */
async function freshRegistration(
  world: HarnessWorld,
  actor: ActorName,
  after: string,
): Promise<SurvivalOutcome> {
  try {
    const wic = await world.connect(actor, world.env.profile.epcscf.origin.allowed[0])
    const outcome = await world.register(actor, () => wic.register())
    return { after, status: outcome.final.status, error: undefined }
  } catch (error) {
    if (
      error instanceof HarnessError &&
      (error.side === 'harness' || error.side === 'environment') &&
      !(error instanceof SutDied)
    )
      throw error
    return { after, status: undefined, error: error instanceof Error ? error.message : String(error) }
  }
}
