// The UTXO model the validation rules read and the block diffs they produce (DESIGN §5).
import { toHex } from '../encoding/hex.js'
import type { Condition } from '../types/conditions.js'
import type { Currency } from '../types/currency.js'
import type { ExtensionChange } from './extensions.js'

/** An output as it sits in the unspent set. */
export interface OutputEntry {
  readonly id: Uint8Array
  readonly value: Currency
  readonly condition: Condition
}

/** A miner payout waiting for maturity (spec §5.4). */
export interface DelayedOutput extends OutputEntry {
  readonly maturityHeight: number
}

/** Read access to the unspent outputs the rules need (already matured coins only). */
export interface OutputView {
  coinOutput(id: Uint8Array): OutputEntry | undefined
  blockStakeOutput(id: Uint8Array): OutputEntry | undefined
}

/** Everything applying one block changes; reverting applies it backwards (also the undo record). */
export interface BlockDiff {
  readonly height: number
  readonly coinOutputsCreated: readonly OutputEntry[]
  readonly coinOutputsSpent: readonly OutputEntry[]
  readonly blockStakeOutputsCreated: readonly OutputEntry[]
  readonly blockStakeOutputsSpent: readonly OutputEntry[]
  /** This block's miner payouts, spendable after `maturityHeight`. */
  readonly delayedOutputsCreated: readonly DelayedOutput[]
  /** Payouts of earlier blocks that become spendable with this block. */
  readonly delayedOutputsMatured: readonly DelayedOutput[]
  /**
   * Extension state changes, one per key with the value before and after (`compactChanges`): applying
   * writes each `after`, reverting writes each `before` (`invertChanges`). Empty without extensions.
   */
  readonly extensionChanges: readonly ExtensionChange[]
}

const hexKey = (id: Uint8Array): string => toHex(id)

/**
 * A view over a base view that records spends and creations, so transactions in one block (or one pool
 * set) see the effects of the ones before them (spec §4.4 "across transactions").
 */
export class OverlayView implements OutputView {
  private readonly coinsAdded = new Map<string, OutputEntry>()
  private readonly coinsSpent = new Set<string>()
  private readonly stakesAdded = new Map<string, OutputEntry>()
  private readonly stakesSpent = new Set<string>()

  constructor(private readonly base: OutputView) {}

  coinOutput(id: Uint8Array): OutputEntry | undefined {
    const k = hexKey(id)
    if (this.coinsSpent.has(k)) return undefined
    return this.coinsAdded.get(k) ?? this.base.coinOutput(id)
  }

  blockStakeOutput(id: Uint8Array): OutputEntry | undefined {
    const k = hexKey(id)
    if (this.stakesSpent.has(k)) return undefined
    return this.stakesAdded.get(k) ?? this.base.blockStakeOutput(id)
  }

  spendCoin(id: Uint8Array): void {
    this.coinsSpent.add(hexKey(id))
  }
  spendBlockStake(id: Uint8Array): void {
    this.stakesSpent.add(hexKey(id))
  }
  addCoin(o: OutputEntry): void {
    this.coinsAdded.set(hexKey(o.id), o)
  }
  addBlockStake(o: OutputEntry): void {
    this.stakesAdded.set(hexKey(o.id), o)
  }
}

/** A view over plain maps keyed by hex ID (prefetched outputs, tests). */
export class MapView implements OutputView {
  constructor(
    readonly coins: Map<string, OutputEntry> = new Map(),
    readonly blockStakes: Map<string, OutputEntry> = new Map(),
  ) {}
  coinOutput(id: Uint8Array): OutputEntry | undefined {
    return this.coins.get(hexKey(id))
  }
  blockStakeOutput(id: Uint8Array): OutputEntry | undefined {
    return this.blockStakes.get(hexKey(id))
  }
  static of(coins: readonly OutputEntry[], blockStakes: readonly OutputEntry[] = []): MapView {
    return new MapView(
      new Map(coins.map((o) => [hexKey(o.id), o])),
      new Map(blockStakes.map((o) => [hexKey(o.id), o])),
    )
  }
}

export { hexKey }

/**
 * A hash of a whole unspent set: spendable coins, block stakes and delayed payouts, each sorted by ID.
 * Any two stores holding the same state give the same hash, however they got there.
 */
export function utxoSetHash(
  coins: Iterable<OutputEntry>,
  blockStakes: Iterable<OutputEntry>,
  delayed: Iterable<DelayedOutput>,
  encodeEntry: (o: OutputEntry) => Uint8Array,
  hash: (...parts: Uint8Array[]) => Uint8Array,
): Uint8Array {
  const section = (
    tag: number,
    entries: Iterable<OutputEntry>,
    extra: (o: OutputEntry) => string = () => '',
  ) => {
    const rows = [...entries].map((o) => ({ k: hexKey(o.id) + extra(o), o }))
    rows.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    return [
      new Uint8Array([tag]),
      ...rows.flatMap(({ k, o }) => [new TextEncoder().encode(k), encodeEntry(o)]),
    ]
  }
  return hash(
    ...section(1, coins),
    ...section(2, blockStakes),
    ...section(3, delayed, (o) => `@${(o as DelayedOutput).maturityHeight}`),
  )
}
