// LevelDB store throughput through the KVStore interface (node/db/level.ts), and what an fsync per batch
// costs (`sync`). Run: npx tsx bench/db.ts
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BatchOp, type KVStore, openLevelStore } from '../node/db/index.js'

const KEYS = 100_000
const BATCH = 1000
const GET_MANY = 20_000
const ROUNDS = 3 // best of 3 for the read figures

function report(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'db', metric, value: Number(value.toPrecision(3)), unit }))
}

async function timed(op: () => Promise<void>): Promise<number> {
  const start = performance.now()
  await op()
  return (performance.now() - start) / 1000
}

// keys shaped like the node's: a table prefix byte and a 32-byte id; values the size of a small output
const keys = Array.from({ length: KEYS }, () => {
  const key = new Uint8Array(33)
  key[0] = 0x04
  key.set(randomBytes(32), 1)
  return key
})
const value = new Uint8Array(randomBytes(64))

const dir = mkdtempSync(join(tmpdir(), 'blockstake-bench-db-'))
let store: KVStore | undefined
try {
  store = await openLevelStore(dir)
  const db = store

  const putSeconds = await timed(async () => {
    for (let i = 0; i < KEYS; i += BATCH) {
      const ops: BatchOp[] = keys.slice(i, i + BATCH).map((key) => ({ type: 'put', key, value }))
      await db.batch(ops)
    }
  })
  report('batch_put_per_s', KEYS / putSeconds, 'ops/s')

  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < ROUNDS; round++) {
    const picked = Array.from({ length: GET_MANY }, () => keys[Math.floor(Math.random() * KEYS)]!)
    best = Math.min(
      best,
      await timed(async () => {
        const values = await db.getMany(picked)
        if (values.some((v) => v === undefined)) throw new Error('getMany missed a key')
      }),
    )
  }
  report('get_many_per_s', GET_MANY / best, 'ops/s')

  best = Number.POSITIVE_INFINITY
  for (let round = 0; round < ROUNDS; round++) {
    best = Math.min(
      best,
      await timed(async () => {
        let count = 0
        for await (const _ of db.entries()) count++
        if (count !== KEYS) throw new Error(`scan saw ${count} of ${KEYS} entries`)
      }),
    )
  }
  report('scan_per_s', KEYS / best, 'ops/s')

  // one block's commit (about 400 writes for 50 transfers: outputs, undo, indexes), written plainly and
  // with an fsync (`openLevelStore(dir, { sync: true })`), alternating; medians of 50 each
  const synced = await openLevelStore(join(dir, 'synced'), { sync: true })
  const plain = await openLevelStore(join(dir, 'plain'))
  const commits = { plain: [] as number[], sync: [] as number[] }
  for (let i = 0; i < 100; i++) {
    const ops: BatchOp[] = Array.from({ length: 400 }, () => ({
      type: 'put',
      key: new Uint8Array(randomBytes(33)),
      value,
    }))
    const which = i % 2 === 0 ? 'plain' : 'sync'
    commits[which].push(await timed(() => (which === 'plain' ? plain : synced).batch(ops)))
  }
  await synced.close()
  await plain.close()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]! * 1000
  report('commit_400_ms', median(commits.plain), 'ms')
  report('commit_400_sync_ms', median(commits.sync), 'ms')
} finally {
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
}
