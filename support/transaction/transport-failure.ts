import { HarnessError, TransportFailed } from '../errors.ts'
import type { SipMessage } from '../sip/message.ts'

/** A failed send as the transport error event of RFC 3261 §17.1.4 / §17.2.4: a HarnessError, kept as it is. */
export function transportFailure(error: unknown, message: SipMessage): HarnessError {
  return error instanceof HarnessError
    ? error
    : new TransportFailed(`sending ${message.summary()}: ${String(error)}`, { cause: error })
}
