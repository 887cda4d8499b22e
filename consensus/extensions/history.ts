// spec/tfchain.md §1.6: extension state that changes by height ("the condition at height h is the newest
// entry with key ≤ h"), kept as plain key/value pairs so any store can hold it and revert is generic:
// `<name>` holds the number of entries, `<name>/<index>` an entry as `u64be(height) || value`.
import { decode, encode } from '../encoding/codec.js'
import type { ExtensionStateView } from '../state/extensions.js'
import { type Condition, conditionCodec, conditionToJson } from '../types/conditions.js'
import { type ExtensionQuery, type ExtensionStateWriter, queryHeight } from './api.js'
import { CONDITION_AT } from './schemas.js'

/** A condition as a state value (its Sia proxy encoding). */
export const conditionBytes = (c: Condition): Uint8Array => encode(conditionCodec, c, 'sia')
export const conditionFromBytes = (b: Uint8Array): Condition => decode(conditionCodec, b, 'sia')

type Get = (key: string) => Uint8Array | undefined

const u64be = (n: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}
const readU64be = (b: Uint8Array, at = 0): number =>
  Number(new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0))

/** A value per height; entries are written in height order (blocks apply in order). */
export class HeightHistory {
  constructor(readonly name: string) {}

  private entryKey(index: number): string {
    return `${this.name}/${index.toString(16).padStart(8, '0')}`
  }

  private count(get: Get): number {
    const n = get(this.name)
    return n ? readU64be(n) : 0
  }

  private entry(get: Get, index: number): { height: number; value: Uint8Array } {
    const e = get(this.entryKey(index))
    if (!e || e.length < 8) throw new Error(`extension state ${this.entryKey(index)} is missing or corrupt`)
    return { height: readU64be(e), value: e.subarray(8) }
  }

  /** The genesis pairs: `value` from height 0. */
  genesis(value: Uint8Array): [string, Uint8Array][] {
    return [
      [this.name, u64be(1)],
      [this.entryKey(0), new Uint8Array([...u64be(0), ...value])],
    ]
  }

  /** The value of the newest entry with height ≤ `height`, or `undefined` when there is none. */
  at(get: Get, height: number): Uint8Array | undefined {
    let lo = 0
    let hi = this.count(get) - 1
    let found: Uint8Array | undefined
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const e = this.entry(get, mid)
      if (e.height <= height) {
        found = e.value
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  /** Every entry, oldest first. */
  entries(get: Get): { height: number; value: Uint8Array }[] {
    return Array.from({ length: this.count(get) }, (_, i) => this.entry(get, i))
  }

  /**
   * Records `value` from `height` on. A second record at the same height replaces the first (two updates
   * in one block: the later wins, spec/tfchain.md §2.2); a height below the newest entry's is a bug.
   */
  record(state: ExtensionStateWriter, height: number, value: Uint8Array): void {
    const get: Get = (key) => state.get(key)
    const n = this.count(get)
    const last = n > 0 ? this.entry(get, n - 1) : undefined
    if (last && height < last.height)
      throw new Error(`${this.name}: an entry at height ${height} after one at ${last.height}`)
    const bytes = new Uint8Array([...u64be(height), ...value])
    if (last && last.height === height) {
      state.set(this.entryKey(n - 1), bytes)
      return
    }
    state.set(this.entryKey(n), bytes)
    state.set(this.name, u64be(n + 1))
  }
}

/**
 * `GET <path>` and `GET <path>/:height`: the condition in force at the tip, or at a height, as
 * `{height, condition}` (`what` names it in the route list, e.g. `mint condition`).
 */
export function conditionQueries(
  path: string,
  what: string,
  conditionAt: (state: ExtensionStateView, height: number) => Condition,
): ExtensionQuery[] {
  const answer = (state: ExtensionStateView, height: number) => ({
    height,
    condition: conditionToJson(conditionAt(state, height)),
  })
  return [
    {
      path,
      description: `the ${what} in force at the tip: {height, condition}`,
      response: CONDITION_AT,
      answer: (_params, ctx) => answer(ctx.state, ctx.height),
    },
    {
      path: `${path}/:height`,
      description: `the ${what} in force at a height: {height, condition}`,
      response: CONDITION_AT,
      answer: (params, ctx) => answer(ctx.state, queryHeight(params.height, ctx)),
    },
  ]
}
