// Inclusion proofs against real reference blocks: for every leaf (miner payout or transaction) of every
// block of the oracle chains (built by the Rivine reference) and of the oracle block with three leaves, a
// proof built from the block reproduces the reference's Merkle root and, through the header fields, its
// block ID; the transaction receipts of those blocks pass every offline check but the notary record.
import { describe, expect, it } from 'vitest'
import { merkleLeafHash, merkleProof, merkleRootFromProof } from '../../consensus/crypto/merkle.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { notaryReceipt, verifyNotaryReceipt } from '../../consensus/extensions/notary/receipt.js'
import { BlockCodec, blockHeaderId } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { loadOracleChains } from '../utils/oracle.js'
import { loadVectorFile } from './framework.js'

const codec = new BlockCodec(coreRegistry())

describe('Merkle proofs of reference blocks', () => {
  for (const chain of loadOracleChains()) {
    it(`${chain.name}: every leaf of every block proves its block ID`, () => {
      let leavesChecked = 0
      let transactions = 0
      for (const [i, block] of chain.blocks.entries()) {
        const expected = chain.expected[i]!
        const hashes = codec.merkleLeaves(block).map(merkleLeafHash)
        const header = codec.header(block)
        for (let leaf = 0; leaf < hashes.length; leaf++) {
          const root = merkleRootFromProof(hashes[leaf]!, leaf, hashes.length, merkleProof(hashes, leaf))!
          expect(toHex(blockHeaderId({ ...header, merkleRoot: root }))).toBe(expected.id)
          leavesChecked++
        }
        for (let t = 0; t < block.transactions.length; t++) {
          const receipt = notaryReceipt(codec, {
            genesisId: fromHex(chain.genesisId),
            hash: new Uint8Array(32),
            block,
            height: expected.height,
            txIndex: t,
          })
          expect(toHex(receipt.blockId)).toBe(expected.id)
          // reference transactions carry no notary record: that is the one check they fail
          const verdict = verifyNotaryReceipt(receipt, new Uint8Array(32))
          expect(verdict).toMatchObject({ valid: false, check: 'record' })
          transactions++
        }
      }
      expect(leavesChecked).toBeGreaterThan(chain.blocks.length)
      expect(transactions).toBeGreaterThanOrEqual(chain.blocks.length)
    })
  }

  it('oracle-blocks block-three-merkle-leaves: the reference leaf hashes prove its root and ID', () => {
    const v = loadVectorFile('oracle-blocks.json').vectors.find(
      (x) => x.name === 'block-three-merkle-leaves',
    )!
    const hashes = (v.expected.merkle_leaf_hashes as string[]).map((h) => fromHex(h, 32))
    const header = codec.header(codec.fromJson(v.expected.json))
    expect(toHex(header.merkleRoot)).toBe(v.expected.merkle_root)
    for (let leaf = 0; leaf < 3; leaf++) {
      const root = merkleRootFromProof(hashes[leaf]!, leaf, 3, merkleProof(hashes, leaf))!
      expect(toHex(root)).toBe(v.expected.merkle_root)
      expect(toHex(blockHeaderId({ ...header, merkleRoot: root }))).toBe(v.expected.id)
    }
  })
})
