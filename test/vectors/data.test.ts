// The project's copy of the reference vectors cannot drift silently: every JSON file in test/vectors/data
// has the sha256 that test/vectors/data/README.md lists (written by refresh.sh), and the list names exactly
// the files present.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dataDir = fileURLToPath(new URL('./data/', import.meta.url))

/** The `<sha256>  <file>` lines between the README's sha256 markers. */
function listedSums(): Map<string, string> {
  const readme = readFileSync(`${dataDir}README.md`, 'utf8')
  const block = /^<!-- sha256:begin -->\n([\s\S]*?)^<!-- sha256:end -->$/m.exec(readme)
  if (!block) throw new Error('test/vectors/data/README.md: no sha256:begin/end block')
  const sums = new Map<string, string>()
  for (const m of block[1]!.matchAll(/^([0-9a-f]{64}) {2}(\S+\.json)$/gm)) sums.set(m[2]!, m[1]!)
  return sums
}

describe('test/vectors/data', () => {
  const listed = listedSums()
  const present = readdirSync(dataDir)
    .filter((f) => f.endsWith('.json'))
    .sort()

  it('lists exactly the JSON files present', () => {
    expect(present.length).toBeGreaterThan(0)
    expect([...listed.keys()].sort()).toEqual(present)
  })

  it.each(present)('%s has its listed sha256', (file) => {
    const sum = createHash('sha256')
      .update(readFileSync(dataDir + file))
      .digest('hex')
    expect(sum, `${file} differs from the copy of shared/vectors (refresh.sh rewrites the list)`).toBe(
      listed.get(file),
    )
  })
})
