import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { Level } from 'level'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type BatchOp,
  compareBytes,
  createMemoryStore,
  type KVStore,
  openLevelStore,
  prefixRange,
  StoreError,
} from '../../../../node/db/index.js'
import { kvStoreSuite } from './kvstore.suite.js'

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes)
const put = (key: Uint8Array, value: Uint8Array): BatchOp => ({ type: 'put', key, value })

const tempDirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-db-'))
  tempDirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

kvStoreSuite('memory', async () => {
  const store = createMemoryStore()
  return { store, cleanup: () => store.close() }
})

kvStoreSuite('level', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-db-'))
  const store = await openLevelStore(dir)
  return {
    store,
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

kvStoreSuite('level, fsync per batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-db-'))
  const store = await openLevelStore(dir, { sync: true })
  return {
    store,
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

describe('openLevelStore', () => {
  const open: KVStore[] = []
  afterEach(async () => {
    vi.restoreAllMocks()
    for (const store of open.splice(0)) await store.close()
  })
  async function openStore(dir: string): Promise<KVStore> {
    const store = await openLevelStore(dir)
    open.push(store)
    return store
  }

  it('asks LevelDB to flush every batch with `sync`, and not without', async () => {
    const batch = vi.spyOn(Level.prototype, 'batch')
    const synced = await openLevelStore(tempDir(), { sync: true })
    open.push(synced)
    await synced.batch([put(b(1), b(10))])
    const plain = await openStore(tempDir())
    await plain.batch([put(b(1), b(10))])
    expect(batch.mock.calls.map((call) => (call as unknown[])[1])).toEqual([{ sync: true }, { sync: false }])
  })

  it('keeps what was written across close and reopen', async () => {
    const dir = tempDir()
    const first = await openStore(dir)
    await first.batch([put(b(1), b(10)), put(b(2, 0xff), b()), put(b(3), b(30))])
    await first.batch([{ type: 'del', key: b(3) }])
    await first.close()
    const second = await openStore(dir)
    expect(await second.getMany([b(1), b(2, 0xff), b(3)])).toEqual([b(10), b(), undefined])
    const keys: Uint8Array[] = []
    for await (const [key] of second.entries()) keys.push(key)
    expect(keys).toEqual([b(1), b(2, 0xff)])
  })

  it('refuses a directory another store holds, naming it and the likely cause', async () => {
    const dir = tempDir()
    const holder = await openStore(dir)
    const err = await openLevelStore(dir).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject({ code: 'io' })
    expect((err as StoreError).message).toContain(dir)
    expect((err as StoreError).message).toMatch(/another node may be using it/)
    await holder.close()
    const again = await openStore(dir)
    expect(await again.has(b(1))).toBe(false)
  })

  it('fails with StoreError io when the directory cannot be a database', async () => {
    const file = join(tempDir(), 'not-a-dir')
    writeFileSync(file, 'x')
    await expect(openLevelStore(file)).rejects.toMatchObject({ name: 'StoreError', code: 'io' })
  })

  it('closes the native iterator when the consumer breaks out early', async () => {
    const store = await openStore(tempDir())
    await store.batch(Array.from({ length: 3000 }, (_, i) => put(b(i >> 8, i & 0xff), b())))
    const spy = vi.spyOn(Level.prototype, 'iterator')
    for await (const _ of store.entries()) break
    expect(spy).toHaveBeenCalledTimes(1)
    const native = spy.mock.results[0]!.value as { nextv(n: number): Promise<unknown> }
    // the database is still open, so only a closed iterator rejects this way
    await expect(native.nextv(1)).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' })
    expect(await store.has(b(0, 0))).toBe(true)
  })
})

describe('prefixRange', () => {
  it('bounds every key that starts with the prefix', () => {
    expect(prefixRange(b(0x05))).toEqual({ gte: b(0x05), lt: b(0x06) })
    expect(prefixRange(b(0x05, 0x00))).toEqual({ gte: b(0x05, 0x00), lt: b(0x05, 0x01) })
    expect(prefixRange(b(0x05, 0xff))).toEqual({ gte: b(0x05, 0xff), lt: b(0x06) })
    expect(prefixRange(b(0x01, 0xfe, 0xff, 0xff))).toEqual({
      gte: b(0x01, 0xfe, 0xff, 0xff),
      lt: b(0x01, 0xff),
    })
  })

  it('has no upper bound (lt undefined) for an empty or all-0xff prefix', () => {
    expect(prefixRange(b())).toEqual({ gte: b(), lt: undefined })
    expect(prefixRange(b(0xff, 0xff))).toEqual({ gte: b(0xff, 0xff), lt: undefined })
  })

  it('returns copies and leaves the prefix alone', () => {
    const prefix = b(0x05, 0xff)
    const range = prefixRange(prefix)
    expect(range.gte).not.toBe(prefix)
    expect(prefix).toEqual(b(0x05, 0xff))
  })

  it('matches exactly the keys that start with the prefix (property)', () => {
    const keyArb = fc.oneof(
      fc.array(fc.constantFrom(0x00, 0x01, 0xfe, 0xff), { maxLength: 4 }).map((a) => Uint8Array.from(a)),
      fc.uint8Array({ maxLength: 6 }),
    )
    fc.assert(
      fc.property(keyArb, keyArb, (prefix, key) => {
        const { gte, lt } = prefixRange(prefix)
        const inRange = compareBytes(key, gte) >= 0 && (lt === undefined || compareBytes(key, lt) < 0)
        const hasPrefix = key.length >= prefix.length && prefix.every((byte, i) => key[i] === byte)
        expect(inRange).toBe(hasPrefix)
      }),
      { numRuns: 2000 },
    )
  })
})
