// Issue #12, the worked example on a real node: a chain builder's program starts the node with its own
// extension catalog (the built-in ones plus "nametag", test/utils/nametag.ts). The node validates the
// custom transaction type and the custom rule in its pool and blocks, stores the extension's state with
// the blocks, and keeps it across a restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { BUILTIN_EXTENSIONS } from '../../consensus/extensions/catalog.js'
import { genesisTransaction } from '../../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { signSingleSignature } from '../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../consensus/types/transaction.js'
import { chainRules } from '../../node/datadir.js'
import { BlockstakeNode } from '../../node/node.js'
import { devKey, devnetWithStakers } from '../utils/devchain.js'
import { type NameRegistration, nameOwner, nametagExtension } from '../utils/nametag.js'
import { getJson, until } from '../utils/poll.js'

const catalog = [...BUILTIN_EXTENSIONS, nametagExtension]
const key = devKey(0)
const owner = publicKeyUnlockHash(key.publicKey)
const def = {
  ...devnetWithStakers([key], Math.floor(Date.now() / 1000)),
  extensions: { nametag: { maxNameLength: 16, minOutputValue: '1000000' } },
}
const { registry } = chainRules(def, catalog)
const dir = mkdtempSync(join(tmpdir(), 'blockstake-nametag-'))
const nodes: BlockstakeNode[] = []
afterAll(async () => {
  for (const n of nodes) await n.stop()
  rmSync(dir, { recursive: true, force: true })
})

const start = async () => {
  const node = await BlockstakeNode.start({
    def,
    catalog,
    dataDir: dir,
    api: { host: '127.0.0.1', port: 0 },
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    stakeKeys: [key],
    logger: pino({ level: 'silent' }),
  })
  nodes.push(node)
  return node
}

const post = (api: string, tx: Transaction) =>
  fetch(`${api}/txpool`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: registry.toJsonString(tx),
    signal: AbortSignal.timeout(10_000),
  })

/** Spends the genesis coins: `version` 240 registers `name`, 1 pays; the second output is `dust` coins. */
function spendGenesis(version: 1 | 240, dust?: bigint): Transaction {
  const g = genesisTransaction(def)
  const total = g.coinOutputs[0]!.value
  const fee = def.constants.minimumTransactionFee
  const outputs = dust === undefined ? [total - fee] : [total - fee - dust, dust]
  return signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(version),
      coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
      coinOutputs: outputs.map((value) => ({ value, condition: unlockHashCondition(owner) })),
      minerFees: [fee],
      ...(version === 240 ? { extension: { name: 'alice', owner } satisfies NameRegistration } : {}),
    },
    'coinInputs',
    0,
    key,
  )
}

describe("a node running a chain builder's own extension", () => {
  it('enforces its rule, confirms its transaction type, and keeps its state across a restart', async () => {
    let node = await start()
    const api = node.api.url
    expect((await getJson(`${api}/chain`)).definition.extensions.nametag).toMatchObject({ maxNameLength: 16 })

    // the custom global rule applies to an ordinary v1 payment too
    const dusty = await post(api, spendGenesis(1, 5n))
    expect(dusty.status).toBe(400)
    expect(((await dusty.json()) as { message: string }).message).toContain('nametag/dust')

    const registration = spendGenesis(240)
    const id = toHex(registry.id(registration))
    const accepted = await post(api, registration)
    expect(accepted.status, await accepted.clone().text()).toBe(200)
    await until('the registration to be in a block', 60_000, async () => {
      const res = await fetch(`${api}/transactions/${id}`, { signal: AbortSignal.timeout(5_000) })
      return res.ok && ((await res.json()) as { blockId?: string }).blockId ? true : undefined
    })
    expect(nameOwner(node.chain.extensionState, 'alice')).toEqual(owner)
    const height = node.chain.height

    await node.stop()
    node = await start()
    expect(node.chain.height).toBeGreaterThanOrEqual(height)
    expect(nameOwner(node.chain.extensionState, 'alice')).toEqual(owner)
  }, 120_000)
})
