import { NoAnswer } from './errors.ts'

/**
 * Resolves like `promise`, or rejects after `ms` with SIP_TIMEOUT_AWAITING and a message naming what was
 * awaited (`what`, e.g. "a final response from the eP-CSCF to the S-CSCF's MESSAGE"). The timer never keeps the
 * process alive.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`expected ${what} within ${ms} ms`)), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
