/** One line of a chart: a name, a colour, and [x, y] points (y undefined: a gap). */
export interface Line {
  readonly name: string
  readonly colour: string
  readonly points: readonly (readonly [number, number | undefined])[]
  readonly dashed?: boolean
}

const W = 760
const H = 260
const M = { left: 60, right: 160, top: 28, bottom: 36 }

/** A line chart as inline SVG (no script, no CDN): axes with round ticks, one polyline per line, a legend. */
export function lineChart(title: string, yLabel: string, lines: readonly Line[], xLabel = 'seconds'): string {
  const xs = lines.flatMap((l) => l.points.map(([x]) => x))
  const ys = lines.flatMap((l) => l.points.flatMap(([, y]) => (y === undefined ? [] : [y])))
  const xMax = Math.max(1, ...xs)
  const yMax = niceCeil(Math.max(0, ...ys) || 1)
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const sx = (x: number) => M.left + (x / xMax) * pw
  const sy = (y: number) => M.top + ph - (y / yMax) * ph
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ]
  for (let i = 0; i <= 4; i += 1) {
    const y = (yMax * i) / 4
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`,
      `<text x="${M.left - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    )
    const x = (xMax * i) / 4
    out.push(`<text x="${sx(x)}" y="${M.top + ph + 14}" text-anchor="middle">${fmt(x)}</text>`)
  }
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(12 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  )
  lines.forEach((line, i) => {
    const segments: string[][] = [[]]
    for (const [x, y] of line.points) {
      if (y === undefined) segments.push([])
      else segments.at(-1)!.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
    }
    for (const seg of segments.filter((s) => s.length > 0))
      out.push(
        `<polyline fill="none" stroke="${line.colour}" stroke-width="1.6"${line.dashed ? ' stroke-dasharray="5 3"' : ''} points="${seg.join(' ')}"/>`,
      )
    const ly = M.top + 12 + i * 16
    out.push(
      `<line x1="${W - M.right + 10}" x2="${W - M.right + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${line.colour}" stroke-width="2"${line.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${W - M.right + 32}" y="${ly}">${esc(line.name)}</text>`,
    )
  })
  out.push('</svg>')
  return out.join('\n')
}

/** The smallest 1, 2 or 5 × 10^k at or above `v`. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(2)
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
