/**
 * The colour of each verdict kind, the same in every rendering (the ladder's title in support/trace/ladder-svg.ts,
 * index.html, conformance.html): GitHub's Primer palette, legible on white.
 */
export const VERDICT_COLOURS = {
  PASS: '#1a7f37',
  WARN: '#9a6700',
  FAIL: '#cf222e',
  INCONCLUSIVE: '#8250df',
  'ENVIRONMENT ERROR': '#57606a',
  'HARNESS ERROR': '#57606a',
  'N/A': '#6e7781',
  DEVIATION: '#6e7781',
} as const
