// Devnet figures (issue #6 goals: first block ≤ 10 s after `devnet up`, a transfer in a block seen by every
// node within 2 block times, every node at a new height within 2 block times of the first, block times
// within ±30 % of the 2 s target; the Rivine reference devnet confirms in ~14 s with 12 s blocks).
// Run: npx tsx bench/devnet.ts [nodes] [transfers] [blocks]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { parseChainDefinitionText } from '../consensus/params/chain.js'
import { agree, apiUrl, devnetStatus, sleep, startNodes, stopNodes } from '../devnet/runner.js'
import { devnetPassphrase, initDevnet } from '../devnet/setup.js'
import { transfer } from '../wallet/client/transfer.node.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { decryptSeed } from '../wallet/keys/keystore.js'
import { readKeystoreFile } from '../wallet/keys/keystore.node.js'
import { generateSeed } from '../wallet/keys/seed.js'

// measure the shipped build when there is one (npm install builds dist/)
process.env.BLOCKSTAKE_CLI ??= 'dist'
const nodes = Number(process.argv[2] ?? 3)
const transfers = Number(process.argv[3] ?? 10)
const blocks = Number(process.argv[4] ?? 30)
const report = (metric: string, value: number, unit: string) =>
  console.log(JSON.stringify({ bench: 'devnet', metric, value: Number(value.toPrecision(4)), unit }))

const dir = mkdtempSync(join(tmpdir(), 'blockstake-bench-devnet-'))
const upStarted = performance.now()
const { config } = await initDevnet({ dir, nodes, blockTime: 2 })
try {
  startNodes(config, { detached: false })
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const s = await devnetStatus(config)
    if (s.every((n) => (n.height ?? 0) >= 1)) break
    await sleep(100)
  }
  report('first_block_s', (performance.now() - upStarted) / 1000, 's')
  while (Date.now() < deadline && !agree(await devnetStatus(config))) await sleep(200)

  const def = parseChainDefinitionText(readFileSync(config.chainFile, 'utf8'))
  const faucet = deriveKey(
    await decryptSeed(await readKeystoreFile(config.faucet.keystore), devnetPassphrase(config)),
    0,
    nodeEd25519,
  )
  const latencies: number[] = []
  for (let i = 0; i < transfers; i++) {
    // the faucet's change is spendable once confirmed: one transfer per confirmation
    const to = deriveKey(generateSeed(), 0, nodeEd25519).unlockHash
    const sent = performance.now()
    const txid = await transfer({
      api: apiUrl(config.nodes[i % nodes]!),
      def,
      key: faucet,
      to,
      value: def.oneCoin,
    })
    const until = Date.now() + 60_000
    while (Date.now() < until) {
      const seen = await Promise.all(
        config.nodes.map(async (n) => {
          const r = await fetch(`${apiUrl(n)}/transactions/${txid}`).catch(() => undefined)
          return r?.ok && !((await r.json()) as { unconfirmed?: boolean }).unconfirmed
        }),
      )
      if (seen.every(Boolean)) break
      await sleep(50)
    }
    latencies.push((performance.now() - sent) / 1000)
  }
  latencies.sort((a, b) => a - b)
  report('confirm_median_s', latencies[Math.floor(latencies.length / 2)]!, 's')

  // the next `blocks` heights: seconds from the first node at a height to every node at it, and the
  // average step of the block timestamps
  const heights = async () => (await devnetStatus(config)).map((n) => n.height ?? 0)
  const start = Math.max(...(await heights()))
  const spreads: number[] = []
  for (let h = start + 1; h <= start + blocks; h++) {
    let seenAt: number | undefined
    const until = Date.now() + 60_000
    while (Date.now() < until) {
      const hs = await heights()
      if (seenAt === undefined && hs.some((x) => x >= h)) seenAt = performance.now()
      if (hs.every((x) => x >= h)) break
      await sleep(50)
    }
    if (seenAt === undefined) throw new Error(`no node reached height ${h} within 60 s`)
    spreads.push((performance.now() - seenAt) / 1000)
  }
  spreads.sort((a, b) => a - b)
  report('height_spread_median_s', spreads[Math.floor(spreads.length / 2)]!, 's')
  report('height_spread_max_s', spreads[spreads.length - 1]!, 's')
  const timestampAt = async (h: number) =>
    (
      (await (await fetch(`${apiUrl(config.nodes[0]!)}/blocks/${h}`)).json()) as {
        block: { timestamp: number }
      }
    ).block.timestamp
  report('block_time_avg_s', ((await timestampAt(start + blocks)) - (await timestampAt(start))) / blocks, 's')
  let maxRss = 0
  for (const n of config.nodes) {
    const text = await (await fetch(`${apiUrl(n)}/metrics`)).text()
    maxRss = Math.max(maxRss, Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1] ?? 0))
  }
  report('node_rss_mb', maxRss / 2 ** 20, 'MB')
} finally {
  await stopNodes(config, 5000)
  rmSync(dir, { recursive: true, force: true })
}
