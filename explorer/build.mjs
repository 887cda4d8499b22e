// Builds the block explorer (issue #17) into dist/explorer: the pages' TypeScript bundled for browsers by
// esbuild, with index.html and the stylesheet copied. Part of `npm run build`; the node serves the folder.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const out = process.argv[2] ?? join(here, '../dist/explorer')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [join(here, 'main.ts')],
  outfile: join(out, 'explorer.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
})
for (const f of ['index.html', 'explorer.css']) copyFileSync(join(here, f), join(out, f))
