// The verified header chain of a light client (DESIGN §7, docs/light-client.md "Verifying a header"). Each
// rule is the full node's own function: minimumChildTimestamp, childTarget, stakeModifier, kernelHash,
// kernelMeetsTarget, addDifficulties, isHeavier (consensus/pobs) and fulfillError (consensus/types), applied
// to the same inputs the node reads from its block tree, here taken from verified headers and proofs.
import { merkleLeafHash, merkleRootFromProof } from '../consensus/crypto/merkle.js'
import { equalBytes, toHex } from '../consensus/encoding/hex.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../consensus/params/chain.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../consensus/pobs/kernel.js'
import { addDifficulties, childTarget, isHeavier, ROOT_DEPTH, type Target } from '../consensus/pobs/target.js'
import { minimumChildTimestamp } from '../consensus/pobs/timestamps.js'
import { type BlockCodec, type BlockHeader, blockHeaderId } from '../consensus/types/block.js'
import { fulfillError } from '../consensus/types/fulfill.js'
import type { BlockStakeOutput, Transaction, TransactionRegistry } from '../consensus/types/transaction.js'
import { LightError } from './errors.js'
import type { Checkpoint, LightHeader, TransactionProof } from './proof.js'
import { DeferredVerifier, type SignatureBackend } from './signatures.js'

/** A header on the verified chain. Targets are known from the checkpoint (or genesis) up. */
export interface VerifiedHeader {
  readonly height: number
  readonly id: Uint8Array
  readonly header: BlockHeader
  readonly depth?: Target
  readonly childTarget?: Target
}

/** What `extend` did: headers appended, and those reverted first when the new ones are a heavier fork. */
export interface ExtendResult {
  readonly applied: readonly VerifiedHeader[]
  readonly reverted: readonly VerifiedHeader[]
}

/** A transaction decoded from proof bytes, re-encoded to the same bytes, and proven against `root`. */
export function provenTransaction(
  registry: TransactionRegistry,
  p: TransactionProof,
  root: Uint8Array,
): { tx: Transaction } | { error: string } {
  let tx: Transaction
  try {
    tx = registry.decode(p.transaction)
  } catch (err) {
    return { error: `the transaction does not decode: ${(err as Error).message}` }
  }
  // never hash bytes from outside: the leaf is the re-encoded transaction
  const encoded = registry.encode(tx)
  if (!equalBytes(encoded, p.transaction))
    return { error: 'the transaction is not in its canonical encoding' }
  const { leafIndex, leafCount, path } = p.proof
  const got = merkleRootFromProof(merkleLeafHash(encoded), leafIndex, leafCount, path)
  if (!got) return { error: `the Merkle proof does not fit leaf ${leafIndex} of ${leafCount}` }
  if (!equalBytes(got, root)) return { error: "the Merkle proof does not lead to the header's Merkle root" }
  return { tx }
}

export class HeaderChain {
  private readonly list: VerifiedHeader[]
  /** The lowest height whose targets are known: the checkpoint's (0 without one). */
  readonly base: number

  private constructor(
    readonly def: ChainDefinition,
    readonly codec: BlockCodec,
    private readonly signatures: SignatureBackend,
    private readonly now: () => number,
    list: VerifiedHeader[],
    base: number,
  ) {
    this.list = list
    this.base = base
  }

  /** A chain holding only the genesis header, computed from the chain definition. */
  static fromGenesis(
    def: ChainDefinition,
    codec: BlockCodec,
    signatures: SignatureBackend,
    now: () => number,
  ): HeaderChain {
    const header = codec.header(genesisBlock(def))
    const genesis: VerifiedHeader = {
      height: 0,
      id: blockHeaderId(header),
      header,
      depth: def.constants.rootDepth ?? ROOT_DEPTH,
      childTarget: chainRootTarget(def),
    }
    return new HeaderChain(def, codec, signatures, now, [genesis], 0)
  }

