// spec/rivine.md §6.3: targets, difficulty and depth as 256-bit integers, rounded down at every step.
import { bigintToFixed, bytesToBigint } from '../encoding/hex.js'

/** A 256-bit big-endian target or depth (lower = heavier). */
export type Target = bigint

export const ROOT_DEPTH: Target = (1n << 256n) - 1n

/** An exact positive rational `num/den` (the reference's big.Rat). */
export interface Ratio {
  readonly num: bigint
  readonly den: bigint
}

export const ratio = (num: bigint | number, den: bigint | number): Ratio => ({
  num: BigInt(num),
  den: BigInt(den),
})

/** Parses "a/b" as in chain definitions. */
export function parseRatio(text: string): Ratio | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m || BigInt(m[2]!) === 0n) return undefined
  return ratio(BigInt(m[1]!), BigInt(m[2]!))
}

export const ratioToString = (r: Ratio): string => `${r.num}/${r.den}`

/** Any result wider than 256 bits becomes the root depth (reference `IntToTarget`). */
const clamp256 = (v: bigint): Target => (v > ROOT_DEPTH ? ROOT_DEPTH : v)

export const targetToBytes = (t: Target): Uint8Array => bigintToFixed(t, 32)
export const targetFromBytes = (b: Uint8Array): Target => bytesToBigint(b)

/** `RootDepth / difficulty`, the root target for a start difficulty (0 counts as 1). */
export function targetFromDifficulty(difficulty: bigint, rootDepth: Target = ROOT_DEPTH): Target {
  return clamp256(rootDepth / (difficulty === 0n ? 1n : difficulty))
}

export function difficultyOf(target: Target, rootDepth: Target = ROOT_DEPTH): bigint {
  return target === 0n ? rootDepth : rootDepth / target
}

/** `floor(1 / (1/a + 1/b)) = floor(ab / (a + b))`: the depth of a child (spec §6.3). */
export function addDifficulties(a: Target, b: Target): Target {
  if (a + b === 0n) return 0n
  return clamp256((a * b) / (a + b))
}

/** `floor(target / y)`: the reference's `MulDifficulty` (multiplies the difficulty by y). */
export function mulDifficulty(target: Target, y: Ratio): Target {
  return clamp256((target * y.den) / y.num)
}

/** `floor(target × r)`. */
export function mulTarget(target: Target, r: Ratio): Target {
  return clamp256((target * r.num) / r.den)
}

export const SURPASS_THRESHOLD: Ratio = ratio(20, 100)

/**
 * spec §6.6: a block becomes the new tip only when its depth is lower than the tip's depth plus 20 % of one
 * block's work at the tip's child target.
 */
export function surpassRequirement(tipDepth: Target, tipChildTarget: Target): Target {
  return addDifficulties(tipDepth, mulDifficulty(tipChildTarget, SURPASS_THRESHOLD))
}

export const isHeavier = (candidateDepth: Target, tipDepth: Target, tipChildTarget: Target): boolean =>
  candidateDepth < surpassRequirement(tipDepth, tipChildTarget)

/** `blockFrequency × Σ genesis block stakes` (1 when zero) → root target (spec §6.3). */
export function rootTarget(
  blockFrequency: number,
  totalGenesisBlockStakes: bigint,
  rootDepth: Target = ROOT_DEPTH,
): Target {
  return targetFromDifficulty(BigInt(blockFrequency) * totalGenesisBlockStakes, rootDepth)
}

const cmpRatio = (a: Ratio, b: Ratio): number => {
  const l = a.num * b.den
  const r = b.num * a.den
  return l < r ? -1 : l > r ? 1 : 0
}

export interface RetargetParams {
  readonly blockFrequency: number
  readonly targetWindow: number
  readonly maxAdjustmentUp: Ratio
  readonly maxAdjustmentDown: Ratio
}

/**
 * The child target of a block at `height` (spec §6.3). `windowStartTimestamp` is the timestamp of the
 * ancestor `min(targetWindow, height)` blocks back; it is only read on adjustment heights.
 */
export function childTarget(
  p: RetargetParams,
  parentChildTarget: Target,
  height: number,
  timestamp: number,
  windowStartTimestamp: () => number,
): Target {
  if (height % Math.floor(p.targetWindow / 2) !== 0) return parentChildTarget
  const window = Math.min(p.targetWindow, height)
  // u64 subtraction read as signed 64-bit: a negative span clamps to the lower bound
  const passed = BigInt.asIntN(64, BigInt.asUintN(64, BigInt(timestamp) - BigInt(windowStartTimestamp())))
  const expected = BigInt(p.blockFrequency) * BigInt(window)
  let adjustment: Ratio = passed < 0n ? p.maxAdjustmentDown : ratio(passed, expected)
  if (cmpRatio(adjustment, p.maxAdjustmentUp) > 0) adjustment = p.maxAdjustmentUp
  else if (cmpRatio(adjustment, p.maxAdjustmentDown) < 0) adjustment = p.maxAdjustmentDown
  return mulTarget(parentChildTarget, adjustment)
}
