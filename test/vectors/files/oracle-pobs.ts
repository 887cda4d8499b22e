// shared/vectors/oracle-pobs.json: stake modifiers, PoBS kernel hashes and target comparisons, and
// targets from difficulties. All of it is PoBS arithmetic (spec §6.1–6.3): the consensus engine's work.
import { later, type Outcome, type Vector, vectorId } from '../framework.js'

const POBS = later('issue #3 (consensus engine)')

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  if (/^stakemodifier-subgenesis-delay(2000|20)-height-\d+$/.test(id)) return POBS
  if (/^target-from-difficulty-\d+$/.test(id)) return POBS
  if (id === 'pobs-devnet-height1-genesis-blockstake') return POBS
  throw new Error(`oracle-pobs.json: unknown vector ${id}`)
}
