// STYLE.md: consensus/, wallet/ (but cli/) and p2p/protocols/ stay browser-safe; only `*.node.ts` may use Node.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const browserSafe = ['consensus', 'wallet/keys', 'wallet/tx', 'wallet/light', 'p2p/protocols']
const forbidden = /from\s+['"](node:[^'"]+|fs|path|os|crypto|level|classic-level|libp2p|@libp2p\/tcp)['"]/

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* tsFiles(p)
    else if (p.endsWith('.ts') && !p.endsWith('.node.ts')) yield p
  }
}

describe('architecture', () => {
  it('keeps browser-safe folders free of Node-only imports', () => {
    const offenders: string[] = []
    for (const folder of browserSafe) {
      const dir = join(root, folder)
      if (!existsSync(dir)) continue
      for (const file of tsFiles(dir)) {
        const m = readFileSync(file, 'utf8').match(forbidden)
        if (m) offenders.push(`${relative(root, file)} imports ${m[1]}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('keeps consensus/ free of imports from the other layers', () => {
    const offenders: string[] = []
    for (const file of tsFiles(join(root, 'consensus'))) {
      const text = readFileSync(file, 'utf8')
      if (/from\s+['"](\.\.\/)+(node|p2p|wallet|devnet)\//.test(text)) offenders.push(relative(root, file))
    }
    expect(offenders).toEqual([])
  })
  it('keeps the core of consensus/ free of extensions: it names none, only the plug-in interface', () => {
    // DESIGN §3: the catalog (consensus/extensions/catalog.ts) is the one place that names extensions
    const core = ['params', 'types', 'encoding', 'crypto', 'pobs', 'state', 'validation']
    const offenders: string[] = []
    for (const folder of core) {
      for (const file of tsFiles(join(root, 'consensus', folder))) {
        const text = readFileSync(file, 'utf8')
        for (const m of text.matchAll(/from\s+['"]((?:\.\.\/)+extensions\/[^'"]*)['"]/g)) {
          if (folder === 'params' || !m[1]!.endsWith('extensions/api.js'))
            offenders.push(`${relative(root, file)} imports ${m[1]}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })

  it('keeps each extension folder to itself', () => {
    const dir = join(root, 'consensus', 'extensions')
    const offenders: string[] = []
    for (const name of readdirSync(dir)) {
      if (!statSync(join(dir, name)).isDirectory()) continue
      for (const file of tsFiles(join(dir, name))) {
        const text = readFileSync(file, 'utf8')
        for (const m of text.matchAll(/from\s+['"]\.\.\/([a-z0-9-]+)\/[^'"]*['"]/g)) {
          offenders.push(`${relative(root, file)} imports the ${m[1]} extension`)
        }
      }
    }
    expect(offenders).toEqual([])
  })
})
