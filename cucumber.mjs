// Cucumber configuration. TypeScript steps run through tsx (registered first, see tsx-register.mjs).
// The profile comes from `npm start -- --profile FILE` or HARNESS_PROFILE; see README.md.
const reports = process.env.HARNESS_REPORTS_DIR || 'reports'

const common = {
  import: ['./tsx-register.mjs', 'support/world/hooks.ts', 'steps/**/*.ts'],
  // Feature paths on the command line (`npm start -- features/x.feature:12`, `@rerun.txt`) replace the default.
  paths: process.env.HARNESS_FEATURE_PATHS === '1' ? [] : ['features/**/*.feature'],
  // On the console, one line per scenario as it ends, with its verdict (tools/progress-formatter.ts).
  format: [
    './tools/progress-formatter.ts',
    ['html', `${reports}/cucumber.html`],
    ['message', `${reports}/messages.ndjson`],
  ],
  // junit.xml is written by tools/harness.ts from the scenario verdicts (failure vs error vs skipped).
}

export default { ...common, parallel: Number(process.env.HARNESS_PARALLEL ?? 2) }
