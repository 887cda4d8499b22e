// Walks every file in test/vectors/data (the project's copy of the reference vectors) and runs each vector
// through its file's handler. A handler's `later` outcome is reported as skipped, never as passed.
import { afterAll, describe, expect, it } from 'vitest'
import { type Handler, listVectorFiles, loadVectorFile, vectorId } from './framework.js'

const handlerModules = import.meta.glob<{ handle: Handler }>('./files/*.ts', { eager: true })
const handlerFor = (file: string): Handler | undefined =>
  handlerModules[`./files/${file.replace(/\.json$/, '.ts')}`]?.handle

interface Tally {
  passed: number
  later: Map<string, number>
}
const tallies = new Map<string, Tally>()

const files = listVectorFiles()
it('finds the vector files', () => expect(files.length).toBeGreaterThan(0))

for (const file of files) {
  describe(file, () => {
    const handle = handlerFor(file)
    it('has a handler', () =>
      expect(handle, `no handler module test/vectors/files/${file.replace(/\.json$/, '.ts')}`).toBeDefined())
    if (!handle) return
    const tally: Tally = { passed: 0, later: new Map() }
    tallies.set(file, tally)
    for (const v of loadVectorFile(file).vectors) {
      it(vectorId(v), (ctx) => {
        const out = handle(v)
        if (!out) {
          tally.passed++
          return
        }
        tally.later.set(out.later, (tally.later.get(out.later) ?? 0) + 1)
        ctx.skip(`later: ${out.later}`)
      })
    }
  })
}

afterAll(() => {
  const lines = ['vector files: passed / later work (skipped)']
  for (const [file, t] of tallies) {
    const later = [...t.later].map(([why, n]) => `${n} → ${why}`).join('; ')
    lines.push(
      `  ${file.padEnd(38)} ${String(t.passed).padStart(4)} passed${later ? `, skipped as later: ${later}` : ''}`,
    )
  }
  console.log(lines.join('\n'))
})
