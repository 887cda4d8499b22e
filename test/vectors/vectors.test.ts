// Walks every file in ../shared/vectors and runs each vector through its file's handler.
import { afterAll, describe, expect, it } from 'vitest'
import { type Handler, hasVectorsDir, listVectorFiles, loadVectorFile, vectorId } from './framework.js'

const handlerModules = import.meta.glob<{ handle: Handler }>('./files/*.ts', { eager: true })
const handlerFor = (file: string): Handler | undefined =>
  handlerModules[`./files/${file.replace(/\.json$/, '.ts')}`]?.handle

interface Tally {
  passed: number
  later: Map<string, number>
}
const tallies = new Map<string, Tally>()

if (!hasVectorsDir) {
  console.log('vectors: ../shared/vectors not found, skipping the vector suite')
  describe.skip('vectors', () => it('needs ../shared/vectors', () => {}))
} else {
  for (const file of listVectorFiles()) {
    describe(file, () => {
      const handle = handlerFor(file)
      it('has a handler', () =>
        expect(
          handle,
          `no handler module test/vectors/files/${file.replace(/\.json$/, '.ts')}`,
        ).toBeDefined())
      if (!handle) return
      const tally: Tally = { passed: 0, later: new Map() }
      tallies.set(file, tally)
      for (const v of loadVectorFile(file).vectors) {
        it(vectorId(v), () => {
          const out = handle(v)
          if (out) tally.later.set(out.later, (tally.later.get(out.later) ?? 0) + 1)
          else tally.passed++
        })
      }
    })
  }

  afterAll(() => {
    const lines = ['vector files: passed / later work']
    for (const [file, t] of tallies) {
      const later = [...t.later].map(([why, n]) => `${n} → ${why}`).join('; ')
      lines.push(
        `  ${file.padEnd(38)} ${String(t.passed).padStart(4)} passed${later ? `, later: ${later}` : ''}`,
      )
    }
    console.log(lines.join('\n'))
  })
}
