/// <reference lib="dom" />
/**
 * The WIC page of SIP.js 0.21 (bundled for the browser by support/browser/page-bundle.ts): the library's own
 * WebSocket transport and Web session description handler, behind `window.harnessWic` (page-api.ts). Its log goes
 * to the console (logBuiltinEnabled), which the driver records. Browser code: no Node modules here.
 */
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  version,
  type Session,
} from 'sip.js'
import { wireLoginForm } from './login-form.ts'
import { initialState, type PageWic, type PageWicState } from './page-api.ts'

let state: PageWicState = initialState(`SIP.js ${version}`)
let ua: UserAgent | undefined
let registerer: Registerer | undefined
let session: Session | undefined

const update = (change: Partial<PageWicState>): void => {
  state = { ...state, ...change }
}
const fail = (error: unknown): void => {
  update({ errors: [...state.errors, error instanceof Error ? error.message : String(error)] })
}
/** What the page reads of a final response (sip.js core's IncomingResponse). */
interface IncomingResponse {
  readonly message: { readonly statusCode?: number }
}

const audioOnly = { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } }

function track(s: Session): void {
  session = s
  s.stateChange.addListener((next) => {
    if (next === SessionState.Established) update({ call: 'established' })
    if (next === SessionState.Terminated && state.call !== 'failed') update({ call: 'terminated' })
  })
}

function parts(): { ua: UserAgent; registerer: Registerer } {
  if (ua === undefined || registerer === undefined) throw new Error('harnessWic.start() was not called')
  return { ua, registerer }
}

const api: PageWic & { register(authorization?: string): void } = {
  start(c) {
    const uri = UserAgent.makeURI(c.impu)
    const registrar = UserAgent.makeURI(`sip:${c.domain}`)
    if (uri === undefined || registrar === undefined)
      return fail(`not a SIP URI: ${c.impu} or sip:${c.domain}`)
    ua = new UserAgent({
      uri,
      transportOptions: { server: c.wsUrl },
      authorizationUsername: c.impi,
      authorizationPassword: c.password,
      logLevel: 'debug',
      logBuiltinEnabled: true,
      reconnectionAttempts: 0,
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 2000,
      },
      delegate: {
        onInvite(invitation: Invitation) {
          update({ call: 'incoming' })
          track(invitation)
        },
        onConnect() {
          const ws = (ua?.transport as unknown as { ws?: WebSocket } | undefined)?.ws
          update({ socket: 'open', protocol: ws?.protocol })
        },
        onDisconnect() {
          update({ socket: 'closed' })
        },
      },
    })
    registerer = new Registerer(ua, { registrar, regId: 1 })
    registerer.stateChange.addListener((next) => {
      if (next === RegistererState.Registered) update({ registration: 'registered' })
      if (next === RegistererState.Unregistered && state.registration === 'registered')
        update({ registration: 'unregistered' })
    })
    update({ socket: 'connecting' })
    ua.start().catch((error: unknown) => {
      update({ socket: 'closed' })
      fail(error)
    })
  },
  register(authorization?: string) {
    update({ registration: 'registering' })
    const outcome = (response: IncomingResponse, ok: boolean): void =>
      update({
        registrationStatus: response.message.statusCode,
        ...(ok ? {} : { registration: 'failed' as const }),
      })
    parts()
      .registerer.register({
        ...(authorization === undefined
          ? {}
          : { requestOptions: { extraHeaders: [`Authorization: ${authorization}`] } }),
        requestDelegate: {
          onAccept: (response) => outcome(response, true),
          onReject: (response) => outcome(response, false),
        },
      })
      .catch((error: unknown) => {
        update({ registration: 'failed' })
        fail(error)
      })
  },
  registerWithToken(authorization) {
    api.register(authorization)
  },
  unregister() {
    parts().registerer.unregister().catch(fail)
  },
  call(target) {
    const to = UserAgent.makeURI(target)
    if (to === undefined) return fail(`not a SIP URI: ${target}`)
    const inviter = new Inviter(parts().ua, to, audioOnly)
    track(inviter)
    update({ call: 'calling', callStatus: undefined })
    inviter
      .invite({
        requestDelegate: {
          onAccept: (response) => update({ callStatus: response.message.statusCode }),
          onReject: (response) => update({ call: 'failed', callStatus: response.message.statusCode }),
        },
      })
      .catch((error: unknown) => {
        update({ call: 'failed' })
        fail(error)
      })
  },
  answer() {
    if (!(session instanceof Invitation)) return fail('answer: no incoming call')
    session.accept(audioOnly).catch(fail)
  },
  hangup() {
    const s = session
    if (s === undefined) return
    const ended =
      s.state === SessionState.Established
        ? s.bye()
        : s instanceof Inviter
          ? s.cancel()
          : s instanceof Invitation
            ? s.reject()
            : Promise.resolve()
    Promise.resolve(ended).catch(fail)
  },
  stop() {
    ua?.stop().catch(fail)
  },
  state: () => state,
}

window.harnessWic = api
wireLoginForm((outcome) => update(outcome))
