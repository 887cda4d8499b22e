// DESIGN §10, STYLE.md: the folders are the architecture. Every import of every source file (static, type-only,
// side-effect, `export … from`, dynamic) must be allowed by the table below; browser-safe folders import no
// Node built-in, LevelDB or libp2p transport; and the browser entry points bundle with esbuild for the
// browser platform.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The protocol core: everything in consensus/ but the extensions. */
const CORE = [
  'consensus/encoding',
  'consensus/crypto',
  'consensus/types',
  'consensus/params',
  'consensus/pobs',
  'consensus/state',
  'consensus/validation',
]
/** What an extension folder may use of consensus/extensions/: the plug-in interface and shared helpers. */
const EXTENSION_KIT = [
  'consensus/extensions/api.ts',
  'consensus/extensions/common.ts',
  'consensus/extensions/checks.ts',
  'consensus/extensions/history.ts',
  'consensus/extensions/params.ts',
  'consensus/extensions/schemas.ts',
]

/**
 * Who may import what. A key is a folder, a file, or `folder/*` (each subfolder its own owner: one per
 * extension); the most specific key owns a file. A file may import files of its own owner and files that
 * its owner's list covers; anything else, and anything outside the table, is refused.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  consensus: [...CORE, 'consensus/extensions'], // index.ts: the public surface
  ...Object.fromEntries(CORE.map((f) => [f, [...CORE, 'consensus/extensions/api.ts']])),
  // the core names no extension; params not even the plug-in interface (DESIGN §3)
  'consensus/params': CORE,
  'consensus/extensions': CORE, // the plug-in interface and the helpers extensions share
  'consensus/extensions/*': [...CORE, ...EXTENSION_KIT], // each extension: the core and the kit, no other extension
  // the one place that names the built-in extensions, and the public surface of the folder
  'consensus/extensions/catalog.ts': [...CORE, 'consensus/extensions', 'consensus/extensions/*'],
  'consensus/extensions/index.ts': [...CORE, 'consensus/extensions', 'consensus/extensions/*'],
  p2p: ['consensus'],
  wallet: ['consensus', 'wallet/keys', 'wallet/tx', 'wallet/client'],
  'wallet/keys': ['consensus'],
  'wallet/tx': ['consensus', 'wallet/keys'],
  'wallet/client': ['consensus', 'wallet/keys', 'wallet/tx'],
  light: ['consensus'], // the light-client SDK (DESIGN §7); node serves its wire format (light/proof.ts)
  node: ['consensus', 'p2p', 'wallet/keys', 'light'],
  devnet: ['consensus', 'p2p', 'wallet', 'node', 'light'],
  cli: ['consensus', 'p2p', 'wallet', 'node', 'devnet', 'light'],
  bench: ['consensus', 'p2p', 'wallet', 'node', 'devnet', 'cli', 'light'],
  // the block explorer's pages (issue #17): browser code over the node's HTTP API and the protocol core
  explorer: ['consensus'],
}

/** Folders whose files (except `*.node.ts`, their Node-only halves) must bundle for a browser. */
const BROWSER_SAFE = [
  'consensus',
  'wallet/keys',
  'wallet/tx',
  'wallet/client',
  'p2p/protocols',
  'light',
  'explorer',
]
/** Packages a browser-safe file may not import (Node built-ins are refused by their `node:` prefix too). */
const NODE_ONLY_PACKAGES = /^(node:|level$|classic-level$|libp2p$|@libp2p\/(tcp|noise|yamux)$|pino$|fastify$)/
/** Bare Node built-ins, for imports written without the `node:` prefix. */
const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'url', 'util'])

/** The browser entry points apps import (package.json `exports`). */
const BROWSER_ENTRIES = ['consensus/index.ts', 'wallet/index.ts', 'light/index.ts']

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* tsFiles(p)
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p
  }
}

/** The owner of `file` (a path relative to the root, `/`-separated): its most specific table key. */
function ownerOf(file: string, table: Readonly<Record<string, readonly string[]>>): string | undefined {
  let best: string | undefined
  for (const k of Object.keys(table)) {
    let owner: string | undefined
    if (k.endsWith('/*')) {
      const parent = k.slice(0, -1)
      const rest = file.startsWith(parent) ? file.slice(parent.length) : ''
      if (rest.includes('/')) owner = parent + rest.slice(0, rest.indexOf('/'))
    } else if (file === k || file.startsWith(`${k}/`)) owner = k
    if (owner && (!best || owner.length > best.length)) best = owner
  }
  return best
}

