/** The next value a handler-registering function delivers: `next<Inbound>((h) => udp.onMessage(h))`. */
export function next<T>(register: (handler: (m: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve))
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
