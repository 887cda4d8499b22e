// Go's encoding/json output shapes the vector files compare against, for the values our codecs produce.
import { type JsonValue, stringifyJson } from '../../consensus/encoding/json.js'

/**
 * `json.MarshalIndent(v, "", indent)`: one member per line, `"key": value`, empty objects and
 * arrays as `{}` / `[]`, object keys whose value is `undefined` omitted (like `stringifyJson`).
 */
export function goIndentJson(value: JsonValue, indent = '\t', level = 0): string {
  const pad = indent.repeat(level + 1)
  const end = indent.repeat(level)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((e) => pad + goIndentJson(e, indent, level + 1)).join(',\n')}\n${end}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, JsonValue][]
    if (entries.length === 0) return '{}'
    const lines = entries.map(([k, v]) => `${pad}${stringifyJson(k)}: ${goIndentJson(v, indent, level + 1)}`)
    return `{\n${lines.join(',\n')}\n${end}}`
  }
  return stringifyJson(value)
}
