/**
 * The tiny API a WIC page exposes as `window.harnessWic`, the same for every client library, so that the Node side
 * (support/browser/browser-wic.ts) drives JsSIP and SIP.js alike. Pure types: imported by the page sources (bundled
 * for the browser) and by Node code.
 */

/** What the page needs to know: where the eP-CSCF is and whom it registers. */
export interface PageWicConfig {
  /** `wss://epcscf.harness.test:7443/`: the browser resolves the name through Chromium's host-resolver rules. */
  readonly wsUrl: string
  /** The public identity registered (IMPU), `sip:alice@ims.harness.test`. */
  readonly impu: string
  /** The private identity (IMPI), the digest username. */
  readonly impi: string
  readonly password: string
  /** The home domain (registrar URI `sip:<domain>`). */
  readonly domain: string
}

export type SocketState = 'idle' | 'connecting' | 'open' | 'closed'
export type RegistrationState = 'none' | 'registering' | 'registered' | 'failed' | 'unregistered'
export type CallState = 'idle' | 'calling' | 'incoming' | 'established' | 'terminated' | 'failed'

/** The page's view of itself, read by the Node side while it waits. */
export interface PageWicState {
  readonly library: string
  readonly socket: SocketState
  /** The subprotocol the browser's WebSocket agreed (`WebSocket.protocol`), once open. */
  readonly protocol: string | undefined
  readonly registration: RegistrationState
  /** The status of the last final response to a REGISTER, when the library tells it. */
  readonly registrationStatus: number | undefined
  readonly call: CallState
  /** The status of the final response to the call's INVITE (originating), when the library tells it. */
  readonly callStatus: number | undefined
  /** The WWSF login of the page's form (W1): its outcome, the HTTP status and the token it returned. */
  readonly login: 'none' | 'pending' | 'ok' | 'failed'
  readonly loginStatus: number | undefined
  readonly token: string | undefined
  /** Errors the page caught (a library exception, getUserMedia refused), newest last. */
  readonly errors: readonly string[]
}

export interface PageWic {
  /** Creates the library's user agent and opens its WebSocket. */
  start(config: PageWicConfig): void
  /** REGISTER with digest credentials (the library answers the 401 itself). */
  register(): void
  /** REGISTER presenting `authorization` (`Bearer <token>` as the profile carries it) instead of answering digest. */
  registerWithToken(authorization: string): void
  unregister(): void
  /** An INVITE to `target` with audio from the (fake) microphone: a genuine RTCPeerConnection offer. */
  call(target: string): void
  /** Answers the incoming call with audio. */
  answer(): void
  /** BYE (or CANCEL before the answer). */
  hangup(): void
  /** Stops the user agent and closes its WebSocket. */
  stop(): void
  state(): PageWicState
}

declare global {
  interface Window {
    harnessWic?: PageWic
  }
}

/** The state of a page whose library (name and version) has done nothing yet. */
export function initialState(library: string): PageWicState {
  return {
    library,
    socket: 'idle',
    protocol: undefined,
    registration: 'none',
    registrationStatus: undefined,
    call: 'idle',
    callStatus: undefined,
    login: 'none',
    loginStatus: undefined,
    token: undefined,
    errors: [],
  }
}
