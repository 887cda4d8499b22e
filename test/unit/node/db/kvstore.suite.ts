// One behavioural suite for every KVStore implementation (STYLE.md pattern 3), run by kvstore.test.ts.
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type BatchOp,
  compareBytes,
  type KVStore,
  prefixRange,
  type RangeOptions,
  StoreError,
} from '../../../../node/db/index.js'

export type OpenStore = () => Promise<{ store: KVStore; cleanup: () => Promise<void> }>

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const put = (key: Uint8Array, value: Uint8Array): BatchOp => ({ type: 'put', key, value })
const del = (key: Uint8Array): BatchOp => ({ type: 'del', key })

async function collect(store: KVStore, options?: RangeOptions): Promise<[string, string][]> {
  const out: [string, string][] = []
  for await (const [key, value] of store.entries(options)) out.push([hex(key), hex(value)])
  return out
}

async function keysOf(store: KVStore, options?: RangeOptions): Promise<string[]> {
  return (await collect(store, options)).map(([key]) => key)
}

async function clear(store: KVStore): Promise<void> {
  const ops: BatchOp[] = []
  for await (const [key] of store.entries()) ops.push(del(key))
  await store.batch(ops)
}

/** Short keys over a few edge bytes (so prefixes and 0x00/0xff collide often), mixed with arbitrary ones. */
const keyArb = fc.oneof(
  fc
    .array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff), { maxLength: 4 })
    .map((a) => Uint8Array.from(a)),
  fc.uint8Array({ maxLength: 8 }),
)
const keySetArb = fc.uniqueArray(keyArb, { maxLength: 40, selector: hex })

