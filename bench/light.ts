// Light client (issue #16 goals: ≥ 2,000 headers/s verified with full kernel checks in Node): headers verified
// per second offline (WebCrypto and noble signatures), bytes downloaded per header, proof size against block
// size, and the time to sync N headers from a checkpoint over HTTP on loopback from a real node (LevelDB).
// Run: npx tsx bench/light.ts [headers] [txPerBlock]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { type ChainDefinition, genesisBlock } from '../consensus/params/chain.js'
import { type Block, BlockCodec } from '../consensus/types/block.js'
import { coreRegistry } from '../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../devnet/chaingen.js'
import { createLightClient, HeaderChain, type LightHeader, parseCheckpoint } from '../light/index.js'
import { lightHeader, lightHeadersToJson } from '../light/proof.js'
import { chooseSignatureBackend } from '../light/signatures.js'
import { createApi } from '../node/api/server.js'
import { openDataDir } from '../node/datadir.js'
import { TransactionPool } from '../node/mempool/pool.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { mnemonicToSeed } from '../wallet/keys/seed.js'

const headers = Number(process.argv[2] ?? 10_000)
const txPerBlock = Number(process.argv[3] ?? 2)
/** Headers below the checkpoint of the HTTP sync (fetched without proofs and linked). */
const BELOW_CHECKPOINT = 100
const MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const seed = mnemonicToSeed(MNEMONIC)
const keys = [0, 1].map((i) => deriveKey(seed, i, nodeEd25519))
const report = (metric: string, value: number, unit: string) =>
  console.log(JSON.stringify({ bench: 'light', metric, value: Number(value.toPrecision(4)), unit }))

const total = headers + BELOW_CHECKPOINT
const def: ChainDefinition = devnetDefinition({
  stakers: [keys[0]!],
  coinsTo: keys[0]!,
  timestamp: Math.floor(Date.now() / 1000) - 10 * total - 3600,
})
const registry = coreRegistry()
const codec = new BlockCodec(registry)
const blocks: Block[] = [
  genesisBlock(def),
  ...generateChain({
    def,
    registry,
    ed: nodeEd25519,
    stakeKey: keys[0]!,
    keys,
    blocks: total,
    transactionsPerBlock: txPerBlock,
  }),
]

// ---- offline verification -------------------------------------------------------------------------
const light: LightHeader[] = []
for (const [h, b] of blocks.entries()) light.push(await lightHeader(codec, b, h, (x) => blocks[x]))
for (const backend of ['webcrypto', 'noble'] as const) {
  const sigs = await chooseSignatureBackend(backend)
  const chain = HeaderChain.fromGenesis(def, codec, sigs, () => Math.floor(Date.now() / 1000))
  const t = performance.now()
  for (let i = 1; i < light.length; i += 500) await chain.extend(light.slice(i, i + 500))
  const seconds = (performance.now() - t) / 1000
  if (chain.height !== total) throw new Error(`verified ${chain.height} of ${total} headers`)
  report(backend === 'webcrypto' ? 'headers_per_s' : 'headers_per_s_noble', total / seconds, 'headers/s')
}

// ---- sizes ----------------------------------------------------------------------------------------
const page = light.slice(1, 501)
const pageJson = JSON.stringify(
  lightHeadersToJson({
    genesisId: codec.id(blocks[0]!),
    tip: { height: total, id: codec.id(blocks[total]!) },
    headers: page,
  }),
)
report('bytes_per_header', pageJson.length / page.length, 'bytes')
let proofBytes = 0
let blockBytes = 0
for (const h of page) {
  for (const p of [h.stake!, h.respend!]) proofBytes += p.transaction.length + 32 * p.proof.path.length + 16
  blockBytes += codec.encode(blocks[h.height]!).length
}
report('proof_bytes_per_header', proofBytes / page.length, 'bytes')
report('block_bytes_per_header', blockBytes / page.length, 'bytes')

// ---- sync over HTTP from a checkpoint ---------------------------------------------------------------
const root = mkdtempSync(join(tmpdir(), 'blockstake-bench-light-'))
const chain = await openDataDir(join(root, 'node'), def, { create: true })
const pool = new TransactionPool({ chain, verifier: nodeEd25519 }).attach()
const api = await createApi({ chain, pool, host: '127.0.0.1', port: 0, logger: pino({ level: 'warn' }) })
try {
  for (let i = 1; i < blocks.length; i += 256) {
    const r = await chain.addBlocks(blocks.slice(i, i + 256))
    if (r.error) throw r.error
  }
  const cp = parseCheckpoint(await (await fetch(`${api.url}/light/checkpoint/${BELOW_CHECKPOINT}`)).json())
  let bytes = 0
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const text = await res.text()
    bytes += text.length
    return new Response(text, { status: res.status, headers: res.headers })
  }
  const t = performance.now()
  const client = await createLightClient({ nodes: [api.url], chain: def, checkpoint: cp, fetch: counting })
  const seconds = (performance.now() - t) / 1000
  if (client.tip().height !== total) throw new Error(`synced to ${client.tip().height}, not ${total}`)
  report(`sync_${headers}_headers_s`, seconds, 's')
  report('sync_headers_per_s', headers / seconds, 'headers/s')
  report('sync_bytes_per_header', bytes / headers, 'bytes')
} finally {
  await api.close()
  pool.detach()
  await chain.close()
  rmSync(root, { recursive: true, force: true })
}
