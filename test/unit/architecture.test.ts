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
})
