// DESIGN §5: /metrics in the Prometheus text exposition format (version 0.0.4), written by hand.

export interface Metric {
  readonly name: string
  readonly help: string
  readonly type: 'gauge' | 'counter'
  readonly value: number
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const formatValue = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v)

/** `# HELP`, `# TYPE` and one sample line per metric (no labels). */
export function renderMetrics(metrics: readonly Metric[]): string {
  let out = ''
  for (const m of metrics) {
    const help = m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
    out += `# HELP ${m.name} ${help}\n# TYPE ${m.name} ${m.type}\n${m.name} ${formatValue(m.value)}\n`
  }
  return out
}