  /**
   * A chain trusted up to `checkpoint`: `headers` (heights 0 to the checkpoint, in order) must start at the
   * genesis computed from the definition and link by parent IDs to the checkpoint's ID; the checkpoint's
   * targets are taken as given.
   */
  static fromCheckpoint(
    def: ChainDefinition,
    codec: BlockCodec,
    signatures: SignatureBackend,
    now: () => number,
    checkpoint: Checkpoint,
    headers: readonly LightHeader[],
  ): HeaderChain {
    const chain = HeaderChain.fromGenesis(def, codec, signatures, now)
    const list: VerifiedHeader[] = [chain.list[0]!]
    if (headers.length !== checkpoint.height + 1)
      throw new LightError(
        'checkpoint',
        `expected ${checkpoint.height + 1} headers up to the checkpoint, got ${headers.length}`,
      )
    for (const [h, lh] of headers.entries()) {
      if (lh.height !== h) throw new LightError('height', `expected header ${h}, got ${lh.height}`, h)
      const id = blockHeaderId(lh.header)
      if (h === 0) {
        if (!equalBytes(id, list[0]!.id))
          throw new LightError('genesis', `genesis ${toHex(id)} is not this chain's ${toHex(list[0]!.id)}`, 0)
        continue
      }
      if (!equalBytes(lh.header.parentId, list[h - 1]!.id))
        throw new LightError('parent', `the parent ID is not header ${h - 1}'s ID`, h)
      list.push({ height: h, id, header: lh.header })
    }
    const top = list[checkpoint.height]!
    if (!equalBytes(top.id, checkpoint.id))
      throw new LightError(
        'checkpoint',
        `header ${checkpoint.height} is ${toHex(top.id)}, not the checkpoint ${toHex(checkpoint.id)}`,
        checkpoint.height,
      )
    list[checkpoint.height] = { ...top, depth: checkpoint.depth, childTarget: checkpoint.childTarget }
    return new HeaderChain(def, codec, signatures, now, list, checkpoint.height)
  }

  get tip(): VerifiedHeader {
    return this.list[this.list.length - 1]!
  }

  get height(): number {
    return this.list.length - 1
  }

  at(height: number): VerifiedHeader | undefined {
    return this.list[height]
  }

  genesisId(): Uint8Array {
    return this.list[0]!.id
  }

  /**
   * Verifies `headers` (consecutive heights) on top of the verified header below the first one. When they
   * extend the tip, they are appended; when they fork off below it, they replace the headers above the fork
   * only if their last header is heavier than the tip (spec §6.6 surpass rule), else a 'fork' refusal.
   * Nothing changes unless every header verifies.
   */
  async extend(headers: readonly LightHeader[]): Promise<ExtendResult> {
    if (headers.length === 0) return { applied: [], reverted: [] }
    const start = headers[0]!.height
    if (start < 1 || start > this.height + 1)
      throw new LightError('height', `headers must start between 1 and ${this.height + 1}`, start)
    if (start <= this.base)
      throw new LightError(
        'checkpoint',
        `a fork at height ${start - 1} is below the checkpoint ${this.base}`,
        start,
      )
    const branch: VerifiedHeader[] = []
    const at = (h: number): VerifiedHeader => (h >= start ? branch[h - start]! : this.list[h]!)
    const deferred = new DeferredVerifier()
    const owners: number[] = []
    for (const [i, lh] of headers.entries()) {
      const height = start + i
      if (lh.height !== height)
        throw new LightError('height', `expected header ${height}, got ${lh.height}`, lh.height)
      const before = deferred.checks.length
      branch.push(this.verifyHeader(lh, at, deferred))
      for (let k = before; k < deferred.checks.length; k++) owners.push(height)
    }
    const results = await this.signatures.verify(deferred.checks)
    const bad = results.findIndex((ok) => !ok)
    if (bad >= 0)
      throw new LightError(
        'signature',
        "the respend's signature does not verify against the staked output's key",
        owners[bad],
      )
    const last = branch[branch.length - 1]!
    if (start === this.height + 1) {
      this.list.push(...branch)
      return { applied: branch, reverted: [] }
    }
    const tip = this.tip
    if (!isHeavier(last.depth!, tip.depth!, tip.childTarget!))
      throw new LightError(
        'fork',
        `a fork from height ${start} to ${last.height} is not heavier than the verified tip ${tip.height}`,
        last.height,
      )
    const reverted = this.list.splice(start, this.list.length - start, ...branch)
    return { applied: branch, reverted }
  }

