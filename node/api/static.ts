// Issue #17: the block explorer's pages, served at `/` of the API from the folder `npm run build` writes
// (dist/explorer, built from explorer/). Read once at start: a handful of small files, no directory walk,
// so no request path ever reaches the file system.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import * as S from './schemas.js'

/** The files of the built explorer and their content types. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'explorer.js': 'text/javascript; charset=utf-8',
  'explorer.css': 'text/css; charset=utf-8',
}

/**
 * Chain data never runs as code: scripts and styles only from the node, data only from its API
 * (WebAssembly may compile: the blake2b hasher of a dropped file).
 */
const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/** dist/explorer of this package, whether this file runs built (dist/node/api) or from source (node/api). */
export function defaultExplorerDir(): string {
  const here = fileURLToPath(import.meta.url)
  return here.endsWith('.ts') ? join(here, '../../../dist/explorer') : join(here, '../../../explorer')
}

export function explorerRoutes(app: FastifyInstance, dir = defaultExplorerDir()): void {
  const files = new Map<string, Buffer>()
  for (const name of Object.keys(FILES)) {
    const path = join(dir, name)
    if (existsSync(path)) files.set(name, readFileSync(path))
  }
  const missing =
    files.size === Object.keys(FILES).length
      ? undefined
      : `<!doctype html><meta charset="utf-8"><title>Blockstake explorer</title>` +
        `<p>The explorer is not built into ${escapeHtml(dir)}: run <code>npm run build</code>. ` +
        `The API is served as usual; <a href="/openapi.json">/openapi.json</a> describes it.</p>`
  const serve = (name: string) =>
    app.get(
      name === 'index.html' ? '/' : `/${name}`,
      {
        schema: {
          summary: name === 'index.html' ? 'the block explorer (HTML)' : `the block explorer's ${name}`,
          tags: ['explorer'],
          produces: FILES[name],
          response: S.answers(S.TEXT),
        },
      },
      async (_req, reply) => {
        reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff')
        if (missing !== undefined) {
          if (name !== 'index.html') return reply.code(404).type('text/plain').send('explorer not built')
          return reply.code(503).type('text/html; charset=utf-8').send(missing)
        }
        return reply.type(FILES[name]!).header('cache-control', 'no-cache').send(files.get(name))
      },
    )
  for (const name of Object.keys(FILES)) serve(name)
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
