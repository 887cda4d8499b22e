// Issue #17: GET /openapi.json, an OpenAPI 3.1 document generated from the routes as fastify registers them
// (their `schema`), so it cannot drift from what the node serves. A small generator over the onRoute hook
// rather than @fastify/swagger: one less dependency, and OpenAPI 3.1 takes the routes' JSON Schemas as
// they are.
import type { FastifyInstance, RouteOptions } from 'fastify'
import type { JsonValue } from '../../consensus/encoding/json.js'
import type { Schema } from './schemas.js'

declare module 'fastify' {
  // what a route's `schema` says for the document (fastify ignores these keys)
  interface FastifySchema {
    summary?: string
    description?: string
    tags?: readonly string[]
    /** Content type of the 200 answer when it is not JSON. */
    produces?: string
  }
}

/** What a route may add to its `schema` for the document (fastify ignores these keys). */
export interface RouteDoc {
  readonly summary?: string
  readonly description?: string
  readonly tags?: readonly string[]
  /** Content type of the 200 answer when it is not JSON. */
  readonly produces?: string
}

interface Collected {
  readonly method: string
  readonly url: string
  readonly schema: Schema & RouteDoc
}

/** Collects the routes registered after this call; `document()` renders them. */
export function collectRoutes(app: FastifyInstance): {
  document(info: { title: string; version: string }): JsonValue
  routes(): readonly Collected[]
} {
  const routes: Collected[] = []
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (method === 'HEAD' || route.url === '*' || route.url.endsWith('/*')) continue
      routes.push({ method, url: route.url, schema: (route.schema ?? {}) as Schema & RouteDoc })
    }
  })
  return {
    routes: () => routes,
    document: (info) => {
      const paths: Record<string, Record<string, JsonValue>> = {}
      for (const r of routes) {
        const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
        const entry = paths[path] ?? {}
        entry[r.method.toLowerCase()] = operation(r) as JsonValue
        paths[path] = entry
      }
      return {
        openapi: '3.1.0',
        info: {
          ...info,
          description:
            'The HTTP API of a Blockstake node (DESIGN §5). Amounts are decimal strings in the smallest ' +
            'unit; errors answer {"code","message","details"}. Write routes need "Authorization: Bearer <API token>" when the node has one.',
        },
        components: {
          securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
        },
        paths,
      } as JsonValue
    },
  }
}

function operation(r: Collected): Record<string, unknown> {
  const s = r.schema
  const parameters: Record<string, unknown>[] = []
  for (const [where, schema] of [
    ['path', s.params],
    ['query', s.querystring],
  ] as const) {
    const props = (schema as { properties?: Record<string, Schema> } | undefined)?.properties ?? {}
    const required = new Set((schema as { required?: string[] } | undefined)?.required ?? [])
    for (const [name, p] of Object.entries(props)) {
      const { description, ...rest } = p as { description?: string }
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        description,
        schema: rest,
      })
    }
  }
  // a path parameter the schema did not name still belongs in the document
  for (const m of r.url.matchAll(/:([A-Za-z0-9_]+)/g))
    if (!parameters.some((p) => p.in === 'path' && p.name === m[1]))
      parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })
  const responses: Record<string, unknown> = {}
  for (const [status, schema] of Object.entries((s.response ?? {}) as Record<string, Schema>)) {
    const type = status === '200' && s.produces ? s.produces : 'application/json'
    responses[status] = {
      description: status === '200' ? 'the answer' : 'an error',
      content: { [type]: { schema } },
    }
  }
  if (Object.keys(responses).length === 0) responses.default = { description: 'undocumented' }
  return {
    summary: s.summary,
    description: s.description,
    tags: s.tags,
    parameters: parameters.length ? parameters : undefined,
    requestBody: s.body ? { required: true, content: { 'application/json': { schema: s.body } } } : undefined,
    responses,
    security: r.method === 'GET' ? undefined : [{ token: [] }],
  }
}
