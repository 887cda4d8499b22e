// Block import with full validation into a fresh LevelDB (issue #3 goal: ≥ 3,000 tx/s on 2 cores).
// Generates ≥ 2,000 blocks × 50 signed transactions (1 input, 2 outputs) on the devnet preset first
// (cached in .bench-cache/ so later runs skip it). Run: npx tsx bench/import.ts [blocks] [txPerBlock] [sync]
// (`sync`: every batch fsynced, `openLevelStore(dir, { sync: true })`: docs/RELIABILITY.md, "Durability")
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../consensus/encoding/hex.js'
import { BlockCodec } from '../consensus/types/block.js'
import { coreRegistry } from '../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../devnet/chaingen.js'
import { Chain } from '../node/chain/chain.js'
import { openLevelStore } from '../node/db/level.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { mnemonicToSeed } from '../wallet/keys/seed.js'

const blocks = Number(process.argv[2] ?? 2000)
const perBlock = Number(process.argv[3] ?? 50)
const sync = process.argv[4] === 'sync'
const MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const seed = mnemonicToSeed(MNEMONIC)
const keys = [0, 1, 2, 3].map((i) => deriveKey(seed, i, nodeEd25519))
const registry = coreRegistry()
const codec = new BlockCodec(registry)
const GENESIS_TIME = 1_700_000_000
const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: GENESIS_TIME })

const report = (metric: string, value: number, unit: string) =>
  console.log(JSON.stringify({ bench: 'import', metric, value: Number(value.toPrecision(4)), unit }))

const cacheDir = join(process.cwd(), '.bench-cache')
const cacheFile = join(cacheDir, `import-${blocks}x${perBlock}.hex`)
let lines: string[]
if (existsSync(cacheFile)) {
  lines = readFileSync(cacheFile, 'utf8').trim().split('\n')
} else {
  const t0 = performance.now()
  lines = []
  for (const b of generateChain({
    def,
    registry,
    ed: nodeEd25519,
    stakeKey: keys[0]!,
    keys,
    blocks,
    transactionsPerBlock: perBlock,
  })) {
    lines.push(toHex(codec.encode(b)))
  }
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cacheFile, lines.join('\n') + '\n')
  console.error(`generated ${blocks} blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

const dir = mkdtempSync(join(tmpdir(), 'blockstake-bench-import-'))
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 100)
try {
  const chain = await Chain.open({
    store: await openLevelStore(dir, { sync }),
    def,
    registry,
    verifier: nodeEd25519,
    now: () => GENESIS_TIME + 10 * blocks + 1_000_000,
  })
  const start = performance.now()
  // decoding is part of importing: blocks arrive as bytes, in batches as sync delivers them
  for (let i = 0; i < lines.length; i += 64) {
    const batch = lines.slice(i, i + 64).map((l) => codec.decode(fromHex(l)))
    const { results, error } = await chain.addBlocks(batch)
    if (error || results.some((r) => r.status !== 'tip'))
      throw new Error(`block ${i} not applied: ${String(error?.error)}`)
  }
  const seconds = (performance.now() - start) / 1000
  await chain.close()
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  const suffix = sync ? '_sync' : ''
  report(`tx_per_s${suffix}`, (blocks * perBlock) / seconds, 'tx/s')
  report(`blocks_per_s${suffix}`, blocks / seconds, 'blocks/s')
  report('peak_rss_mb', peakRss / 2 ** 20, 'MB')
} finally {
  clearInterval(sampler)
  rmSync(dir, { recursive: true, force: true })
}
