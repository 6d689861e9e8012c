import { existsSync, readFileSync } from 'node:fs'

export interface Counts {
  passed: number
  failed: number
  skipped: number
}

/** Test counts of a JUnit XML report (cucumber's junit formatter, node:test's junit reporter). */
export function junitCounts(file: string): Counts {
  if (!existsSync(file)) return { passed: 0, failed: 0, skipped: 0 }
  const xml = readFileSync(file, 'utf8')
  let passed = 0
  let failed = 0
  let skipped = 0
  // Attribute values may hold '>' (node:test writes test names as they are), so attributes are read quote-aware.
  for (const match of xml.matchAll(/<testcase\b(?:"[^"]*"|[^>"])*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[2] ?? ''
    if (/<(failure|error)\b/.test(body)) failed += 1
    else if (/<skipped\b/.test(body)) skipped += 1
    else passed += 1
  }
  return { passed, failed, skipped }
}
