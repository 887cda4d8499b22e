// test/vectors/data/oracle-devnet-live.json (copied from shared/vectors): the 21 sampled blocks of a live
// reference devnet (rivchain example with the auth-coin extension). Per block: JSON → block, siabin, rivbin,
// header, ID, merkle leaves and root, payout and transaction IDs, and the signatures of every input whose
// parent output is in the file. The PoBS fields (stake modifier, kernel hash, target, difficulty) belong to
// the consensus engine.
import { expect } from 'vitest'
import { bytesToBigint, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import {
  authAddressUpdateOf,
  authCoinTransactionTypes,
  authFulfillmentSigHash,
} from '../../../consensus/extensions/authcointx/index.js'
import { chainRootTarget, genesisBlock } from '../../../consensus/params/chain.js'
import { preset } from '../../../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../consensus/pobs/kernel.js'
import { difficultyOf } from '../../../consensus/pobs/target.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { accountFields, checkBlock } from '../block-checks.js'
import { verifyKnownInputs } from '../chain-checks.js'
import { loadVectorFile, type Outcome, type Vector, vectorId } from '../framework.js'
import { oracleKey, verifiers } from '../oracle.js'

const FILE = 'oracle-devnet-live.json'

/**
 * The live daemon's registry: rivchain registers the auth-coin plugin at 176 (address update) and 177
 * (condition update), but its wallet CLI passes the two versions swapped, so the recorded address update
 * carries version 177 (its JSON has `authaddresses`) and is encoded by the address-update controller.
 * Rivchain's plugin takes no options: RequireMinerFees = false.
 */
const registry = coreRegistry().with(
  ...authCoinTransactionTypes({
    addressUpdateVersion: 177,
    conditionUpdateVersion: 176,
    requireMinerFees: false,
  }),
)
const codec = new BlockCodec(registry)

const POBS_FIELDS = [
  'explorer_difficulty',
  'explorer_target',
  'hash_div_value_hex',
  'pobs_hash',
  'stakemodifier_bytes',
] as const

let blocks: { height: number; block: Block }[] | undefined

/** Every sampled block of the file, decoded from its JSON. */
function allBlocks(): { height: number; block: Block }[] {
  blocks ??= loadVectorFile(FILE)
    .vectors.filter((v) => vectorId(v).startsWith('devnet-live-block-'))
    .map((v) => ({ height: v.inputs.height as number, block: codec.fromJson(v.expected.json) }))
  return blocks
}

function checkLiveBlock(v: Vector): Outcome {
  const height: number = v.inputs.height
  expect(vectorId(v)).toBe(`devnet-live-block-${height}`)
  const block = codec.fromJson(v.expected.json)
  const checked = checkBlock(codec, block, v.expected)
  expect(toHex(codec.id(block))).toBe(v.inputs.explorer_blockid)
  if (height === 0) {
    // the devnet genesis is our rivchain-devnet preset's
    expect(toHex(codec.encode(genesisBlock(preset('rivchain-devnet'))))).toBe(v.expected.siabin)
  }
  // every input whose parent output is in the file verifies (both verifiers)
  verifyKnownInputs(registry, allBlocks(), height, block)
  // the auth fulfillment of the address update signs the transaction (its condition is chain state)
  for (const tx of block.transactions) {
    if (tx.version !== 177) continue
    const f = authAddressUpdateOf(tx).authFulfillment
    if (f.type !== 1) throw new Error('the recorded address update carries a single signature')
    // signed by the devnet genesis key (devnet/25)
    expect(toHex(f.publicKey.key)).toBe(toHex(oracleKey('devnet/25').publicKey.key))
    const sighash = authFulfillmentSigHash(registry, tx)
    for (const ed of verifiers) expect(ed.verify(f.publicKey.key, sighash, f.signature), ed.name).toBe(true)
  }
  checkKernel(block, height, v.expected, checked)
  accountFields(v.expected, checked, [])
  return undefined
}

/**
 * The PoBS fields of one sampled block (spec §6): below height 2000 the stake modifier is a pure
 * function of the height; the kernel meets the recorded target, and the difficulty is its inverse.
 */
function checkKernel(
  block: Block,
  height: number,
  expected: Record<string, unknown>,
  checked: Set<string>,
): void {
  const hex32 = (n: bigint) => n.toString(16).padStart(64, '0')
  if (height === 0) {
    // the genesis carries the root target; the reference explorer reports its difficulty as 1
    expect(expected.explorer_target).toBe(hex32(chainRootTarget(preset('rivchain-devnet'))))
    expect(expected.explorer_difficulty).toBe('1')
    checked.add('explorer_target').add('explorer_difficulty')
    return
  }
  const modifier = stakeModifier(height, 2000, () => {
    throw new Error('the sampled heights are below the stake modifier delay')
  })
  expect(toHex(modifier)).toBe(expected.stakemodifier_bytes)
  const value = block.transactions[0]!.blockStakeOutputs[0]!.value
  const hash = kernelHash(modifier, block.pobsOutput, block.timestamp)
  expect(toHex(hash)).toBe(expected.pobs_hash)
  expect(hex32(bytesToBigint(hash) / value)).toBe(expected.hash_div_value_hex)
  const target = bytesToBigint(fromHex(expected.explorer_target as string))
  expect(kernelMeetsTarget(hash, value, target)).toBe(true)
  expect(difficultyOf(target).toString()).toBe(expected.explorer_difficulty)
  for (const f of POBS_FIELDS) checked.add(f)
}

function checkChainIds(v: Vector): Outcome {
  const list = v.expected.blocks as { height: number; id: string }[]
  for (const [i, b] of list.entries()) expect(b.height).toBe(i)
  expect(list.length).toBeGreaterThanOrEqual(132)
  expect(list[0]!.id).toBe(toHex(codec.id(genesisBlock(preset('rivchain-devnet')))))
  let sampled = 0
  for (const { height, block } of allBlocks()) {
    expect(toHex(codec.id(block)), `block ${height}`).toBe(list[height]!.id)
    if (height > 0) expect(toHex(block.parentId), `parent of ${height}`).toBe(list[height - 1]!.id)
    sampled++
  }
  expect(sampled).toBe(21)
  // the signatures that can be checked from the file's own outputs are checked
  const verified = allBlocks().reduce(
    (n, { height, block }) => n + verifyKnownInputs(registry, allBlocks(), height, block),
    0,
  )
  expect(verified).toBe(23)
  return undefined
}

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  if (/^devnet-live-block-\d+$/.test(id)) return checkLiveBlock(v)
  if (id === 'devnet-live-chain-ids') return checkChainIds(v)
  throw new Error(`${FILE}: unknown vector ${id}`)
}
