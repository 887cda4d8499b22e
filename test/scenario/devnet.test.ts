// Devnet scenario (issue #6; `npm run test:scenario`, ~3 min; not in `npm test` while its block-time check
// still fails in some runs): four node processes run ≥ 60 blocks; at every
// block all nodes converge on one tip within 2 block times, heights never go back, block times average
// within ±30 % of the target; a node killed for 20 s catches up; faucet → wallet → wallet transfers
// confirm everywhere.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { parseChainDefinitionText } from '../../consensus/params/chain.js'
import {
  agree,
  apiUrl,
  devnetStatus,
  type NodeStatus,
  runningPid,
  sleep,
  startNodes,
  stopNodes,
} from '../../devnet/runner.js'
import { type DevnetConfig, devnetPassphrase, initDevnet } from '../../devnet/setup.js'
import { transfer } from '../../wallet/cli/transfer.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { decryptSeed } from '../../wallet/keys/keystore.js'
import { readKeystoreFile } from '../../wallet/keys/keystore.node.js'
import { generateSeed } from '../../wallet/keys/seed.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-sim-devnet-'))
let config: DevnetConfig | undefined
afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  // BLOCKSTAKE_KEEP_DEVNET=1 keeps the directory (node logs) for a look after a failure
  if (process.env.BLOCKSTAKE_KEEP_DEVNET) console.log(`devnet kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('devnet scenario', () => {
  it('four nodes: convergence, block times, a node down for 20 s, transfers', async () => {
    const BLOCK_TIME = 2
    config = (await initDevnet({ dir, nodes: 4, blockTime: BLOCK_TIME })).config
    const cfg = config
    const def = parseChainDefinitionText(readFileSync(cfg.chainFile, 'utf8'))
    startNodes(cfg, { detached: false })
    await until('the nodes to agree above height 2', 120_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) && (s[0]!.height ?? 0) > 2 ? s : undefined
    })

    // ≥ 60 blocks: at every new height all nodes converge within 2 block times; heights never go back
    const lastHeight = new Map<string, number>()
    const start = (await devnetStatus(cfg))[0]!.height!
    const startTime = Date.now()
    for (let h = start + 1; h <= start + 60; h++) {
      const s = await until(`height ${h}`, 60_000, async () => {
        const s = await devnetStatus(cfg)
        return s.some((n) => (n.height ?? 0) >= h) ? s : undefined
      })
      const seenAt = Date.now()
      for (const n of s) {
        if (n.height === undefined) continue
        expect(n.height, `${n.name} went back`).toBeGreaterThanOrEqual(lastHeight.get(n.name) ?? 0)
        lastHeight.set(n.name, n.height)
      }
      await until(`convergence at ${h}`, 2 * BLOCK_TIME * 1000 + 2000, async () => {
        const all = await devnetStatus(cfg)
        return all.every((n) => (n.height ?? 0) >= h) ? all : undefined
      })
      expect(Date.now() - seenAt).toBeLessThanOrEqual(2 * BLOCK_TIME * 1000 + 2000)
    }
    const blocks = 60
    const first = await getJson(`${apiUrl(cfg.nodes[0]!)}/blocks/${start}`)
    const last = await getJson(`${apiUrl(cfg.nodes[0]!)}/blocks/${start + blocks}`)
    const average = (last.block.timestamp - first.block.timestamp) / blocks
    console.log(
      `60 blocks in ${((Date.now() - startTime) / 1000).toFixed(0)} s wall; average block time ${average.toFixed(2)} s`,
    )
    expect(average).toBeGreaterThanOrEqual(BLOCK_TIME * 0.7)
    expect(average).toBeLessThanOrEqual(BLOCK_TIME * 1.3)

    // node4 down for 20 s, then back: it catches up
    const down = cfg.nodes[3]!
    process.kill(runningPid(down)!, 'SIGKILL')
    await sleep(20_000)
    startNodes(cfg, { detached: false })
    await until('node4 to catch up', 60_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) ? s : undefined
    })

    // faucet → wallet A → wallet B, confirmed on every node
    const passphrase = devnetPassphrase(cfg)
    const faucet = deriveKey(
      await decryptSeed(await readKeystoreFile(cfg.faucet.keystore), passphrase),
      0,
      nodeEd25519,
    )
    const walletA = deriveKey(generateSeed(), 0, nodeEd25519)
    const walletB = deriveKey(generateSeed(), 0, nodeEd25519)
    const confirmedEverywhere = (txid: string) =>
      until(`${txid} on every node`, 60_000, async () => {
        const views = await Promise.all(cfg.nodes.map((n) => getJson(`${apiUrl(n)}/transactions/${txid}`)))
        return views.every((v) => v && !v.unconfirmed) ? views : undefined
      })
    const t1 = await transfer({
      api: apiUrl(cfg.nodes[0]!),
      def,
      key: faucet,
      to: walletA.unlockHash,
      value: 100n * def.oneCoin,
    })
    await confirmedEverywhere(t1)
    const t2 = await transfer({
      api: apiUrl(cfg.nodes[1]!),
      def,
      key: walletA,
      to: walletB.unlockHash,
      value: 40n * def.oneCoin,
    })
    await confirmedEverywhere(t2)
    for (const n of cfg.nodes) {
      const b = await getJson(`${apiUrl(n)}/addresses/${walletB.address}/outputs`)
      expect(b.balance.coins.unlocked).toBe((40n * def.oneCoin).toString())
    }
    // one tip everywhere (a snapshot can fall between a block and its arrival, or on a same-second tie,
    // which lasts until the next block)
    const statuses: NodeStatus[] = await until('the nodes to agree at the end', 20_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) ? s : undefined
    })
    expect(agree(statuses)).toBe(true)
  }, 600_000)
})
