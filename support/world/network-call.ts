/**
 * The mock core's network user agent calls an actor: the newest binding of the actor's IMPU at the S-CSCF (a
 * scripted WIC's or a browser page's registration), along its Path. Failures surface in the steps that await it.
 */
import { ScenarioMisuse } from '../errors.ts'
import type { NetworkCall } from '../scscf/network-ua.ts'
import type { ActorName, HarnessWorld } from './harness-world.ts'

export function callFromNetwork(world: HarnessWorld, actor: ActorName): Promise<NetworkCall> {
  const impu = world.subscriber(actor).impu
  const binding = world.env.scscf.bindings(impu).sort((a, b) => b.registeredAt - a.registeredAt)[0]
  if (binding === undefined) throw new ScenarioMisuse(`step: ${actor} has no binding at the S-CSCF`)
  const call = world.env.scscf.calls.network.call(binding, impu)
  call.catch(() => undefined)
  return call
}