export function kvStoreSuite(name: string, open: OpenStore): void {
  describe(`KVStore: ${name}`, () => {
    let store: KVStore
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await open())
    })
    afterEach(async () => {
      await cleanup()
    })

    describe('reads and writes', () => {
      it('puts, gets, overwrites and deletes through batches', async () => {
        expect(await store.get(b(1))).toBeUndefined()
        await store.batch([put(b(1), b(10)), put(b(2), b(20))])
        expect(await store.get(b(1))).toEqual(b(10))
        expect(await store.get(b(2))).toEqual(b(20))
        await store.batch([put(b(1), b(11, 11))])
        expect(await store.get(b(1))).toEqual(b(11, 11))
        await store.batch([del(b(1)), del(b(3))]) // deleting a missing key is no error
        expect(await store.get(b(1))).toBeUndefined()
        expect(await store.get(b(2))).toEqual(b(20))
        await store.batch([]) // an empty batch is a no-op
        expect(await keysOf(store)).toEqual(['02'])
      })

      it('getMany answers in the order asked, with undefined for misses and repeats allowed', async () => {
        await store.batch([put(b(1), b(10)), put(b(2), b(20)), put(b(3), b(30))])
        expect(await store.getMany([b(3), b(9), b(1), b(3), b()])).toEqual([
          b(30),
          undefined,
          b(10),
          b(30),
          undefined,
        ])
        expect(await store.getMany([])).toEqual([])
      })

      it('has tells present from missing keys, including keys holding an empty value', async () => {
        await store.batch([put(b(1), b(10)), put(b(2), b())])
        expect(await store.has(b(1))).toBe(true)
        expect(await store.has(b(2))).toBe(true)
        expect(await store.has(b(3))).toBe(false)
        await store.batch([del(b(1))])
        expect(await store.has(b(1))).toBe(false)
      })

      it('stores empty values and the empty key', async () => {
        await store.batch([put(b(5), b()), put(b(), b(0xee))])
        expect(await store.get(b(5))).toEqual(b())
        expect(await store.getMany([b(5), b()])).toEqual([b(), b(0xee)])
        expect(await collect(store)).toEqual([
          ['', 'ee'],
          ['05', ''],
        ])
        await store.batch([del(b())])
        expect(await store.has(b())).toBe(false)
      })

      it('keeps binary keys with 0x00 and 0xff bytes distinct', async () => {
        const keys = [b(0), b(0, 0), b(0, 0xff), b(0xff), b(0xff, 0), b(0xff, 0xff), b(0xff, 0xff, 0xff)]
        await store.batch(keys.map((key, i) => put(key, b(i))))
        expect(await store.getMany(keys)).toEqual(keys.map((_, i) => b(i)))
        expect(await keysOf(store)).toEqual(['00', '0000', '00ff', 'ff', 'ff00', 'ffff', 'ffffff'])
      })

      it('returns plain Uint8Arrays the caller owns, and copies what it is given', async () => {
        const key = b(1, 2)
        const value = b(7, 7, 7)
        await store.batch([put(key, value)])
        key[0] = 9
        value[0] = 9
        const got = await store.get(b(1, 2))
        expect(got).toEqual(b(7, 7, 7))
        expect(got!.constructor).toBe(Uint8Array)
        got![1] = 0
        const [many] = await store.getMany([b(1, 2)])
        expect(many).toEqual(b(7, 7, 7))
        many![2] = 0
        for await (const [k, v] of store.entries()) {
          expect(k.constructor).toBe(Uint8Array)
          expect(v.constructor).toBe(Uint8Array)
          k[0] = 0
          v[0] = 0
        }
        expect(await collect(store)).toEqual([['0102', '070707']])
      })

      it('rejects keys that are not Uint8Arrays', async () => {
        await expect(store.get('k' as unknown as Uint8Array)).rejects.toThrow(TypeError)
        await expect(store.has(null as unknown as Uint8Array)).rejects.toThrow(TypeError)
        await expect(store.getMany([b(1), 2 as unknown as Uint8Array])).rejects.toThrow(/key 1/)
      })
    })

    describe('ordering and ranges', () => {
      it('lists entries in bytewise key order (property)', async () => {
        await fc.assert(
          fc.asyncProperty(keySetArb, async (keys) => {
            await clear(store)
            // written in generation order, in two batches, so sorting is the store's job
            const half = keys.length >> 1
            await store.batch(keys.slice(0, half).map((key, i) => put(key, b(i & 0xff))))
            await store.batch(keys.slice(half).map((key, i) => put(key, b((half + i) & 0xff))))
            const expected = [...keys].sort(compareBytes).map(hex)
            expect(await keysOf(store)).toEqual(expected)
            expect(await keysOf(store, { reverse: true })).toEqual([...expected].reverse())
          }),
          { numRuns: 60 },
        )
      })

      it('applies gte, lt, reverse and limit like a sorted array (property)', async () => {
        const rangeArb = fc.record(
          {
            gte: keyArb,
            lt: keyArb,
            reverse: fc.boolean(),
            limit: fc.nat({ max: 12 }),
          },
          { requiredKeys: [] },
        )
        await fc.assert(
          fc.asyncProperty(
            keySetArb,
            fc.array(rangeArb, { minLength: 1, maxLength: 5 }),
            async (keys, ranges) => {
              await clear(store)
              await store.batch(keys.map((key) => put(key, key)))
              const sorted = [...keys].sort(compareBytes)
              for (const range of ranges) {
                let expected = sorted.filter(
                  (key) =>
                    (range.gte === undefined || compareBytes(key, range.gte) >= 0) &&
                    (range.lt === undefined || compareBytes(key, range.lt) < 0),
                )
                if (range.reverse) expected.reverse()
                if (range.limit !== undefined) expected = expected.slice(0, range.limit)
                expect(await collect(store, range)).toEqual(expected.map((key) => [hex(key), hex(key)]))
              }
            },
          ),
          { numRuns: 60 },
        )
      })

      it('bounds scans with gte (inclusive) and lt (exclusive)', async () => {
        await store.batch([1, 2, 3, 4, 5].map((i) => put(b(i), b(i))))
        expect(await keysOf(store, { gte: b(2), lt: b(4) })).toEqual(['02', '03'])
        expect(await keysOf(store, { gte: b(2, 0) })).toEqual(['03', '04', '05'])
        expect(await keysOf(store, { lt: b(2, 0) })).toEqual(['01', '02'])
        expect(await keysOf(store, { gte: b(4), lt: b(2) })).toEqual([])
        expect(await keysOf(store, { gte: b(3), lt: b(3) })).toEqual([])
        expect(await keysOf(store, { lt: b() })).toEqual([])
        expect(await keysOf(store, { gte: b(), lt: undefined })).toEqual(['01', '02', '03', '04', '05'])
      })

      it('scans backwards and stops at limit', async () => {
        await store.batch([1, 2, 3, 4, 5].map((i) => put(b(i), b(i))))
        expect(await keysOf(store, { reverse: true, gte: b(2), lt: b(5) })).toEqual(['04', '03', '02'])
        expect(await keysOf(store, { limit: 2 })).toEqual(['01', '02'])
        expect(await keysOf(store, { reverse: true, limit: 2 })).toEqual(['05', '04'])
        expect(await keysOf(store, { reverse: true, limit: 2, lt: b(3) })).toEqual(['02', '01'])
        expect(await keysOf(store, { limit: 0 })).toEqual([])
        expect(await keysOf(store, { limit: Number.POSITIVE_INFINITY })).toHaveLength(5)
      })

      it('rejects malformed range options', async () => {
        await expect(keysOf(store, { limit: -1 })).rejects.toThrow(RangeError)
        await expect(keysOf(store, { limit: 1.5 })).rejects.toThrow(RangeError)
        await expect(keysOf(store, { gte: 'a' as unknown as Uint8Array })).rejects.toThrow(TypeError)
      })

      it('scans a table through prefixRange, including prefixes ending in 0xff', async () => {
        const keys = [
          b(0x04),
          b(0x04, 0xff),
          b(0x05),
          b(0x05, 0x00),
          b(0x05, 0xfe, 0x01),
          b(0x05, 0xff),
          b(0x05, 0xff, 0x00),
          b(0x05, 0xff, 0xff),
          b(0x06),
          b(0xff),
          b(0xff, 0x01),
          b(0xff, 0xff, 0xff),
        ]
        await store.batch(keys.map((key) => put(key, b())))
        expect(await keysOf(store, prefixRange(b(0x05)))).toEqual([
          '05',
          '0500',
          '05fe01',
          '05ff',
          '05ff00',
          '05ffff',
        ])
        expect(await keysOf(store, prefixRange(b(0x05, 0xff)))).toEqual(['05ff', '05ff00', '05ffff'])
        expect(await keysOf(store, prefixRange(b(0x04, 0xff)))).toEqual(['04ff'])
        expect(await keysOf(store, prefixRange(b(0xff)))).toEqual(['ff', 'ff01', 'ffffff'])
        expect(await keysOf(store, prefixRange(b(0xff, 0xff)))).toEqual(['ffffff'])
        expect(await keysOf(store, { ...prefixRange(b(0xff)), reverse: true, limit: 2 })).toEqual([
          'ffffff',
          'ff01',
        ])
        expect(await keysOf(store, prefixRange(b()))).toHaveLength(keys.length)
        expect(await keysOf(store, prefixRange(b(0x07)))).toEqual([])
      })

      it('scans a snapshot: writes made during a scan are not seen by it', async () => {
        await store.batch([put(b(1), b(1)), put(b(2), b(2)), put(b(3), b(3))])
        const seen: string[] = []
        for await (const [key, value] of store.entries()) {
          seen.push(`${hex(key)}=${hex(value)}`)
          if (seen.length === 1) await store.batch([del(b(2)), put(b(3), b(0x33)), put(b(4), b(4))])
        }
        expect(seen).toEqual(['01=01', '02=02', '03=03'])
        expect(await collect(store)).toEqual([
          ['01', '01'],
          ['03', '33'],
          ['04', '04'],
        ])
      })
    })

    describe('atomic batches', () => {
      it('applies ops in order, so the last op on a key wins', async () => {
        await store.batch([put(b(1), b(1)), del(b(1))])
        expect(await store.has(b(1))).toBe(false)
        await store.batch([del(b(2)), put(b(2), b(2))])
        expect(await store.get(b(2))).toEqual(b(2))
        await store.batch([put(b(3), b(1)), put(b(3), b(2)), del(b(3)), put(b(3), b(3))])
        expect(await store.get(b(3))).toEqual(b(3))
        expect(await keysOf(store)).toEqual(['02', '03'])
      })

      it('writes nothing when any op is malformed', async () => {
        await store.batch([put(b(9), b(9))])
        const bad: unknown[] = ['not a Uint8Array', null, undefined, [1, 2], { length: 1, 0: 1 }]
        for (const value of bad) {
          const ops = [put(b(1), b(1)), del(b(9)), { type: 'put', key: b(2), value } as unknown as BatchOp]
          await expect(store.batch(ops)).rejects.toThrow(/batch op 2: value must be a Uint8Array/)
        }
        await expect(store.batch([put(b(1), b(1)), del('k' as unknown as Uint8Array)])).rejects.toThrow(
          /batch op 1: key/,
        )
        await expect(
          store.batch([put(b(1), b(1)), { type: 'merge', key: b(1) } as unknown as BatchOp]),
        ).rejects.toThrow(/batch op 1: type/)
        await expect(store.batch([put(b(1), b(1)), null as unknown as BatchOp])).rejects.toThrow(TypeError)
        expect(await collect(store)).toEqual([['09', '09']])
      })
    })

    describe('iteration lifecycle', () => {
      const many = (n: number): BatchOp[] =>
        Array.from({ length: n }, (_, i) => put(b(i >> 8, i & 0xff), b(i & 0xff)))

      it('releases a scan the consumer leaves early, and keeps working', async () => {
        await store.batch(many(2500)) // more than one native batch of entries
        let seen = 0
        for await (const _ of store.entries()) if (++seen === 3) break
        expect(seen).toBe(3)
        const manual = store.entries({ reverse: true })[Symbol.asyncIterator]()
        expect((await manual.next()).done).toBe(false)
        await manual.return?.()
        expect((await manual.next()).done).toBe(true)
        await store.batch([put(b(0xff), b(1))])
        expect(await store.get(b(0xff))).toEqual(b(1))
        expect(await keysOf(store)).toHaveLength(2501)
        await expect(store.close()).resolves.toBeUndefined()
      })

      it('stops a scan that is still running when the store closes', async () => {
        await store.batch(many(10))
        const scan = store.entries()[Symbol.asyncIterator]()
        expect((await scan.next()).done).toBe(false)
        await store.close()
        await expect(scan.next()).rejects.toMatchObject({ name: 'StoreError', code: 'closed' })
      })
    })

    describe('close', () => {
      it('rejects every call after close with StoreError closed; close is idempotent', async () => {
        await store.batch([put(b(1), b(1))])
        await store.close()
        await store.close()
        const calls: [string, () => Promise<unknown>][] = [
          ['get', () => store.get(b(1))],
          ['getMany', () => store.getMany([b(1)])],
          ['has', () => store.has(b(1))],
          ['batch', () => store.batch([put(b(2), b(2))])],
          ['entries', () => keysOf(store)],
        ]
        for (const [what, call] of calls) {
          const err = await call().then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(err, what).toBeInstanceOf(StoreError)
          expect((err as StoreError).code, what).toBe('closed')
        }
      })
    })
  })
}
