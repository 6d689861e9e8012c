/**
 * Whoever starts a resource registers its stop in the same function; teardown runs last-in first-out, and one
 * failing step does not stop the others (their errors are collected and reported together).
 */
export class Teardown {
  private readonly steps: { label: string; run: () => Promise<void> | void }[] = []

  defer(label: string, run: () => Promise<void> | void): void {
    this.steps.push({ label, run })
  }

  async run(deadlineMs: number): Promise<string[]> {
    const problems: string[] = []
    while (this.steps.length > 0) {
      const step = this.steps.pop()
      if (step === undefined) break
      try {
        await withDeadline(Promise.resolve(step.run()), deadlineMs, `teardown "${step.label}"`)
      } catch (error) {
        problems.push(`${step.label}: ${(error as Error).message}`)
      }
    }
    return problems
  }
}

/** Resolves like `promise`, or rejects after `ms` with a message naming what was awaited. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
