// Loads the reference chains of test/vectors/data/oracle-chain.json with their network definitions: for
// tests of byte-exact reference behaviour (IDs, targets); a test that needs any valid chain uses
// generatedChain() of ./devchain.ts.
import { fromHex } from '../../consensus/encoding/hex.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { preset } from '../../consensus/params/presets.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { loadVectorFile } from '../vectors/framework.js'

export interface OracleBlock {
  readonly height: number
  readonly id: string
  readonly timestamp: number
  readonly target: string
  readonly child_target: string
  readonly stakemodifier_bytes: string
  readonly siabin: string
}

export interface OracleChain {
  readonly name: string
  readonly def: ChainDefinition
  readonly genesisId: string
  readonly expected: readonly OracleBlock[]
  readonly blocks: readonly Block[]
}

/** Chain A (rivchain devnet, 40 blocks) and chain B (stake modifier delay 20, 300 blocks). */
export function loadOracleChains(): OracleChain[] {
  const codec = new BlockCodec(coreRegistry())
  const data = loadVectorFile('oracle-chain.json')
  return data.vectors.map((v: any) => {
    const base = preset('rivchain-devnet')
    const delay = v.name.startsWith('chain-B') ? 20 : base.constants.stakeModifierDelay
    const def: ChainDefinition = { ...base, constants: { ...base.constants, stakeModifierDelay: delay } }
    return {
      name: v.name,
      def,
      genesisId: v.inputs.genesis_id,
      expected: v.expected.blocks,
      blocks: v.expected.blocks.map((b: OracleBlock) => codec.decode(fromHex(b.siabin))),
    }
  })
}
