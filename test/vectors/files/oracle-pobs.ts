// test/vectors/data/oracle-pobs.json (copied from shared/vectors): stake modifiers below genesis, PoBS kernel
// hashes and the kernel inequality at the rivchain devnet's root target, and targets from difficulties (spec
// §6.1–6.3).
import { expect } from 'vitest'
import { bytesToBigint, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../consensus/pobs/kernel.js'
import { difficultyOf, targetFromDifficulty } from '../../../consensus/pobs/target.js'
import type { Outcome, Vector } from '../framework.js'
import { vectorId } from '../framework.js'

const hex32 = (n: bigint) => n.toString(16).padStart(64, '0')
const noAncestors = (h: number): Uint8Array => {
  throw new Error(`height ${h} is above genesis: not a sub-genesis vector`)
}

function checkStakeModifier(v: Vector): void {
  const m = stakeModifier(v.inputs.height, v.inputs.stake_modifier_delay, noAncestors)
  expect(toHex(m)).toBe(v.expected.stakemodifier_32)
  // the minimal big-endian form hashed by the kernel
  expect(bytesToBigint(m).toString(16).padStart(v.expected.stakemodifier_bytes.length, '0')).toBe(
    v.expected.stakemodifier_bytes,
  )
  if (v.expected.stakemodifier_decimal)
    expect(bytesToBigint(m).toString()).toBe(v.expected.stakemodifier_decimal)
  if (v.inputs.first_buffer_string)
    expect(`genesis${v.inputs.height - v.inputs.stake_modifier_delay}`).toBe(v.inputs.first_buffer_string)
}

function checkKernelTries(v: Vector): void {
  const value = BigInt(v.inputs.blockstake_value)
  const target = bytesToBigint(fromHex(v.inputs.target))
  expect(
    targetFromDifficulty(BigInt(v.inputs.start_difficulty), bytesToBigint(fromHex(v.inputs.root_depth))),
  ).toBe(target)
  const modifier = fromHex(v.inputs.stakemodifier_bytes)
  const at = {
    blockHeight: v.inputs.pobsindexes.BlockHeight,
    transactionIndex: v.inputs.pobsindexes.TransactionIndex,
    outputIndex: v.inputs.pobsindexes.OutputIndex,
  }
  let solved = 0
  for (const t of v.expected.tries) {
    const hash = kernelHash(modifier, at, t.timestamp)
    expect(toHex(hash)).toBe(t.result.pobs_hash)
    expect(hex32(bytesToBigint(hash) / value)).toBe(t.result.hash_div_value_hex)
    expect(t.result.target).toBe(v.inputs.target)
    if (t.result.pobs_hash_preimage) {
      const m = fromHex(v.inputs.stakemodifier_bytes)
      const le = (n: number) => toHex(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer))
      expect(t.result.pobs_hash_preimage).toBe(
        le(m.length) +
          toHex(m) +
          le(at.blockHeight) +
          le(at.transactionIndex) +
          le(at.outputIndex) +
          le(t.timestamp),
      )
    }
    const ok = kernelMeetsTarget(hash, value, target)
    expect(ok, `timestamp ${t.timestamp}`).toBe(t.result.solved)
    if (ok) solved++
  }
  expect(solved).toBe(v.expected.solved_count)
}

function checkTargetFromDifficulty(v: Vector): void {
  const rootDepth = bytesToBigint(fromHex(v.inputs.root_depth))
  const target = targetFromDifficulty(BigInt(v.inputs.difficulty), rootDepth)
  expect(hex32(target)).toBe(v.expected.target)
  expect(difficultyOf(target, rootDepth).toString()).toBe(v.expected.difficulty_back)
}

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  if (/^stakemodifier-subgenesis-delay(2000|20)-height-\d+$/.test(id)) checkStakeModifier(v)
  else if (/^target-from-difficulty-\d+$/.test(id)) checkTargetFromDifficulty(v)
  else if (id === 'pobs-devnet-height1-genesis-blockstake') checkKernelTries(v)
  else throw new Error(`oracle-pobs.json: unknown vector ${id}`)
  return undefined
}
