// consensus/state/extensions: extension state as key/value pairs and changes carrying the value before.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import {
  compactChanges,
  type ExtensionChange,
  ExtensionStateOverlay,
  extensionStateHash,
  invertChanges,
  MemoryExtensionState,
} from '../../../../consensus/state/extensions.js'

const v = (...bytes: number[]) => new Uint8Array(bytes)
const snapshot = (s: MemoryExtensionState) =>
  [...s.entries()].map((e) => `${e.extension}/${e.key}=${[...e.value]}`).sort()

describe('extension state', () => {
  it('an overlay records each write with the value before, and skips writes that change nothing', () => {
    const base = new MemoryExtensionState()
    base.apply([{ extension: 'a', key: 'k', before: undefined, after: v(1) }])
    const o = new ExtensionStateOverlay(base)
    o.set('a', 'k', v(1))
    o.set('a', 'k', v(2))
    o.set('b', 'k', v(3))
    o.set('a', 'k', undefined)
    expect(o.get('a', 'k')).toBeUndefined()
    expect(o.get('b', 'k')).toEqual(v(3))
    expect(base.get('b', 'k')).toBeUndefined()
    expect(o.changes).toEqual([
      { extension: 'a', key: 'k', before: v(1), after: v(2) },
      { extension: 'b', key: 'k', before: undefined, after: v(3) },
      { extension: 'a', key: 'k', before: v(2), after: undefined },
    ])
    expect(compactChanges(o.changes)).toEqual([
      { extension: 'a', key: 'k', before: v(1), after: undefined },
      { extension: 'b', key: 'k', before: undefined, after: v(3) },
    ])
  })

  it('refuses a change that does not start from the stored value, changing nothing', () => {
    const s = new MemoryExtensionState()
    const good: ExtensionChange = { extension: 'a', key: 'x', before: undefined, after: v(1) }
    const bad: ExtensionChange = { extension: 'a', key: 'y', before: v(9), after: v(2) }
    expect(() => s.apply([good, bad])).toThrow(/does not hold the value/)
    expect(s.size).toBe(0)
  })

  it('applying changes and then their inverse restores any state, and compacting changes nothing of that', () => {
    const key = fc.constantFrom('a', 'b', 'c')
    const ext = fc.constantFrom('one', 'two')
    const value = fc.option(fc.uint8Array({ maxLength: 3 }), { nil: undefined })
    const writes = fc.array(fc.tuple(ext, key, value), { maxLength: 20 })
    fc.assert(
      fc.property(writes, writes, (first, second) => {
        const s = new MemoryExtensionState()
        const o1 = new ExtensionStateOverlay(s)
        for (const [e, k, x] of first) o1.set(e, k, x)
        s.apply(o1.changes)
        const before = snapshot(s)
        const hashBefore = extensionStateHash(s.entries(), blake2b256)
        const o2 = new ExtensionStateOverlay(s)
        for (const [e, k, x] of second) o2.set(e, k, x)
        const twin = new MemoryExtensionState()
        twin.apply(o1.changes)
        s.apply(o2.changes)
        twin.apply(compactChanges(o2.changes))
        expect(snapshot(twin)).toEqual(snapshot(s))
        s.revert(o2.changes)
        twin.apply(invertChanges(compactChanges(o2.changes)))
        expect(snapshot(s)).toEqual(before)
        expect(snapshot(twin)).toEqual(before)
        expect(extensionStateHash(s.entries(), blake2b256)).toEqual(hashBefore)
      }),
      { numRuns: 300 },
    )
  })

  it('the state hash depends on the pairs only, not on the order they were written in', () => {
    const a = new MemoryExtensionState()
    const b = new MemoryExtensionState()
    const c1: ExtensionChange = { extension: 'm', key: 'k1', before: undefined, after: v(1) }
    const c2: ExtensionChange = { extension: 'n', key: 'k0', before: undefined, after: v(2) }
    a.apply([c1, c2])
    b.apply([c2, c1])
    expect(extensionStateHash(a.entries(), blake2b256)).toEqual(extensionStateHash(b.entries(), blake2b256))
    b.apply([{ extension: 'n', key: 'k0', before: v(2), after: v(3) }])
    expect(extensionStateHash(a.entries(), blake2b256)).not.toEqual(
      extensionStateHash(b.entries(), blake2b256),
    )
    // the namespace is part of the hash: the same key and value under another extension differ
    const c = new MemoryExtensionState()
    c.apply([{ ...c1, extension: 'n' }, c2])
    expect(extensionStateHash(a.entries(), blake2b256)).not.toEqual(
      extensionStateHash(c.entries(), blake2b256),
    )
  })
})
