// test/vectors/data/oracle-chain.json (copied from shared/vectors): two whole chains accepted by the
// reference consensus on the rivchain devnet genesis. Per block, everything that needs no PoBS or chain
// state: siabin decode/re-encode, JSON, ID, parent links, timestamps, the creator's respend (signature
// re-derived with devnet/25) and payouts, and every input's signature against its parent output in the chain.
// Targets, stake modifiers, kernel hashes and the replay itself are the consensus engine's.
import { expect } from 'vitest'
import { bytesToBigint, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { genesisBlock } from '../../../consensus/params/chain.js'
import { preset } from '../../../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget } from '../../../consensus/pobs/kernel.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { conditionUnlockHash } from '../../../consensus/types/conditions.js'
import { unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { MemoryChain } from '../../utils/replay.js'
import { accountFields, checkBlock } from '../block-checks.js'
import { type HeightBlock, verifyKnownInputs } from '../chain-checks.js'
import type { Outcome, Vector } from '../framework.js'
import { oracleKey, oracleRegistry as registry, verifiers } from '../oracle.js'

const codec = new BlockCodec(registry)
const def = preset('rivchain-devnet')

/** Block fields that are PoBS results (consensus engine). */
const POBS_FIELDS = [
  'target',
  'child_target',
  'stakemodifier_bytes',
  'pobs_hash',
  'hash_div_value_hex',
  'first_timestamp_tried',
]

interface ChainBlock {
  height: number
  id: string
  timestamp: number
  siabin: string
  json?: unknown
  [k: string]: unknown
}

function checkChain(v: Vector): Outcome {
  const expectedBlocks = v.expected.blocks as ChainBlock[]
  expect(Object.keys(v.expected)).toEqual(['blocks'])
  // the genesis is our rivchain-devnet preset's (chain B only changes the stake modifier delay)
  const genesis = genesisBlock(def)
  expect(toHex(codec.id(genesis))).toBe(v.inputs.genesis_id)
  const creator = oracleKey('devnet/25')
  expect(v.inputs.blockcreator_key).toMatch(/^devnet\/25( \(|$)/)
  if (v.inputs.blockcreator_key !== 'devnet/25')
    expect(v.inputs.blockcreator_key).toBe(`devnet/25 (${creator.address})`)
  expect(unlockHashToString(conditionUnlockHash(def.genesis.blockStakeOutputs[0]!.condition))).toBe(
    creator.address,
  )

  const chain: HeightBlock[] = [{ height: 0, block: genesis }]
  let deferred = false
  for (const [n, e] of expectedBlocks.entries()) {
    const height = n + 1
    expect(e.height).toBe(height)
    const block = codec.decode(fromHex(e.siabin))
    const checked = checkBlock(codec, block, e)
    checked.add('height')
    expect(block.timestamp).toBe(e.timestamp)
    checked.add('timestamp')
    // parent link and strictly increasing timestamps
    const parent = chain[chain.length - 1]!
    expect(toHex(block.parentId), `parent of ${height}`).toBe(toHex(codec.id(parent.block)))
    expect(block.timestamp).toBeGreaterThan(parent.block.timestamp)
    // POBS indexes = the previous respend (genesis: 0/0/0); tx 0 respends it to the same condition
    expect(block.pobsOutput).toEqual({ blockHeight: height - 1, transactionIndex: 0, outputIndex: 0 })
    const respend = block.transactions[0]!
    expect(respend.blockStakeInputs).toHaveLength(1)
    expect(toHex(respend.blockStakeInputs[0]!.parentId)).toBe(
      toHex(registry.blockStakeOutputId(parent.block.transactions[0]!, 0)),
    )
    const sighash = registry.inputSigHash(respend, 0)
    const f = respend.blockStakeInputs[0]!.fulfillment
    if (f.type !== 1) throw new Error('the respend is signed with a single signature')
    for (const ed of verifiers) expect(toHex(ed.sign(creator.secretSeed, sighash))).toBe(toHex(f.signature))
    // payouts: the block creator fee to the creator (+ collected fees to the fee condition)
    const fees = block.transactions.reduce((s, tx) => s + tx.minerFees.reduce((a, b) => a + b, 0n), 0n)
    const payouts = block.minerPayouts.map((p) => [p.value, unlockHashToString(p.unlockHash)])
    const feeAddress = unlockHashToString(conditionUnlockHash(def.constants.transactionFeeCondition))
    expect(payouts).toEqual([
      [def.constants.blockCreatorFee, creator.address],
      ...(fees > 0n ? [[fees, feeAddress]] : []),
    ])
    chain.push({ height, block })
    if (accountFields(e, checked, POBS_FIELDS)) deferred = true
  }
  // every input of the chain fulfils its parent output (all parents are in the chain)
  let verified = 0
  let inputs = 0
  for (const { height, block } of chain.slice(1)) {
    verified += verifyKnownInputs(registry, chain, height, block)
    for (const tx of block.transactions) inputs += tx.coinInputs.length + tx.blockStakeInputs.length
  }
  expect(verified).toBe(inputs)

  if (v.inputs.extra_tx_height_3 !== undefined) {
    const tx = registry.fromJson(v.inputs.extra_tx_height_3)
    expect(toHex(registry.id(tx))).toBe(v.inputs.extra_tx_id)
    const block3: Block = chain[3]!.block
    expect(block3.transactions.map((t) => toHex(registry.id(t)))).toContain(v.inputs.extra_tx_id)
    expect(registry.toJsonString(block3.transactions[1]!)).toBe(stringifyJson(v.inputs.extra_tx_height_3))
  }
  if (deferred) checkPobs(v, expectedBlocks, chain)
  return undefined
}

/** The PoBS fields: a replay with the pure consensus rules reproduces every one (spec §6). */
function checkPobs(v: Vector, expectedBlocks: ChainBlock[], chain: HeightBlock[]): void {
  const delay = v.name?.startsWith('chain-B') ? 20 : def.constants.stakeModifierDelay
  const chainDef = { ...def, constants: { ...def.constants, stakeModifierDelay: delay } }
  const replay = new MemoryChain(chainDef, registry, () => 2_000_000_000)
  const hex32 = (n: bigint) => n.toString(16).padStart(64, '0')
  for (const [n, e] of expectedBlocks.entries()) {
    const parent = replay.tip
    const block = chain[n + 1]!.block
    const r = replay.append(block)
    expect(hex32(parent.childTarget), `target at ${e.height}`).toBe(e.target)
    expect(hex32(r.childTarget), `child target at ${e.height}`).toBe(e.child_target)
    expect(toHex(r.stakeModifier), `stake modifier at ${e.height}`).toBe(e.stakemodifier_bytes)
    const stakeValue = block.transactions[0]!.blockStakeOutputs[0]!.value
    const hash = kernelHash(r.stakeModifier, block.pobsOutput, block.timestamp)
    expect(toHex(hash)).toBe(e.pobs_hash)
    expect(hex32(bytesToBigint(hash) / stakeValue)).toBe(e.hash_div_value_hex)
    // the creator tried every second from the first one and won only at the block's timestamp
    expect(e.first_timestamp_tried).toBe(parent.block.timestamp + 1)
    for (let t = e.first_timestamp_tried as number; t < block.timestamp; t++) {
      expect(
        kernelMeetsTarget(kernelHash(r.stakeModifier, block.pobsOutput, t), stakeValue, parent.childTarget),
      ).toBe(false)
    }
    expect(kernelMeetsTarget(hash, stakeValue, parent.childTarget)).toBe(true)
  }
}

export function handle(v: Vector): Outcome {
  switch (v.name) {
    case 'chain-A-rivchain-devnet-40-blocks':
      expect(v.expected.blocks).toHaveLength(40)
      return checkChain(v)
    case 'chain-B-devnet-stakemodifierdelay20-300-blocks':
      expect(v.expected.blocks).toHaveLength(300)
      return checkChain(v)
    default:
      throw new Error(`oracle-chain.json: unknown vector ${v.name}`)
  }
}
