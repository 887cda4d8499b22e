// Block locators (as in Bitcoin's getblocks): the newest IDs dense, then exponentially sparser, ending at
// genesis, so the common ancestor of two chains is found in one round trip whatever the fork depth.
import { MAX_LOCATOR_IDS } from './messages.js'

/** Dense entries before the steps start doubling. */
const DENSE = 10

/** Heights of a locator for a chain whose tip is at `tipHeight`: newest first, last = 0 (genesis). */
export function locatorHeights(tipHeight: number, max = MAX_LOCATOR_IDS): number[] {
  if (!Number.isSafeInteger(tipHeight) || tipHeight < 0) throw new RangeError(`bad tip height ${tipHeight}`)
  if (max < 1) throw new RangeError('a locator holds at least the genesis ID')
  const out: number[] = []
  let step = 1
  for (let h = tipHeight; h > 0 && out.length < max - 1; h -= step) {
    out.push(h)
    if (out.length >= DENSE) step *= 2
  }
  out.push(0)
  return out
}
