// Checks answers of the node's API against its own description (GET /openapi.json, issue #17): the
// operation of a concrete path is found by matching the documented templates, and the answer's body must
// validate against the schema of its status (ajv, the validator fastify itself uses).
import { Ajv, type ValidateFunction } from 'ajv'

type Doc = { paths: Record<string, Record<string, { responses: Record<string, any> }>> }

export class OpenApiChecker {
  private readonly ajv = new Ajv({ allErrors: true, strict: false })
  private readonly compiled = new Map<string, ValidateFunction>()
  /** `METHOD template` of every operation answered through `check`. */
  readonly covered = new Set<string>()

  constructor(readonly doc: Doc) {}

  /** Every `METHOD template` the document lists. */
  operations(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
  }

  /**
   * `METHOD template status` of every documented answer whose schema is a placeholder: any JSON (`{}`), or
   * an object or array with nothing said about its contents. Such a schema would pass any answer.
   */
  placeholders(): string[] {
    const out: string[] = []
    for (const [path, ops] of Object.entries(this.doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const [status, response] of Object.entries(op.responses))
          for (const { schema } of Object.values(
            (response?.content ?? {}) as Record<string, { schema: any }>,
          ))
            if (isPlaceholder(schema)) out.push(`${method.toUpperCase()} ${path} ${status}`)
    return out
  }

  /** The template matching a concrete path (`/blocks/3` → `/blocks/{height}`); literal segments win. */
  template(method: string, path: string): string | undefined {
    const parts = path.split('?')[0]!.split('/')
    let best: { t: string; score: number } | undefined
    for (const [t, ops] of Object.entries(this.doc.paths)) {
      if (!ops[method.toLowerCase()]) continue
      const tp = t.split('/')
      if (tp.length !== parts.length) continue
      let score = 0
      let ok = true
      for (const [i, seg] of tp.entries()) {
        if (/^\{.+\}$/.test(seg)) continue
        if (seg !== decodeURIComponent(parts[i]!)) ok = false
        else score++
      }
      if (ok && (!best || score > best.score)) best = { t, score }
    }
    return best?.t
  }

  /** Throws naming the route and ajv's errors when `body` does not match the documented answer. */
  check(method: string, path: string, status: number, body: unknown): void {
    const t = this.template(method, path)
    if (!t) throw new Error(`${method} ${path}: no operation in /openapi.json`)
    const key = `${method} ${t} ${status}`
    let validate = this.compiled.get(key)
    if (!validate) {
      const response = this.doc.paths[t]![method.toLowerCase()]!.responses[String(status)]
      if (!response) throw new Error(`${method} ${path}: status ${status} is not documented for ${t}`)
      const content = Object.values(response.content ?? {}) as { schema: object }[]
      if (content.length !== 1) throw new Error(`${key}: expected one content type`)
      if (isPlaceholder(content[0]!.schema))
        throw new Error(`${key}: the documented schema is a placeholder that any answer passes`)
      validate = this.ajv.compile(content[0]!.schema)
      this.compiled.set(key, validate)
    }
    if (!validate(body))
      throw new Error(
        `${method} ${path} (${status}) does not match its schema: ${this.ajv.errorsText(validate.errors)}\n` +
          JSON.stringify(body).slice(0, 2000),
      )
    this.covered.add(`${method} ${t}`)
  }
}

/** A schema any value (or any object, any array) passes: it checks nothing of the answer. */
export function isPlaceholder(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return true
  const s = schema as Record<string, unknown>
  const said = [
    'const',
    'enum',
    'anyOf',
    'oneOf',
    'allOf',
    '$ref',
    'properties',
    'additionalProperties',
    'items',
  ]
  if (said.some((k) => k in s)) return false
  return s.type === undefined || s.type === 'object' || s.type === 'array'
}
