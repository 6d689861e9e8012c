/**
 * The preloaded Route of a WIC's initial request, as a 3GPP UE builds it. TS 24.229 §5.1.2A.1.1 (reasoned from
 * memory of its wording): the UE "shall build a proper preloaded Route header field value for all new dialogs and
 * standalone transactions", from the Service-Route of its last successful registration (RFC 3608 §6.1: "the UA
 * MUST use the Service-Route ... as a preloaded route" for requests of that registration). A REGISTER has none
 * (RFC 3608 §6.1 applies to other requests), nor has a request inside a dialog (its route set comes from the
 * dialog, RFC 3261 §12.2.1.1).
 */

/**
 * Route values for an out-of-dialog request: the caller's explicit `route` when it gives one (negative tests
 * preload what they choose, `[]` for none), else the stored Service-Route for any initial request but REGISTER.
 */
export function initialRoute(
  method: string,
  explicit: readonly string[] | undefined,
  serviceRoute: readonly string[],
  to: string | undefined,
): readonly string[] {
  if (explicit !== undefined) return explicit
  if (method.toUpperCase() === 'REGISTER') return []
  if (to !== undefined && /;\s*tag\s*=/i.test(to)) return []
  return serviceRoute
}
