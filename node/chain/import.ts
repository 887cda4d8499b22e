// Grouped import (sync, `chain import`): blocks that extend the tip one after another are applied in groups
// into a write buffer, each group's signatures are verified together in parallel while the next group is
// staged on top of it, and each group is committed as one atomic batch. Staged blocks are seen by the
// import only (`MainIndex.working`, `BlockStore.stage`) until their batch is on disk.
import { equalBytes } from '../../consensus/encoding/hex.js'
import { ExtensionStateOverlay, type ExtensionStateView } from '../../consensus/state/extensions.js'
import type { BlockDiff } from '../../consensus/state/outputs.js'
import type { Block, BlockCodec } from '../../consensus/types/block.js'
import { ValidationError } from '../../consensus/validation/errors.js'
import type { KVStore } from '../db/kvstore.js'
import type { BlockStore } from './blocks.js'
import { WriteBuffer } from './buffer.js'
import type { MainIndex, MainView } from './main-index.js'
import { type BlockMeta, BlockStatus, infoKey, key, Table, u64be } from './tables.js'
import type { AddBlockResult, Prepared } from './types.js'
import { DeferredVerifier, type SignatureCheck } from './verify.js'

/** What the import needs of the chain it feeds. */
export interface ImportHost {
  readonly store: KVStore
  readonly blocks: BlockStore
  readonly codec: BlockCodec
  readonly main: MainIndex
  /** The committed extension state (the first staged group's base). */
  readonly extensionState: ExtensionStateView
  readonly batchVerify: ((checks: readonly SignatureCheck[]) => Promise<boolean>) | null
  /** The arrival checks (no invalid mark: a failing block goes through `addOne`, which marks it). */
  prepare(block: Block, id: Uint8Array, parent: BlockMeta, buf: WriteBuffer): Promise<Prepared>
  apply(
    buf: WriteBuffer,
    block: Block,
    id: Uint8Array,
    meta: BlockMeta,
    main: MainView,
    state: ExtensionStateView,
    deferred: DeferredVerifier,
  ): Promise<BlockDiff>
  /** Adds one block the ordinary way (forks, known blocks, failing blocks). */
  addOne(block: Block): Promise<AddBlockResult>
  /** A group's batch is on disk: its extension changes to the committed state, the tip, listeners, orphans. */
  committed(
    applied: readonly AppliedBlock[],
    extensionChanges: ExtensionStateOverlay['changes'],
  ): Promise<void>
}

export interface AppliedBlock {
  readonly block: Block
  readonly id: Uint8Array
  readonly meta: BlockMeta
}

/** Blocks applied into a buffer, waiting for their signatures to be verified before the commit. */
interface StagedGroup {
  readonly buf: WriteBuffer
  /** The extension state with the group applied, over the group below it (or the committed state). */
  readonly extension: ExtensionStateOverlay
  /** What `extension` reads through: the group below while it is pending, the committed state after. */
  readonly below: StateBelow
  readonly applied: readonly AppliedBlock[]
  readonly checks: readonly SignatureCheck[]
  /** Length of the main chain index before the group. */
  readonly base: number
}

export interface ImportResult {
  readonly results: AddBlockResult[]
  readonly error?: { readonly index: number; readonly error: unknown }
}

/** Adds `blocks` in groups of `groupSize`; stops at the first invalid block and reports it with its index. */
export async function importBlocks(
  host: ImportHost,
  blocks: readonly Block[],
  groupSize: number,
): Promise<ImportResult> {
  try {
    return await importGroups(host, blocks, groupSize)
  } catch (err) {
    // a store failure: whatever was staged and not committed is gone
    host.main.truncate(host.main.length)
    host.blocks.dropStaged()
    throw err
  }
}

async function importGroups(
  host: ImportHost,
  blocks: readonly Block[],
  groupSize: number,
): Promise<ImportResult> {
  const results: AddBlockResult[] = []
  // a staged group waits for its signatures while the next one is staged on top of it
  let pending: (StagedGroup & { verified: Promise<boolean> }) | undefined
  /** Drops every staged block (a group failed: what was staged on it goes too). */
  const unstage = (base: number) => {
    host.main.truncate(base)
    host.blocks.dropStaged()
  }
  /** Commits the pending group once verified; false when a signature failed (its staging is undone). */
  const settle = async (): Promise<boolean> => {
    if (!pending) return true
    const group = pending
    pending = undefined
    if (!(await group.verified)) {
      unstage(group.base)
      return false
    }
    results.push(...(await commitGroup(host, group, unstage)))
    return true
  }
  /** After a failed group: the first block not on the chain (blocks extend each other). */
  const resume = (): number => {
    const tip = host.main.workingTip
    for (let j = blocks.length - 1; j >= 0; j--) if (equalBytes(host.codec.id(blocks[j]!), tip)) return j + 1
    return 0
  }
  let i = 0
  let slow = 0 // blocks to take one by one (through addOne) before grouping again
  while (i < blocks.length) {
    if (slow === 0) {
      const staged = await stageGroup(host, blocks, i, groupSize, pending)
      const ok = staged ? await settle() : false
      if (staged && ok) {
        // the group below is committed: read the committed state, not a chain of groups that grows
        staged.below.target = host.extensionState
        pending = { ...staged, verified: host.batchVerify!(staged.checks) }
        i += staged.applied.length
        continue
      }
      if (staged || !(await settle())) {
        // a group had a bad signature: redo it one block at a time, which finds and marks the block
        i = resume()
        slow = groupSize
        continue
      }
    }
    try {
      results.push(await host.addOne(blocks[i]!))
    } catch (error) {
      return { results, error: { index: i, error } }
    }
    i++
    if (slow > 0) slow--
  }
  if (!(await settle())) {
    for (let j = resume(); j < blocks.length; j++) {
      try {
        results.push(await host.addOne(blocks[j]!))
      } catch (error) {
        return { results, error: { index: j, error } }
      }
    }
  }
  return { results }
}

