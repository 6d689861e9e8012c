/** A queue of messages with a deadline on every wait. */
export class Inbox<T> {
  private readonly items: T[] = []
  private readonly waiters: ((item: T) => void)[] = []

  push(item: T): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter(item)
    else this.items.push(item)
  }

  next(what: string, within = 2000): Promise<T> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`nothing arrived within ${within} ms while awaiting ${what}`))
      }, within)
      const waiter = (value: T): void => {
        clearTimeout(timer)
        resolve(value)
      }
      this.waiters.push(waiter)
    })
  }

  /** Resolves true when nothing arrives within `ms`. */
  async quiet(ms: number): Promise<boolean> {
    try {
      await this.next('silence', ms)
      return false
    } catch {
      return true
    }
  }
}
