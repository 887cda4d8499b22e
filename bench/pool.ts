// The transaction pool in-process (issue #13 item 4): transfers spending genesis outputs go into a
// TransactionPool over a Chain on LevelDB, first one at a time (each awaited: a group of one), then all
// submitted at once (validated in groups: one store read and one signature batch per group). Reports
// wall time and CPU (this process, the crypto and LevelDB threads included) per set.
// Run: npx tsx bench/pool.ts [transfers]   (default 2000)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { genesisTransaction } from '../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../consensus/types/conditions.js'
import { coreRegistry } from '../consensus/types/registry.js'
import { signSingleSignature } from '../consensus/types/sign.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { devnetDefinition } from '../devnet/chaingen.js'
import { Chain } from '../node/chain/chain.js'
import { openLevelStore } from '../node/db/level.js'
import { TransactionPool } from '../node/mempool/pool.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { mnemonicToSeed } from '../wallet/keys/seed.js'

const n = Number(process.argv[2] ?? 2000)
const MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const keys = [0, 1].map((i) => deriveKey(mnemonicToSeed(MNEMONIC), i, nodeEd25519))
const registry = coreRegistry()
const NOW = 1_700_000_000
const to = unlockHashCondition(publicKeyUnlockHash(keys[1]!.publicKey))
const base = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: NOW - 100 })
const COIN = 1_000_000_000n
// one genesis output per transfer, for both rounds
const def = {
  ...base,
  genesis: {
    ...base.genesis,
    coinOutputs: Array.from({ length: 2 * n }, () => ({
      value: 100n * COIN,
      condition: unlockHashCondition(publicKeyUnlockHash(keys[0]!.publicKey)),
    })),
  },
}
const genesis = genesisTransaction(def)
const transfers: Transaction[] = genesis.coinOutputs.map((o, i) =>
  signSingleSignature(
    registry,
    nodeEd25519,
    {
      version: 1,
      coinInputs: [{ parentId: registry.coinOutputId(genesis, i), fulfillment: { type: 0 } }],
      coinOutputs: [
        { value: 10n * COIN, condition: to },
        { value: o.value - 11n * COIN, condition: o.condition },
      ],
      blockStakeInputs: [],
      blockStakeOutputs: [],
      minerFees: [COIN],
      arbitraryData: new Uint8Array(0),
    },
    'coinInputs',
    0,
    keys[0]!,
  ),
)
const report = (metric: string, value: number, unit: string) =>
  console.log(JSON.stringify({ bench: 'pool', metric, value: Number(value.toPrecision(4)), unit }))
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const dir = mkdtempSync(join(tmpdir(), 'blockstake-bench-pool-'))
try {
  const chain = await Chain.open({
    store: await openLevelStore(dir),
    def,
    registry,
    verifier: nodeEd25519,
    now: () => NOW,
  })
  const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: () => NOW })
  let t = performance.now()
  let c = cpuMs()
  for (const tx of transfers.slice(0, n)) await pool.addSet([tx])
  report('one_at_a_time_ms_per_set', (performance.now() - t) / n, 'ms')
  report('one_at_a_time_cpu_ms_per_set', (cpuMs() - c) / n, 'ms')
  t = performance.now()
  c = cpuMs()
  await Promise.all(transfers.slice(n).map((tx) => pool.addSet([tx])))
  report('together_ms_per_set', (performance.now() - t) / n, 'ms')
  report('together_cpu_ms_per_set', (cpuMs() - c) / n, 'ms')
  if (pool.size !== 2 * n) throw new Error(`the pool holds ${pool.size} transactions, expected ${2 * n}`)
  await chain.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
