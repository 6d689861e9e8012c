/// <reference lib="dom" />
/**
 * The WIC page of JsSIP 3.x (bundled for the browser by support/browser/page-bundle.ts). It exposes
 * `window.harnessWic` (page-api.ts) and logs the library's debug output to the console, which the driver records.
 * Browser code: no Node modules here.
 */
import * as JsSIP from 'jssip'
import { wireLoginForm } from './login-form.ts'
import { initialState, type PageWic, type PageWicState } from './page-api.ts'

JsSIP.debug.enable('JsSIP:*')

type RTCSession = ReturnType<JsSIP.UA['call']>

let state: PageWicState = initialState(`JsSIP ${JsSIP.version}`)
let ua: JsSIP.UA | undefined
let socket: JsSIP.WebSocketInterface | undefined
let session: RTCSession | undefined

const update = (change: Partial<PageWicState>): void => {
  state = { ...state, ...change }
}
const fail = (error: unknown): void => {
  update({ errors: [...state.errors, error instanceof Error ? error.message : String(error)] })
}
const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } }

function userAgent(): JsSIP.UA {
  if (ua === undefined) throw new Error('harnessWic.start() was not called')
  return ua
}

function track(s: RTCSession, originating: boolean): void {
  session = s
  s.on('confirmed', () => update({ call: 'established' }))
  s.on('accepted', (e: { response?: { status_code?: number } }) => {
    if (originating) update({ callStatus: e.response?.status_code })
  })
  s.on('failed', (e) => {
    const status = (e.message as { status_code?: number } | undefined)?.status_code
    update({ call: 'failed', ...(originating ? { callStatus: status } : {}) })
    fail(`call failed: ${String(e.cause)}`)
  })
  s.on('ended', () => update({ call: 'terminated' }))
}

const api: PageWic = {
  start(c) {
    socket = new JsSIP.WebSocketInterface(c.wsUrl)
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: c.impu,
      authorization_user: c.impi,
      password: c.password,
      registrar_server: `sip:${c.domain}`,
      register: false,
      session_timers: false,
      // One attempt: a refused WebSocket is the outcome judged, not something to retry for minutes.
      connection_recovery_min_interval: 600,
      connection_recovery_max_interval: 600,
    })
    ua.on('connecting', () => update({ socket: 'connecting' }))
    ua.on('connected', () => {
      const ws = (socket as unknown as { _ws?: WebSocket })._ws
      update({ socket: 'open', protocol: ws?.protocol })
    })
    ua.on('disconnected', () => update({ socket: 'closed' }))
    ua.on('registered', (e) =>
      update({ registration: 'registered', registrationStatus: e.response.status_code }),
    )
    ua.on('unregistered', () => update({ registration: 'unregistered' }))
    ua.on('registrationFailed', (e) =>
      update({ registration: 'failed', registrationStatus: e.response?.status_code }),
    )
    ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
      if (e.originator !== 'remote') return
      update({ call: 'incoming' })
      track(e.session, false)
    })
    update({ socket: 'connecting' })
    ua.start()
  },
  register() {
    update({ registration: 'registering' })
    userAgent().register()
  },
  registerWithToken(authorization) {
    // JsSIP puts authorization_jwt, verbatim, as the Authorization of its requests.
    userAgent().set('authorization_jwt', authorization)
    api.register()
  },
  unregister() {
    userAgent().unregister()
  },
  call(target) {
    update({ call: 'calling', callStatus: undefined })
    try {
      track(userAgent().call(target, media), true)
    } catch (error) {
      update({ call: 'failed' })
      fail(error)
    }
  },
  answer() {
    if (session === undefined) return fail('answer: no incoming call')
    try {
      session.answer(media)
    } catch (error) {
      fail(error)
    }
  },
  hangup() {
    try {
      session?.terminate()
    } catch (error) {
      fail(error)
    }
  },
  stop() {
    ua?.stop()
  },
  state: () => state,
}

window.harnessWic = api
wireLoginForm((outcome) => update(outcome))
