// An in-memory replay of a main chain with the pure consensus rules: the reference the node's
// LevelDB chain is compared against (UTXO-set hashes, targets, depths), extension state included.
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { encode } from '../../consensus/encoding/codec.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../../consensus/params/chain.js'
import { stakeModifier } from '../../consensus/pobs/kernel.js'
import { addDifficulties, childTarget, ROOT_DEPTH, type Target } from '../../consensus/pobs/target.js'
import { chainStateHash, extensionStateHash, MemoryExtensionState } from '../../consensus/state/extensions.js'
import {
  type BlockDiff,
  type DelayedOutput,
  hexKey,
  MapView,
  type OutputEntry,
  utxoSetHash,
} from '../../consensus/state/outputs.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { applyBlock, checkBlockHeader, genesisDiff } from '../../consensus/validation/block.js'
import { CORE_RULES, type RuleSet } from '../../consensus/validation/rules.js'
import { outputEntryCodec } from '../../node/chain/tables.js'

export interface ReplayedBlock {
  readonly block: Block
  readonly id: Uint8Array
  readonly height: number
  readonly childTarget: Target
  readonly depth: Target
  readonly stakeModifier: Uint8Array
}

export class MemoryChain {
  readonly codec: BlockCodec
  readonly blocks: ReplayedBlock[] = []
  readonly coins = new Map<string, OutputEntry>()
  readonly stakes = new Map<string, OutputEntry>()
  readonly delayed = new Map<number, DelayedOutput[]>()
  readonly extensionState = new MemoryExtensionState()
  /** The diff of every block after genesis, for `revertTip`. */
  private readonly diffs: BlockDiff[] = []

  constructor(
    readonly def: ChainDefinition,
    readonly registry: TransactionRegistry,
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
    /** The chain's rules (`chainConsensus(def).rules`); the core's by default. */
    readonly rules: RuleSet = CORE_RULES,
  ) {
    this.codec = new BlockCodec(registry)
    const g = genesisBlock(def)
    this.applyDiff(genesisDiff(g, registry, rules))
    this.blocks.push({
      block: g,
      id: this.codec.id(g),
      height: 0,
      childTarget: chainRootTarget(def),
      depth: ROOT_DEPTH,
      stakeModifier: new Uint8Array(32),
    })
  }

  get tip(): ReplayedBlock {
    return this.blocks[this.blocks.length - 1]!
  }

  private applyDiff(d: BlockDiff): void {
    for (const o of d.coinOutputsSpent) this.coins.delete(hexKey(o.id))
    for (const o of d.blockStakeOutputsSpent) this.stakes.delete(hexKey(o.id))
    for (const o of d.coinOutputsCreated) this.coins.set(hexKey(o.id), o)
    for (const o of d.blockStakeOutputsCreated) this.stakes.set(hexKey(o.id), o)
    for (const o of d.delayedOutputsCreated)
      this.delayed.set(o.maturityHeight, [...(this.delayed.get(o.maturityHeight) ?? []), o])
    for (const o of d.delayedOutputsMatured) this.coins.set(hexKey(o.id), o)
    this.delayed.delete(d.height)
    this.extensionState.apply(d.extensionChanges)
  }

  /** Undoes `applyDiff(d)` (what a node's revert does with its undo record). */
  private revertDiff(d: BlockDiff): void {
    this.extensionState.revert(d.extensionChanges)
    if (d.delayedOutputsMatured.length > 0) this.delayed.set(d.height, [...d.delayedOutputsMatured])
    for (const o of d.delayedOutputsMatured) this.coins.delete(hexKey(o.id))
    for (const o of d.delayedOutputsCreated) {
      const rest = (this.delayed.get(o.maturityHeight) ?? []).filter((x) => hexKey(x.id) !== hexKey(o.id))
      if (rest.length > 0) this.delayed.set(o.maturityHeight, rest)
      else this.delayed.delete(o.maturityHeight)
    }
    for (const o of d.coinOutputsCreated) this.coins.delete(hexKey(o.id))
    for (const o of d.blockStakeOutputsCreated) this.stakes.delete(hexKey(o.id))
    for (const o of d.coinOutputsSpent) this.coins.set(hexKey(o.id), o)
    for (const o of d.blockStakeOutputsSpent) this.stakes.set(hexKey(o.id), o)
  }

  /** Removes the tip block (a reorg's first half), restoring the state before it. */
  revertTip(): ReplayedBlock {
    const diff = this.diffs.pop()
    if (!diff) throw new Error('cannot revert the genesis block')
    this.revertDiff(diff)
    return this.blocks.pop()!
  }

  /** Validates and appends a block to the tip; throws a ValidationError when it is invalid. */
  append(block: Block): ReplayedBlock {
    const parent = this.tip
    const height = parent.height + 1
    const c = this.def.constants
    const modifier = stakeModifier(height, c.stakeModifierDelay, (h) => this.blocks[h]!.id)
    const at = block.pobsOutput
    const holder = this.blocks[at.blockHeight]?.block
    const tx = holder?.transactions[at.transactionIndex]
    const out = tx?.blockStakeOutputs[at.outputIndex]
    const stake =
      out && tx && holder
        ? {
            id: this.registry.blockStakeOutputId(tx, at.outputIndex),
            value: out.value,
            condition: out.condition,
            blockTimestamp: holder.timestamp,
          }
        : undefined
    const id = this.codec.id(block)
    checkBlockHeader(
      block,
      {
        def: this.def,
        registry: this.registry,
        verifier: nodeEd25519,
        height,
        parent: { id: parent.id, timestamp: parent.block.timestamp, childTarget: parent.childTarget },
        recentTimestamps: this.blocks
          .slice(-c.medianTimestampWindow)
          .map((b) => b.block.timestamp)
          .reverse(),
        stakeModifier: modifier,
        stake,
        now: this.now(),
      },
      this.codec.encode(block).length,
    )
    const diff = applyBlock(
      block,
      id,
      {
        def: this.def,
        registry: this.registry,
        verifier: nodeEd25519,
        height,
        stakeId: stake!.id,
        rules: this.rules,
        state: this.extensionState,
      },
      new MapView(this.coins, this.stakes),
      this.delayed.get(height) ?? [],
    )
    this.applyDiff(diff)
    this.diffs.push(diff)
    const target = childTarget(
      c,
      parent.childTarget,
      height,
      block.timestamp,
      () => this.blocks[Math.max(0, height - c.targetWindow)]!.block.timestamp,
    )
    const replayed = {
      block,
      id,
      height,
      childTarget: target,
      depth: addDifficulties(parent.depth, parent.childTarget),
      stakeModifier: modifier,
    }
    this.blocks.push(replayed)
    return replayed
  }

  /** The hash of the whole unspent set (the same definition the LevelDB chain uses). */
  utxoHash(): Uint8Array {
    return utxoSetHash(
      this.coins.values(),
      this.stakes.values(),
      [...this.delayed.values()].flat(),
      (o) => encode(outputEntryCodec, o),
      blake2b256,
    )
  }

  /** The hash of the extension state (`extensionStateHash`). */
  extensionHash(): Uint8Array {
    return extensionStateHash(this.extensionState.entries(), blake2b256)
  }

  /** The hash of the whole state: unspent set and extension state (`chainStateHash`). */
  stateHash(): Uint8Array {
    return chainStateHash(this.utxoHash(), this.extensionHash(), blake2b256)
  }
}
