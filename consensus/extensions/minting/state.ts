// spec/tfchain.md §2.2: the minting state is the history of the mint condition by height (Rivine's
// `mintconditions` bucket: key 0 holds the genesis condition, a minter definition writes its block's
// height), kept as key/value pairs in the `minting` namespace.
import type { ExtensionStateView } from '../../state/extensions.js'
import type { Condition } from '../../types/conditions.js'
import { conditionFromBytes, HeightHistory } from '../history.js'

export const MINTING = 'minting'

export const mintConditions = new HeightHistory('mintconditions')

/**
 * The mint condition in force at `height`: the newest one written at a height ≤ `height` (a minter
 * definition applies to the transactions after it in its own block and to every later block). Throws
 * when `view` holds no minting state (a chain without the extension).
 */
export function mintConditionAt(view: ExtensionStateView, height: number): Condition {
  const value = mintConditions.at((key) => view.get(MINTING, key), height)
  if (!value) throw new Error('no mint condition in this state: the chain does not enable minting')
  return conditionFromBytes(value)
}

/** Every mint condition with the height it took effect, oldest (genesis, height 0) first. */
export function mintConditionHistory(view: ExtensionStateView): { height: number; condition: Condition }[] {
  return mintConditions
    .entries((key) => view.get(MINTING, key))
    .map((e) => ({ height: e.height, condition: conditionFromBytes(e.value) }))
}
