import type { SipRequest } from './message.ts'
import { parseNameAddrList } from './name-addr.ts'
import { getParam } from './params.ts'

/**
 * A REGISTER that removes its bindings: RFC 3261 §10.2.2, "a UA requests the immediate removal of a binding by
 * specifying an expiration interval of "0" for that contact address", in the Contact's expires parameter or the
 * Expires header field (§10.3 step 7 reads the parameter first). `Contact: *` with Expires 0 counts too.
 */
export function isDeregistration(register: SipRequest): boolean {
  const header = register.get('Expires')?.trim()
  const values = register.getAll('Contact')
  if (values.some((value) => value.trim() === '*')) return header === '0'
  const contacts = values.flatMap((value) => parseNameAddrList(value))
  return (
    contacts.length > 0 &&
    contacts.every((contact) => Number(getParam(contact.params, 'expires') ?? header) === 0)
  )
}