  /** The checks of one header whose ancestors `at` returns (docs/light-client.md, in this order). */
  private verifyHeader(
    lh: LightHeader,
    at: (h: number) => VerifiedHeader,
    deferred: DeferredVerifier,
  ): VerifiedHeader {
    const c = this.def.constants
    const { height, header } = lh
    const parent = at(height - 1)
    if (!equalBytes(header.parentId, parent.id))
      throw new LightError(
        'parent',
        `the parent ID ${toHex(header.parentId)} is not header ${height - 1}'s ID ${toHex(parent.id)}`,
        height,
      )
    // spec §5.3: the median of the parent's and its ancestors' timestamps
    if (this.def.rules.enforceMedianTimestamp) {
      const recent: number[] = []
      for (let h = height - 1; h >= 0 && recent.length < c.medianTimestampWindow; h--)
        recent.push(at(h).header.timestamp)
      const min = minimumChildTimestamp(recent, c.medianTimestampWindow)
      if (header.timestamp < min)
        throw new LightError(
          'timestamp',
          `timestamp ${header.timestamp} is below the median ${min} of the last ${c.medianTimestampWindow} headers`,
          height,
        )
    }
    if (header.timestamp > this.now() + c.extremeFutureThreshold)
      throw new LightError(
        'timestamp',
        `timestamp ${header.timestamp} is more than ${c.extremeFutureThreshold} s ahead of this clock`,
        height,
      )
    // spec §6.4: the staked output, proven in the verified header at its block height
    const pos = header.pobsOutput
    const where = `(${pos.blockHeight}, ${pos.transactionIndex}, ${pos.outputIndex})`
    if (pos.blockHeight >= height)
      throw new LightError('stake-output', `block stake output ${where} is not below the header`, height)
    if (!lh.stake || !lh.respend)
      throw new LightError('stake-proof', 'the node sent no stake and respend proofs', height)
    const holder = at(pos.blockHeight)
    const created = provenTransaction(this.codec.registry, lh.stake, holder.header.merkleRoot)
    if ('error' in created)
      throw new LightError('stake-proof', `creating transaction of ${where}: ${created.error}`, height)
    // the leaf index is payouts + transaction index: it cannot be smaller than the transaction index
    if (lh.stake.proof.leafIndex < pos.transactionIndex)
      throw new LightError(
        'stake-proof',
        `leaf ${lh.stake.proof.leafIndex} cannot hold transaction ${pos.transactionIndex}`,
        height,
      )
    const output: BlockStakeOutput | undefined = created.tx.blockStakeOutputs[pos.outputIndex]
    if (!output)
      throw new LightError(
        'stake-output',
        `the proven transaction has no block stake output ${pos.outputIndex}`,
        height,
      )
    const stakeId = this.codec.registry.blockStakeOutputId(created.tx, pos.outputIndex)
    if (
      (pos.transactionIndex !== 0 || pos.outputIndex !== 0) &&
      holder.header.timestamp + c.blockStakeAging > header.timestamp
    )
      throw new LightError(
        'stake-age',
        `block stake output ${where} is younger than ${c.blockStakeAging} s`,
        height,
      )
    // spec §6.1–6.2: the kernel against the parent's child target
    const modifier = stakeModifier(height, c.stakeModifierDelay, (h) => at(h).id)
    if (!kernelMeetsTarget(kernelHash(modifier, pos, header.timestamp), output.value, parent.childTarget!))
      throw new LightError(
        'kernel',
        `the PoBS kernel of ${where} at ${header.timestamp} does not meet the target`,
        height,
      )
    // spec §6.4: this block spends the staked output, signed by its condition
    const respend = provenTransaction(this.codec.registry, lh.respend, header.merkleRoot)
    if ('error' in respend) throw new LightError('respend-proof', respend.error, height)
    const index = respend.tx.blockStakeInputs.findIndex((i) => equalBytes(i.parentId, stakeId))
    if (index < 0)
      throw new LightError(
        'respend',
        `the proven transaction does not spend block stake output ${where}`,
        height,
      )
    const tx = respend.tx
    const err = fulfillError(output.condition, tx.blockStakeInputs[index]!.fulfillment, {
      blockHeight: height,
      blockTime: header.timestamp,
      verifier: deferred,
      sigHash: (extras) => this.codec.registry.inputSigHash(tx, index, extras),
    })
    if (err) throw new LightError('signature', `blockStakeInputs[${index}]: ${err}`, height)
    // spec §6.3: depth and child target from header timestamps
    const windowStart = Math.max(0, height - c.targetWindow)
    return {
      height,
      id: blockHeaderId(header),
      header,
      depth: addDifficulties(parent.depth!, parent.childTarget!),
      childTarget: childTarget(
        c,
        parent.childTarget!,
        height,
        header.timestamp,
        () => at(windowStart).header.timestamp,
      ),
    }
  }
}
