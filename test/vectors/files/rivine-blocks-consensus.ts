// test/vectors/data/rivine-blocks-consensus.json (copied from shared/vectors): block IDs, real tfchain blocks
// (binary and explorer JSON), the target arithmetic of spec §6.3 (existing pure functions) and the generic
// merkle leaf count.
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { calculateLeaves } from '../../../consensus/crypto/merkle.js'
import { compareBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { type JsonValue, stringifyJson } from '../../../consensus/encoding/json.js'
import {
  addDifficulties,
  difficultyOf,
  mulDifficulty,
  mulTarget,
  parseRatio,
  ROOT_DEPTH,
  ratio,
  rootTarget,
  targetFromBytes,
  targetToBytes,
} from '../../../consensus/pobs/target.js'
import { BlockCodec, encodeHeader } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { Outcome, Vector } from '../framework.js'
import { exactVector } from '../neutral.js'
import { neutralToBlock } from '../neutral-tx.js'

const FILE = 'rivine-blocks-consensus.json'
const codec = new BlockCodec(coreRegistry())
const target = (hex: string) => targetFromBytes(fromHex(hex, 32))

/** Our JSON with v0 transactions' empty coin input lists as the explorer renders them (null, not []). */
function asExplorerJson(json: JsonValue): JsonValue {
  const b = json as { transactions: { version: number; data: Record<string, JsonValue> }[] | null }
  for (const tx of b.transactions ?? []) {
    const inputs = tx.data.coininputs
    if (tx.version === 0 && Array.isArray(inputs) && inputs.length === 0) tx.data.coininputs = null
  }
  return json
}

function checkBinaryBlock(v: Vector): void {
  expect(v.expected.decodes).toBe(true)
  const block = codec.decode(fromHex(v.input.hex))
  expect(toHex(codec.encode(block))).toBe(v.input.hex)
  const expectedJson = stringifyJson(v.expected.json)
  expect(stringifyJson(asExplorerJson(codec.toJson(block)))).toBe(expectedJson)
  // the explorer JSON decodes to the same block
  expect(toHex(codec.encode(codec.fromJson(v.expected.json)))).toBe(v.input.hex)
  // the explorer's block page is the block's own height: its parent's POBS height is below it
  const height = Number(/^block-binary-(\d+)$/.exec(v.id!)![1])
  expect(block.pobsOutput.blockHeight).toBeLessThan(height)
}

/** `"RootDepth = 2^256-1"`, `"RootDepth / 2 (integer division)"` → value. */
function describedTarget(text: string): bigint {
  if (text === 'RootDepth = 2^256-1') return ROOT_DEPTH
  const m = /^RootDepth \/ (\d+) \(integer division\)$/.exec(text)
  if (!m) throw new Error(`unknown difficulty description "${text}"`)
  return ROOT_DEPTH / BigInt(m[1]!)
}

const ratioOf = (text: string) => {
  const r = parseRatio(text)
  if (!r) throw new Error(`bad ratio ${text}`)
  return r
}

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  if (/^block-binary-\d+$/.test(id)) {
    checkBinaryBlock(v)
    return undefined
  }
  switch (id) {
    case 'blockid-tfchain-genesis':
    case 'blockid-tfchain-height1': {
      const block = neutralToBlock(exactVector(FILE, v).input.block)
      const blockId = codec.id(block)
      expect(toHex(blockId)).toBe(v.expected.block_id)
      expect(toHex(blake2b256(encodeHeader(codec.header(block))))).toBe(v.expected.block_id)
      // and through the binary form
      expect(toHex(codec.id(codec.decode(codec.encode(block))))).toBe(v.expected.block_id)
      if (id === 'blockid-tfchain-height1') {
        expect(toHex(block.parentId)).toBe('76e55acb89d1a16514a74123160b79d9917995d87e2176668afcb1a9df53bd1d')
      }
      return undefined
    }
    case 'root-target-devnet-doc': {
      const rootDepth = targetFromBytes(Uint8Array.from(v.input.rootdepth as number[]))
      expect(rootDepth).toBe(ROOT_DEPTH)
      const t = rootTarget(v.input.blockfrequency, BigInt(v.input.blockstakecount), rootDepth)
      expect([...targetToBytes(t)]).toEqual(v.expected.roottarget)
      return undefined
    }
    case 'target-add-10-10':
    case 'target-add-10-5':
      expect(toHex(targetToBytes(addDifficulties(target(v.input.t), target(v.input.y))))).toBe(
        v.expected.target,
      )
      return undefined
    case 'target-muldiff-5':
    case 'target-muldiff-3-2':
    case 'target-muldiff-7-10':
    case 'target-muldiff-1-2':
      expect(toHex(targetToBytes(mulDifficulty(target(v.input.t), ratioOf(v.input.r))))).toBe(
        v.expected.target,
      )
      return undefined
    case 'target-difficulty-zero':
    case 'target-difficulty-one':
    case 'target-difficulty-two':
      expect(difficultyOf(target(v.input.target))).toBe(describedTarget(v.expected.difficulty))
      return undefined
    case 'target-overflow': {
      // IntToTarget clamps anything wider than 256 bits to RootDepth (here through MulTarget by 1/1)
      const m = /^2\^(\d+)$/.exec(v.input.int)
      if (!m) throw new Error(`bad integer ${v.input.int}`)
      const wide = 1n << BigInt(m[1]!)
      expect(toHex(targetToBytes(mulTarget(wide, ratio(1, 1))))).toBe(v.expected.target)
      expect(toHex(targetToBytes(mulDifficulty(wide, ratio(1, 1))))).toBe(v.expected.target)
      return undefined
    }
    case 'target-cmp': {
      const a = fromHex(v.input.a, 32)
      const b = fromHex(v.input.b, 32)
      expect(Math.sign(compareBytes(a, b))).toBe(v.expected.cmp)
      const [x, y] = [targetFromBytes(a), targetFromBytes(b)]
      expect(x < y ? -1 : x > y ? 1 : 0).toBe(v.expected.cmp)
      return undefined
    }
    case 'merkle-leaves-count':
      expect((v.input.sizes as number[]).map(calculateLeaves)).toEqual(v.expected.leaves)
      return undefined
    default:
      throw new Error(`${FILE}: unknown vector ${id}`)
  }
}
