// `wallet swap redeem` against a real API server on 127.0.0.1 (in-process chain and pool): a contract that
// is only in the pool is not redeemed. Its funding transaction can still be replaced by a double spend, and
// the redeem would have published the secret: the other party then takes the initiator's coins while this
// contract never pays.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { parseChainDefinitionWithExtensions } from '../../../../consensus/extensions/catalog.js'
import { type ChainDefinition, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../../consensus/pobs/kernel.js'
import type { Block } from '../../../../consensus/types/block.js'
import { publicKeyUnlockHash } from '../../../../consensus/types/conditions.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { devnetDefinition } from '../../../../devnet/chaingen.js'
import { createApi } from '../../../../node/api/server.js'
import { deriveKey } from '../../../../wallet/keys/derive.js'
import { seedToMnemonic } from '../../../../wallet/keys/seed.js'
import { runCli } from '../../../utils/cli.js'
import { openExtChain } from '../../../utils/extnode.js'
import { MemoryChain } from '../../../utils/replay.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-swap-node-'))
const path = (name: string) => join(dir, name)
const NOW = () => 2_000_000_000
const seedOf = (name: string) => blake2b256(utf8(`swap node ${name}`))
const keyOf = (name: string) => deriveKey(seedOf(name), 0, nodeEd25519)
const staker = keyOf('staker')

const def: ChainDefinition = (() => {
  const base = devnetDefinition({ stakers: [staker], coinsTo: keyOf('faucet'), timestamp: 1_700_000_000 })
  return parseChainDefinitionWithExtensions(chainDefinitionToJson({ ...base, name: 'swapnode' }))
})()

let node: Awaited<ReturnType<typeof openExtChain>> & {
  api: Awaited<ReturnType<typeof createApi>>
  replay: MemoryChain
}

/** Makes the next block from the pool's transactions (the staker's respend first) and adds it. */
async function mine(): Promise<void> {
  const { replay, chain, pool } = node
  const registry = chain.registry
  const tip = replay.tip
  const pobsOutput = { blockHeight: tip.height, transactionIndex: 0, outputIndex: 0 }
  const holder = replay.blocks[tip.height]!.block.transactions[0]!
  const modifier = stakeModifier(
    tip.height + 1,
    def.constants.stakeModifierDelay,
    (h) => replay.blocks[h]!.id,
  )
  const stake = holder.blockStakeOutputs[0]!
  let timestamp = tip.block.timestamp + 1
  while (!kernelMeetsTarget(kernelHash(modifier, pobsOutput, timestamp), stake.value, tip.childTarget))
    timestamp++
  const respend = signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(1),
      blockStakeInputs: [{ parentId: registry.blockStakeOutputId(holder, 0), fulfillment: { type: 0 } }],
      blockStakeOutputs: [stake],
    },
    'blockStakeInputs',
    0,
    staker,
  )
  const txs: Transaction[] = [...pool.transactions()]
  const fees = txs.reduce((s, tx) => s + tx.minerFees.reduce((a, f) => a + f, 0n), 0n)
  const block: Block = {
    parentId: tip.id,
    timestamp,
    pobsOutput,
    minerPayouts: [
      { value: def.constants.blockCreatorFee + fees, unlockHash: publicKeyUnlockHash(staker.publicKey) },
    ],
    transactions: [respend, ...txs],
  }
  replay.append(block)
  expect((await chain.addBlock(block)).status).toBe('tip')
}

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
const w = (name: string, ...args: string[]) =>
  ['wallet', ...args, '--wallet', path(`${name}.json`), '--node', node.api.url] as const

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
  const parts = await openExtChain(def)
  const api = await createApi({
    chain: parts.chain,
    pool: parts.pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    extensions: parts.rules.extensions,
  })
  node = { ...parts, api, replay: new MemoryChain(def, parts.rules.registry, NOW, parts.rules) }
  for (const name of ['faucet', 'alice'])
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      seedToMnemonic(seedOf(name)),
      '--wallet',
      path(`${name}.json`),
      '--node',
      api.url,
    )
}, 60_000)

afterAll(async () => {
  await node.api.close()
  node.pool.detach()
  await node.chain.close()
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
})

describe('wallet swap redeem', () => {
  it('refuses a contract not in a block yet (the secret is not revealed), redeems it once confirmed', async () => {
    const initiated = await json(...w('faucet', 'swap', 'initiate', keyOf('alice').address, '10'))
    expect(node.pool.transactions()).toHaveLength(1)

    const audit = await json(...w('alice', 'swap', 'audit', initiated.outputId, '--amount', '10'))
    expect(audit).toMatchObject({ confirmed: false, matches: false })
    expect(audit.problems.join()).toContain('not in a block yet')

    const early = await runCli(...w('alice', 'swap', 'redeem', initiated.outputId, initiated.secret))
    expect(early.code, early.out).toBe(2)
    expect(early.err).toContain('not in a block yet')
    // nothing was sent: the secret is still only the initiator's
    expect(node.pool.transactions()).toHaveLength(1)

    await mine()
    expect(await json(...w('alice', 'swap', 'audit', initiated.outputId, '--amount', '10'))).toMatchObject({
      confirmed: true,
      matches: true,
    })
    const redeemed = await json(...w('alice', 'swap', 'redeem', initiated.outputId, initiated.secret))
    expect(node.pool.transactions()).toHaveLength(1)
    expect(Object.keys(redeemed)).toEqual(['transactionId'])
  })

  it('audit: a contract that pays another address than this wallet does not match', async () => {
    const carol = keyOf('carol').address
    const initiated = await json(...w('faucet', 'swap', 'initiate', carol, '3'))
    await mine()
    const audit = await json(
      ...w(
        'alice',
        'swap',
        'audit',
        initiated.outputId,
        '--amount',
        '3',
        '--hashed-secret',
        initiated.hashedSecret,
      ),
    )
    expect(audit).toMatchObject({ receiver: carol, confirmed: true, matches: false })
    expect(audit.problems.join()).toContain(`it pays ${carol}, which is not an address of`)
    // the sender auditing its own contract, and anyone checking --receiver, see a match
    expect(await json(...w('faucet', 'swap', 'audit', initiated.outputId))).toMatchObject({ matches: true })
    expect(await json(...w('alice', 'swap', 'audit', initiated.outputId, '--receiver', carol))).toMatchObject(
      { matches: true },
    )
  })
})
