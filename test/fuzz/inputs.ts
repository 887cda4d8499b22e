// The inputs of a fuzz target: random, a fresh structure-aware value (fast-check), a valid encoding as is,
// a hostile special, or stacked mutations of a valid encoding; each a pure function of (seed, target,
// index), so a reported input is reproduced by its index alone.
import fc from 'fast-check'
import type { FuzzInput, Target } from './engine.js'
import { type Json, mutateBytes, mutateJsonTree, mutateText, randomText } from './mutate.js'
import { hashString, Rng } from './rng.js'

const MB = 1024 * 1024
const POOL_SIZE = 200
/** Mutations stop growing an input past this (the largest block or API body of a tfchain node is 2 MB). */
const MAX_INPUT = MB

/** The generated inputs of one target: its corpus and the input of any index. */
export class InputSource<I extends FuzzInput> {
  private readonly corpus: readonly I[]
  private readonly byteDonors: readonly Uint8Array[]
  private readonly jsonDonors: readonly Json[]
  private readonly salt: number

  constructor(
    private readonly target: Target<I>,
    private readonly seed: number,
  ) {
    this.salt = hashString(target.name)
    const pool = fc.sample(target.generate, { seed: (seed ^ this.salt) | 0, numRuns: POOL_SIZE })
    this.corpus = [...target.seeds, ...pool]
    this.byteDonors = target.input === 'bytes' ? (this.corpus as readonly FuzzInput[] as Uint8Array[]) : []
    this.jsonDonors = target.input === 'text' ? this.corpus.map((t) => JSON.parse(t as string) as Json) : []
  }

  get corpusSize(): number {
    return this.corpus.length
  }

  /** The input of `index` (deterministic). */
  at(index: number): I {
    const rng = new Rng(this.seed, this.salt, index)
    const r = rng.int(100)
    if (r < 6) return this.random(rng)
    if (r < 16) return this.fresh(rng)
    if (r < 18) return rng.pick(this.target.seeds.length > 0 ? this.target.seeds : this.corpus)
    if (r < 22 && this.target.special) return this.target.special(rng)
    const base = r < 40 ? this.fresh(rng) : rng.pick(this.corpus)
    const rounds = rng.chance(0.85) ? rng.range(1, 3) : rng.range(4, 10)
    return this.mutate(rng, base, rounds)
  }

  private random(rng: Rng): I {
    return (this.target.input === 'bytes' ? rng.bytes(rng.size(4096)) : randomText(rng)) as I
  }

  private fresh(rng: Rng): I {
    return fc.sample(this.target.generate, { seed: rng.u32() | 0, numRuns: 1 })[0]!
  }

  /** Stacked mutations; a round that would take the input past MAX_INPUT is skipped. */
  private mutate(rng: Rng, base: I, rounds: number): I {
    if (typeof base !== 'string') {
      let out = base as Uint8Array
      for (let k = 0; k < rounds; k++) {
        const next = mutateBytes(rng, out, this.byteDonors, this.target.format)
        if (next.length <= MAX_INPUT) out = next
      }
      return out as I
    }
    if (rng.chance(0.2)) {
      let text = base as string
      for (let k = 0; k < rounds; k++) {
        const next = mutateText(rng, text)
        if (next.length <= MAX_INPUT) text = next
      }
      return text as I
    }
    try {
      let tree = JSON.parse(base) as Json
      let text = base as string
      for (let k = 0; k < rounds; k++) {
        // mutated in place; a round that grows it too much is undone by reading the last text again
        const next = mutateJsonTree(rng, tree, this.jsonDonors, MAX_INPUT)
        const printed = JSON.stringify(next)
        if (printed.length > MAX_INPUT) tree = JSON.parse(text) as Json
        else {
          tree = next
          text = printed
        }
      }
      // sometimes indented, when that stays small (indentation grows with depth × nodes)
      const pretty = rng.chance(0.1) && text.length < 64 * 1024 ? JSON.stringify(tree, null, 2) : text
      return (pretty.length <= MAX_INPUT ? pretty : text) as I
    } catch {
      // the base is not JSON (a corpus entry never is that) or the tree got too deep to print
      return mutateText(rng, base as string) as I
    }
  }
}