/** The table entry of an owner (an extension folder's is its wildcard's). */
const entryOf = (table: Readonly<Record<string, readonly string[]>>, owner: string): readonly string[] =>
  table[owner] ?? table[`${owner.slice(0, owner.lastIndexOf('/'))}/*`] ?? []

/** Whether table key `key` (a folder, a file or `folder/*`) covers `file`. */
const covers = (key: string, file: string): boolean =>
  file === key || file.startsWith(key.endsWith('/*') ? key.slice(0, -1) : `${key}/`)

/** Whether a file owned by `from` may import `target`, a file owned by `targetOwner`. */
const allows = (
  table: Readonly<Record<string, readonly string[]>>,
  from: string,
  target: string,
  targetOwner: string,
): boolean => from === targetOwner || entryOf(table, from).some((key) => covers(key, target))

interface Violation {
  readonly file: string
  readonly imports: string
  readonly kind: ImportKind
  readonly rule: string
}

type ImportKind = 'static' | 'type' | 'side-effect' | 're-export' | 'dynamic'

/** Every module specifier in a TypeScript source, with how it is imported (comments are not code). */
function importsOf(source: string): { spec: string; kind: ImportKind }[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1')
  const found: { spec: string; kind: ImportKind }[] = []
  const statement = /\b(import|export)\s+(type\s+)?(?:([\w*{}\s,$]+?)\s+from\s+)?['"]([^'"]+)['"]/g
  for (const m of code.matchAll(statement)) {
    const kind: ImportKind = m[2] ? 'type' : m[1] === 'export' ? 're-export' : m[3] ? 'static' : 'side-effect'
    found.push({ spec: m[4]!, kind })
  }
  for (const m of code.matchAll(/\bimport\s*\(\s*(?:['"]([^'"]+)['"]\s*\)|([^'"\s)]))/g))
    found.push({ spec: m[1] ?? '(computed)', kind: 'dynamic' })
  return found
}

/** Every import edge of the source files under `root`'s table folders that the table or browser rule forbids. */
function checkImports(
  root: string,
  table: Readonly<Record<string, readonly string[]>>,
  browserSafe: readonly string[],
): Violation[] {
  const tops = [...new Set(Object.keys(table).map((f) => f.split('/')[0]!))]
  const violations: Violation[] = []
  const rel = (p: string) => relative(root, p).split(sep).join('/')
  for (const top of tops) {
    if (!existsSync(join(root, top))) continue
    for (const path of tsFiles(join(root, top))) {
      const file = rel(path)
      const owner = ownerOf(file, table)
      if (!owner) continue
      const browser = browserSafe.some((f) => file.startsWith(`${f}/`)) && !file.endsWith('.node.ts')
      for (const { spec, kind } of importsOf(readFileSync(path, 'utf8'))) {
        const flag = (rule: string, imports = spec) => violations.push({ file, imports, kind, rule })
        if (spec === '(computed)') {
          flag('a dynamic import names a literal path, so it can be checked')
          continue
        }
        if (!spec.startsWith('.')) {
          if (browser && kind !== 'type' && (NODE_ONLY_PACKAGES.test(spec) || NODE_BUILTINS.has(spec)))
            flag('browser-safe folders import no Node-only module')
          continue
        }
        const target = rel(resolve(dirname(path), spec.replace(/\.js$/, '.ts')))
        if (browser && kind !== 'type' && target.endsWith('.node.ts'))
          flag('browser-safe folders import no *.node.ts file', target)
        const targetOwner = ownerOf(target, table)
        if (!targetOwner) flag('imports a folder outside the table', target)
        else if (!allows(table, owner, target, targetOwner)) flag(`${owner} may not import ${target}`, target)
      }
    }
  }
  return violations
}

const temps: string[] = []
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true })
})

/** A throwaway source tree: `files` maps paths to contents. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-arch-'))
  temps.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('architecture', () => {
  it('every import between folders follows the table, and browser-safe folders stay browser-safe', async () => {
    const violations = checkImports(ROOT, ALLOWED, BROWSER_SAFE)
    expect(violations.map((v) => `${v.file} → ${v.imports} (${v.kind}): ${v.rule}`)).toEqual([])
  })

  it('catches a back-edge in every import form, a Node import in a browser-safe folder and a computed import', () => {
    const dir = tree({
      'consensus/a.ts': "import { n } from '../node/n.js'\nexport const a = n\nexport type A = number\n",
      'consensus/b.ts': "import '../node/side.js'\n",
      'consensus/c.ts': "export * from '../wallet/w.js'\n",
      'consensus/d.ts': "export const d = () => import('../cli/main.js')\n",
      'consensus/e.ts': "import { readFileSync } from 'node:fs'\nexport const e = readFileSync\n",
      'consensus/f.ts': "const where = '../node/n.js'\nexport const f = () => import(where)\n",
      'consensus/g.ts': "import type { N } from '../node/n.js'\nexport type G = N\n",
      'consensus/h.ts':
        "// import { n } from '../node/n.js' is only a comment\nexport const h = 'http://x'\n",
      'consensus/i.ts': "import {\n  type A,\n  a,\n} from './a.js'\nexport const i: A = a\n",
      'node/n.ts': 'export const n = 1\nexport type N = number\n',
      'node/side.ts': 'globalThis.x = 1\n',
      'node/ok.ts': "import { a } from '../consensus/a.js'\nexport const ok = a\n",
      'wallet/w.ts': 'export const w = 1\n',
      'cli/main.ts': 'export const main = 1\n',
    })
    const table = { consensus: [], wallet: ['consensus'], node: ['consensus'], cli: ['node'] }
    const found = checkImports(dir, table, ['consensus']).map((v) => `${v.file} ${v.kind}`)
    expect(found.sort()).toEqual([
      'consensus/a.ts static',
      'consensus/b.ts side-effect',
      'consensus/c.ts re-export',
      'consensus/d.ts dynamic',
      'consensus/e.ts static',
      'consensus/f.ts dynamic',
      'consensus/g.ts type',
    ])
  })

  it('keeps the core free of extensions and each extension to itself', () => {
    const dir = tree({
      'consensus/extensions/api.ts': 'export type Extension = { name: string }\n',
      'consensus/extensions/catalog.ts':
        "import { a } from './alpha/a.js'\nimport { b } from './beta/b.js'\nexport const all = [a, b]\n",
      'consensus/extensions/alpha/a.ts':
        "import type { Extension } from '../api.js'\nexport const a: Extension = { name: 'alpha' }\n",
      'consensus/extensions/beta/b.ts':
        "import { a } from '../alpha/a.js'\nexport const b = { ...a, name: 'beta' }\n",
      'consensus/validation/rules.ts':
        "import type { Extension } from '../extensions/api.js'\nexport type R = Extension\n",
      'consensus/validation/bad.ts':
        "import { all } from '../extensions/catalog.js'\nexport const n = all.length\n",
      'consensus/params/chain.ts':
        "import type { Extension } from '../extensions/api.js'\nexport type C = Extension\n",
    })
    const found = checkImports(dir, ALLOWED, []).map((v) => `${v.file} → ${v.imports}`)
    expect(found.sort()).toEqual([
      'consensus/extensions/beta/b.ts → consensus/extensions/alpha/a.ts',
      'consensus/params/chain.ts → consensus/extensions/api.ts',
      'consensus/validation/bad.ts → consensus/extensions/catalog.ts',
    ])
  })

  it.each(BROWSER_ENTRIES)('%s bundles for the browser platform without Node built-ins', async (entry) => {
    const result = await build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      metafile: true,
    })
    expect(result.errors).toEqual([])
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((p) => /\.node\.ts$|node:/.test(p))).toEqual([])
    expect(result.outputFiles[0]!.text.length).toBeGreaterThan(0)
  })

  it('package.json exports the browser entry points and says which modules have side effects', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    for (const entry of BROWSER_ENTRIES) {
      const name = `./${entry.replace(/\/index\.ts$/, '')}`
      expect(pkg.exports[name]?.default).toBe(`./dist/${entry.replace(/\.ts$/, '.js')}`)
    }
    expect(Array.isArray(pkg.sideEffects)).toBe(true)
  })
})
