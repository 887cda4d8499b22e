import { describe, expect, it } from 'vitest'
import { WriteBuffer } from '../../../../node/chain/buffer.js'
import type { KVStore } from '../../../../node/db/kvstore.js'
import { createMemoryStore } from '../../../../node/db/memory.js'

const b = (s: string) => new TextEncoder().encode(s)
const str = (v: Uint8Array | undefined) => (v === undefined ? undefined : new TextDecoder().decode(v))

/** A memory store that counts the reads reaching it. */
function countingStore(): { store: KVStore; reads: () => number } {
  const store = createMemoryStore()
  let reads = 0
  const counted: KVStore = Object.create(store)
  counted.get = (k) => {
    reads++
    return store.get(k)
  }
  counted.getMany = (ks) => {
    reads++
    return store.getMany(ks)
  }
  return { store: counted, reads: () => reads }
}

describe('WriteBuffer', () => {
  it('reads its own writes over the store and commits them as one batch', async () => {
    const store = createMemoryStore()
    await store.batch([
      { type: 'put', key: b('a'), value: b('1') },
      { type: 'put', key: b('b'), value: b('2') },
    ])
    const buf = new WriteBuffer(store)
    buf.put(b('a'), b('10'))
    buf.del(b('b'))
    buf.put(b('c'), b('3'))
    expect(str(await buf.get(b('a')))).toBe('10')
    expect(await buf.get(b('b'))).toBeUndefined()
    expect((await buf.getMany([b('a'), b('b'), b('c'), b('d')])).map(str)).toEqual([
      '10',
      undefined,
      '3',
      undefined,
    ])
    expect(str(await store.get(b('a')))).toBe('1')
    await buf.commit()
    expect(buf.size).toBe(0)
    expect((await store.getMany([b('a'), b('b'), b('c')])).map(str)).toEqual(['10', undefined, '3'])
  })

  it('restores a checkpoint', async () => {
    const buf = new WriteBuffer(createMemoryStore())
    buf.put(b('a'), b('1'))
    const mark = buf.checkpoint()
    buf.put(b('a'), b('2'))
    buf.put(b('b'), b('3'))
    buf.restore(mark)
    expect(str(await buf.get(b('a')))).toBe('1')
    expect(await buf.get(b('b'))).toBeUndefined()
    expect(buf.size).toBe(1)
  })

  it('answers preloaded keys from memory, present or absent, and lets later writes win', async () => {
    const { store, reads } = countingStore()
    await store.batch([{ type: 'put', key: b('a'), value: b('1') }])
    const buf = new WriteBuffer(store)
    await buf.preload([b('a'), b('missing'), b('a')])
    expect(reads()).toBe(1)
    expect(str(await buf.get(b('a')))).toBe('1')
    expect(await buf.get(b('missing'))).toBeUndefined()
    expect((await buf.getMany([b('a'), b('missing')])).map(str)).toEqual(['1', undefined])
    expect(reads()).toBe(1)
    buf.put(b('missing'), b('now'))
    buf.del(b('a'))
    expect((await buf.getMany([b('a'), b('missing')])).map(str)).toEqual([undefined, 'now'])
    await buf.preload([b('a'), b('missing')]) // pending or loaded: nothing to read
    expect(reads()).toBe(1)
    await buf.get(b('other'))
    expect(reads()).toBe(2)
  })

  it('stacks on another buffer and reads fresh values after that buffer commits', async () => {
    const store = createMemoryStore()
    const first = new WriteBuffer(store)
    first.put(b('k'), b('first'))
    await first.preload([b('k'), b('j')])
    const second = new WriteBuffer(first)
    await second.preload([b('k')])
    expect(str(await second.get(b('k')))).toBe('first')
    await expect(second.commit()).rejects.toThrow(/staged on another buffer/)
    await first.commit()
    // the committed value is read through, not a stale preload of `first`
    await store.batch([{ type: 'put', key: b('j'), value: b('later') }])
    expect(str(await first.get(b('j')))).toBe('later')
    second.put(b('j'), b('second'))
    await second.commit(store)
    expect((await store.getMany([b('k'), b('j')])).map(str)).toEqual(['first', 'second'])
  })
})
