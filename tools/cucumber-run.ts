/**
 * Runs cucumber as a child process for `npm start` and returns its exit status. One place owns the child: signal
 * forwarding, reaping of launched SUTs and the interrupted flag belong here (issue 7).
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'

export interface CucumberRun {
  /** cucumber's exit status (null when it was killed by a signal). */
  readonly status: number | null
  /** The run was stopped by SIGINT or SIGTERM before cucumber finished. */
  readonly interrupted: boolean
}

export function runCucumber(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CucumberRun> {
  const cucumber = resolve(
    dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')),
    'bin/cucumber.js',
  )
  const run = spawnSync(process.execPath, [cucumber, ...args], { stdio: 'inherit', env })
  return Promise.resolve({ status: run.status, interrupted: false })
}
