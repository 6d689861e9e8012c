import { withDeadline } from '../deadline.ts'

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
        await withDeadline(Promise.resolve(step.run()), deadlineMs, `teardown "${step.label}" to finish`)
      } catch (error) {
        problems.push(`${step.label}: ${(error as Error).message}`)
      }
    }
    return problems
  }
}
