// The node's persistent KVStore: LevelDB through `level` (classic-level on Node). shared/notes/dependencies.md §2.
import { Level } from 'level'
import {
  type BatchOp,
  checkBatchOp,
  checkBytes,
  checkKeys,
  checkRange,
  type KVStore,
  type RangeOptions,
  StoreError,
} from './kvstore.js'

/** Entries fetched per native call while scanning: one `nextv` round trip per batch instead of one per entry. */
const SCAN_BATCH = 1000

type LevelDb = Level<Uint8Array, Uint8Array>

/**
 * LevelDB's memory: its block cache (uncompressed table blocks; the OS page cache keeps the files
 * themselves) and the write buffer (the memtable, twice while one is being flushed). LevelDB's defaults
 * are 8 and 4 MB; 2 and 2 MB cost nothing measurable on a sync (3,390 tx/s) and leave a node about 14 MB
 * smaller after it with the launcher's malloc settings (155 -> 141 MB, docs/BENCHMARKS.md).
 */
const CACHE_BYTES = 2 << 20
const WRITE_BUFFER_BYTES = 2 << 20

export interface LevelStoreOptions {
  /**
   * Flush every batch to the disk (fsync of LevelDB's log) before it resolves. Off by default: batches
   * are atomic either way and a killed process loses nothing; without it a power loss or OS crash may
   * drop the latest batches, never half of one (docs/RELIABILITY.md, "Durability").
   */
  readonly sync?: boolean
}

/**
 * Opens (creating if missing) the LevelDB database in `dir`. Batches are atomic; they are fsynced only
 * with `sync` (see `LevelStoreOptions`). Fails with `StoreError('io')` when another process or store
 * holds the directory's lock.
 */
export async function openLevelStore(dir: string, options: LevelStoreOptions = {}): Promise<KVStore> {
  const db: LevelDb = new Level<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    createIfMissing: true,
    cacheSize: CACHE_BYTES,
    writeBufferSize: WRITE_BUFFER_BYTES,
  })
  try {
    await db.open()
  } catch (err) {
    throw openError(dir, err)
  }
  return new LevelStore(db, options.sync === true)
}

class LevelStore implements KVStore {
  private closing: Promise<void> | undefined

  constructor(
    private readonly db: LevelDb,
    private readonly sync: boolean,
  ) {}

  private ensureOpen(): void {
    if (this.closing !== undefined) throw new StoreError('closed', 'the store is closed')
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.ensureOpen()
    checkBytes(key, 'key')
    try {
      // level 10 resolves a missing key to undefined (its types do not say so)
      const value = (await this.db.get(key)) as Uint8Array | undefined
      return value === undefined ? undefined : owned(value)
    } catch (err) {
      throw storeError(err)
    }
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.ensureOpen()
    checkKeys(keys)
    if (keys.length === 0) return []
    try {
      const values = (await this.db.getMany([...keys])) as (Uint8Array | undefined)[]
      return values.map((value) => (value === undefined ? undefined : owned(value)))
    } catch (err) {
      throw storeError(err)
    }
  }

  async has(key: Uint8Array): Promise<boolean> {
    this.ensureOpen()
    checkBytes(key, 'key')
    try {
      return await this.db.has(key)
    } catch (err) {
      throw storeError(err)
    }
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.ensureOpen()
    // checked up front, and copied to plain ops so no extra property (sublevel, encodings…) reaches level
    const levelOps = ops.map((op, i) => {
      checkBatchOp(op, i)
      return op.type === 'put'
        ? { type: 'put' as const, key: op.key, value: op.value }
        : { type: 'del' as const, key: op.key }
    })
    if (levelOps.length === 0) return
    try {
      // one LevelDB WriteBatch: atomic. classic-level copies the bytes before this call returns.
      await this.db.batch(levelOps, { sync: this.sync })
    } catch (err) {
      throw storeError(err)
    }
  }

  async *entries(options: RangeOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
    this.ensureOpen()
    const limit = checkRange(options)
    if (limit === 0) return
    // level reads an explicit `lt: undefined` as a bound (and yields nothing), so only set bounds that exist
    const iterator = this.db.iterator({
      ...(options.gte === undefined ? {} : { gte: options.gte }),
      ...(options.lt === undefined ? {} : { lt: options.lt }),
      reverse: options.reverse === true,
      limit: limit === Number.POSITIVE_INFINITY ? -1 : limit,
    })
    try {
      for (;;) {
        let chunk: [Uint8Array, Uint8Array][]
        try {
          chunk = await iterator.nextv(SCAN_BATCH)
        } catch (err) {
          throw storeError(err)
        }
        if (chunk.length === 0) return
        for (const [key, value] of chunk) {
          this.ensureOpen()
          yield [owned(key), owned(value)]
        }
      }
    } finally {
      // also runs when the consumer breaks out early: releases the native iterator and its snapshot
      await iterator.close()
    }
  }

  async close(): Promise<void> {
    this.closing ??= this.db.close().catch((err: unknown) => {
      throw storeError(err)
    })
    return this.closing
  }
}

/**
 * A plain Uint8Array the caller owns. classic-level hands out a Node Buffer with its own memory per key and
 * value; re-viewing that memory avoids a copy, and drops Buffer's `slice()` (which shares memory) from the API.
 */
function owned(bytes: Uint8Array): Uint8Array {
  if (
    bytes.byteOffset === 0 &&
    bytes.buffer.byteLength === bytes.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return new Uint8Array(bytes.buffer, 0, bytes.byteLength)
  }
  return new Uint8Array(bytes)
}

function levelCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined
  return typeof err.code === 'string' ? err.code : undefined
}

function errorCause(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Maps a level error to a StoreError; argument errors without a level code pass through unchanged. */
function storeError(err: unknown): unknown {
  if (err instanceof StoreError) return err
  const code = levelCode(err)
  if (code === undefined || !code.startsWith('LEVEL_')) return err
  switch (code) {
    case 'LEVEL_DATABASE_NOT_OPEN':
    case 'LEVEL_ITERATOR_NOT_OPEN':
    case 'LEVEL_BATCH_NOT_OPEN':
      return new StoreError('closed', 'the store is closed', { cause: err })
    case 'LEVEL_CORRUPTION':
    case 'LEVEL_DECODE_ERROR':
      return new StoreError('corrupt', `database corrupt: ${messageOf(err)}`, { cause: err })
    default:
      return new StoreError('io', `database error (${code}): ${messageOf(err)}`, { cause: err })
  }
}

function openError(dir: string, err: unknown): StoreError {
  // level reports open failures as LEVEL_DATABASE_NOT_OPEN with the reason in `cause`
  const cause = errorCause(err) ?? err
  const code = levelCode(cause)
  if (code === 'LEVEL_LOCKED') {
    return new StoreError(
      'io',
      `cannot open the database in ${dir}: it is locked, another node may be using it (${messageOf(cause)})`,
      { cause: err },
    )
  }
  if (code === 'LEVEL_CORRUPTION') {
    return new StoreError('corrupt', `cannot open the database in ${dir}: ${messageOf(cause)}`, {
      cause: err,
    })
  }
  return new StoreError('io', `cannot open the database in ${dir}: ${messageOf(cause)}`, { cause: err })
}
