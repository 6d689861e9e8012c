import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { ProfileError } from '../errors.ts'

/**
 * `{{name}}` placeholders in SUT files and launcher settings (support/sut/launcher.ts lists the names). A name is
 * letters, digits, `.`, `_` and `-`, with optional spaces inside the braces. Every `{{` must open a placeholder
 * (there is no escape); an unknown name or a malformed placeholder is an error that names it, so that a typo in
 * a profile never reaches the system under test as literal text.
 */
const PLACEHOLDER = /\{\{(.*?)\}\}/gs
const NAME = /^\s*([A-Za-z0-9_.-]+)\s*$/

export function renderTemplate(
  text: string,
  vars: Readonly<Record<string, string>>,
  source = 'template',
): string {
  const unknown = new Set<string>()
  const malformed: string[] = []
  const rendered = text.replace(PLACEHOLDER, (whole, inner: string) => {
    const name = NAME.exec(inner)?.[1]
    if (name === undefined) {
      malformed.push(whole)
      return whole
    }
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined
    if (value === undefined) {
      unknown.add(name)
      return whole
    }
    return value
  })
  const problems: string[] = []
  if (unknown.size > 0) {
    problems.push(`unknown placeholder ${[...unknown].map((name) => `{{${name}}}`).join(', ')}`)
  }
  if (malformed.length > 0)
    problems.push(`malformed placeholder ${malformed.map((p) => JSON.stringify(p)).join(', ')}`)
  const unclosed = lineOfUnclosed(text)
  if (unclosed !== undefined) problems.push(`"{{" without "}}" on line ${unclosed}`)
  if (problems.length > 0) {
    const known = Object.keys(vars).sort().join(', ')
    throw new ProfileError(`${source}: ${problems.join('; ')} (known placeholders: ${known})`)
  }
  return rendered
}

/** Line (1-based) of a `{{` that no `}}` closes, if any. */
function lineOfUnclosed(text: string): number | undefined {
  const stripped = text.replace(PLACEHOLDER, (whole) => whole.replace(/[^\n]/g, ' '))
  const at = stripped.indexOf('{{')
  return at < 0 ? undefined : stripped.slice(0, at).split('\n').length
}

export interface TemplateFile {
  /** Template path; a relative path is resolved against `baseDir`. */
  readonly template: string
  /** Where the rendered file goes, relative to the SUT files folder. */
  readonly target: string
}

/** The absolute path of `target` inside `dir`; refuses absolute targets and targets that climb out of `dir`. */
export function resolveInside(dir: string, target: string, field = 'target'): string {
  const path = resolve(dir, target)
  const rel = relative(dir, path)
  if (isAbsolute(target) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ProfileError(`${field}: ${JSON.stringify(target)} is not a path inside ${dir}`)
  }
  return path
}

/** Renders each template into `filesDir`; returns the written paths. */
export function renderFiles(
  files: readonly TemplateFile[],
  options: { baseDir: string; filesDir: string; vars: Readonly<Record<string, string>> },
): string[] {
  return files.map((file) => {
    const templatePath = resolve(options.baseDir, file.template)
    let text: string
    try {
      text = readFileSync(templatePath, 'utf8')
    } catch (error) {
      throw new ProfileError(`files: cannot read template ${templatePath}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const target = resolveInside(
      options.filesDir,
      file.target,
      `files[${JSON.stringify(file.template)}].target`,
    )
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, renderTemplate(text, options.vars, templatePath))
    return target
  })
}
