/** One thread of the UDP generator (`runUdpRegistrationsInThreads`): runs its share and posts the result. */
import { parentPort, workerData } from 'node:worker_threads'
import { runUdpRegistrations, type UdpRegistrationRun } from './udp-registrations.ts'

runUdpRegistrations(workerData as UdpRegistrationRun).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (error: unknown) =>
    parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
)
