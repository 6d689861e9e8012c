import { ScenarioMisuse } from '../errors.ts'

/**
 * Registration state of one WIC (one instance-id / reg-id flow, RFC 5626 §4.2), driven by the REGISTER
 * transactions of RFC 3261 §10.2:
 *
 * ```
 *  unregistered ──begin──▶ registering ──challenge──▶ challenged ──success──▶ registered
 *        ▲                      │                         │                       │  │
 *        └────────failure───────┴─────────────────────────┘          refresh──────┘  └─begin-deregister─▶ deregistering
 *        ▲                                                                                                    │
 *        └──────────────────────────────────────────── success (Expires 0) ──────────────────────────────────┘
 * ```
 *
 * A refresh (RFC 3261 §10.2.1 "refreshing bindings") re-enters `registering`; when it fails while the binding
 * granted earlier has not yet expired, the machine returns to `registered` (a failed refresh does not remove
 * the binding at the registrar, RFC 3261 §10.3: only a successful request with expires 0 does). A challenge
 * to a de-registration keeps `deregistering`. The flow closing ends everything: with outbound the binding is
 * tied to that flow (RFC 5626 §5.3, RFC 7118 §5), so the WIC counts itself unregistered.
 */
export type RegistrationState = 'unregistered' | 'registering' | 'challenged' | 'registered' | 'deregistering'

export type RegistrationEvent =
  | 'begin' // a REGISTER with expires > 0 is sent (initial or refresh)
  | 'begin-deregister' // a REGISTER with expires 0 is sent (RFC 3261 §10.2.2)
  | 'challenge' // 401 / 407 answered with credentials (RFC 3261 §22.2)
  | 'success' // 2xx final response
  | 'failure' // any other final response, or no final response at all
  | 'closed' // the WebSocket flow closed

export interface RegistrationTransition {
  readonly from: RegistrationState
  readonly to: RegistrationState
  readonly event: RegistrationEvent
  readonly at: number
  readonly detail?: string | undefined
}

type Table = Record<RegistrationState, Partial<Record<RegistrationEvent, RegistrationState>>>

/** Static part of the table; `failure` and `success` from some states depend on the binding (see `next`). */
const TABLE: Table = {
  unregistered: { begin: 'registering', 'begin-deregister': 'deregistering', closed: 'unregistered' },
  registering: { challenge: 'challenged', success: 'registered', closed: 'unregistered' },
  challenged: { challenge: 'challenged', success: 'registered', closed: 'unregistered' },
  registered: { begin: 'registering', 'begin-deregister': 'deregistering', closed: 'unregistered' },
  deregistering: { challenge: 'deregistering', success: 'unregistered', closed: 'unregistered' },
}

export class RegistrationStateMachine {
  private current: RegistrationState = 'unregistered'
  private readonly log: RegistrationTransition[] = []
  /** Epoch ms until which the registrar granted the binding (from the last 2xx), if any. */
  private bindingUntil: number | undefined

  constructor(private readonly onTransition?: (t: RegistrationTransition) => void) {}

  get state(): RegistrationState {
    return this.current
  }

  get history(): readonly RegistrationTransition[] {
    return this.log
  }

  /** True while a REGISTER transaction (initial, refresh or de-registration) is in progress. */
  get busy(): boolean {
    return this.current === 'registering' || this.current === 'challenged' || this.current === 'deregistering'
  }

  /** Whether the binding granted by the last 2xx is still alive (its expires has not passed). */
  bindingAlive(now = Date.now()): boolean {
    return this.bindingUntil !== undefined && now < this.bindingUntil
  }

  /** Records how long the registrar granted the binding for (RFC 3261 §10.2.4: the 2xx Contact's expires). */
  grantBinding(expiresSeconds: number | undefined, now = Date.now()): void {
    this.bindingUntil = expiresSeconds === undefined ? undefined : now + expiresSeconds * 1000
  }

  /** The state `event` leads to from the current state, or undefined when the event is not allowed there. */
  next(event: RegistrationEvent): RegistrationState | undefined {
    if (event === 'failure') {
      if (this.current === 'unregistered' || this.current === 'registered') return undefined
      // A failed refresh or de-registration leaves the earlier binding in place (RFC 3261 §10.3).
      return this.bindingAlive() ? 'registered' : 'unregistered'
    }
    return TABLE[this.current][event]
  }

  /** Applies `event`; throws HarnessError('SIP_UNEXPECTED_MESSAGE') when the table does not allow it. */
  apply(event: RegistrationEvent, detail?: string): RegistrationTransition {
    const to = this.next(event)
    if (to === undefined) {
      throw new ScenarioMisuse(
        `registration state machine: event '${event}' is not allowed in state '${this.current}'` +
          (detail ? ` (${detail})` : ''),
      )
    }
    if (to === 'unregistered') this.bindingUntil = undefined
    const transition: RegistrationTransition = { from: this.current, to, event, at: Date.now(), detail }
    this.current = to
    this.log.push(transition)
    this.onTransition?.(transition)
    return transition
  }
}
