// spec/rivine.md §5.3: timestamp rules.

/**
 * The minimum valid child timestamp: the median of the parent's timestamp and its ancestors', `window`
 * values in all (walking past genesis repeats the genesis timestamp), element `[floor(window/2)]` of the
 * sorted list.
 */
export function minimumChildTimestamp(recentTimestamps: readonly number[], window: number): number {
  if (recentTimestamps.length === 0) throw new RangeError('need at least the parent timestamp')
  const values = recentTimestamps.slice(0, window)
  while (values.length < window) values.push(values[values.length - 1]!)
  values.sort((a, b) => a - b)
  return values[Math.floor(window / 2)]!
}