/** Stages blocks extending the working tip into a buffer over `base`; undefined when none qualifies. */
async function stageGroup(
  host: ImportHost,
  blocks: readonly Block[],
  from: number,
  groupSize: number,
  below: StagedGroup | undefined,
): Promise<StagedGroup | undefined> {
  if (!host.batchVerify) return undefined
  const { main } = host
  const buf = new WriteBuffer(below?.buf ?? host.store)
  const stateBelow = new StateBelow(below?.extension ?? host.extensionState)
  const extension = new ExtensionStateOverlay(stateBelow)
  const deferred = new DeferredVerifier()
  const baseLength = main.working.length
  const applied: AppliedBlock[] = []
  await preloadGroup(host, buf, blocks, from, groupSize)
  let tip = await host.blocks.meta(main.workingTip, buf)
  try {
    for (let j = from; j < blocks.length && applied.length < groupSize && tip; j++) {
      const block = blocks[j]!
      if (!equalBytes(block.parentId, main.workingTip)) break
      const id = host.codec.id(block)
      if (await host.blocks.meta(id, buf)) break
      let prepared: Prepared
      try {
        prepared = await host.prepare(block, id, tip, buf)
      } catch (err) {
        if (err instanceof ValidationError) break // addOne reports it
        throw err
      }
      if ('futureUntil' in prepared) break
      const { meta, encoded } = prepared
      // a child of the tip is always heavier than the tip (its depth adds a whole block)
      const mark = buf.checkpoint()
      const checksBefore = deferred.checks.length
      let diff: BlockDiff
      try {
        diff = await host.apply(buf, block, id, meta, main.working, extension, deferred)
      } catch (err) {
        buf.restore(mark)
        deferred.checks.length = checksBefore
        if (err instanceof ValidationError) break
        throw err
      }
      for (const c of diff.extensionChanges) extension.set(c.extension, c.key, c.after)
      buf.put(key(Table.Block, id), encoded)
      host.blocks.stage(id, block)
      main.push(id, meta.timestamp)
      tip = { ...meta, status: BlockStatus.Valid }
      applied.push({ block, id, meta: tip })
    }
  } catch (err) {
    main.truncate(baseLength)
    host.blocks.dropStaged()
    throw err
  }
  if (applied.length === 0) return undefined
  buf.put(infoKey('tip'), applied[applied.length - 1]!.id)
  return { buf, extension, below: stateBelow, applied, checks: deferred.checks, base: baseLength }
}

/**
 * One read for what staging a run of blocks looks up in the store: whether each is known, the outputs
 * their transactions spend and the payouts maturing at their heights. The blocks after the first that
 * does not extend the previous one are left out (staging stops there anyway).
 */
async function preloadGroup(
  host: ImportHost,
  buf: WriteBuffer,
  blocks: readonly Block[],
  from: number,
  groupSize: number,
): Promise<void> {
  const keys: Uint8Array[] = []
  let parent = host.main.workingTip
  let height = host.main.working.length
  for (let j = from; j < blocks.length && j < from + groupSize; j++, height++) {
    const block = blocks[j]!
    if (!equalBytes(block.parentId, parent)) break
    parent = host.codec.id(block)
    keys.push(key(Table.Meta, parent), key(Table.Delayed, u64be(height)))
    for (const tx of block.transactions) {
      for (const i of tx.coinInputs) keys.push(key(Table.Coin, i.parentId))
      for (const i of tx.blockStakeInputs) keys.push(key(Table.BlockStake, i.parentId))
    }
  }
  await buf.preload(keys)
}

async function commitGroup(
  host: ImportHost,
  group: StagedGroup,
  unstage: (base: number) => void,
): Promise<AddBlockResult[]> {
  try {
    await group.buf.commit(host.store)
  } catch (err) {
    unstage(group.base)
    throw err
  }
  // readers see the group from here on: up to its last block, not what is staged on top of it
  host.main.commitUpTo(group.base + group.applied.length)
  host.blocks.committed(group.applied)
  await host.committed(group.applied, group.extension.changes)
  return group.applied.map((a) => ({
    status: 'tip',
    id: a.id,
    height: a.meta.height,
    reverted: [],
    applied: [a.block],
  }))
}

/** A view that reads through another one, which can be replaced (see `StagedGroup.below`). */
class StateBelow implements ExtensionStateView {
  constructor(public target: ExtensionStateView) {}

  get(extension: string, key: string): Uint8Array | undefined {
    return this.target.get(extension, key)
  }
}
