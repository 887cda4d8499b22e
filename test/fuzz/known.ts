// The known issue the fuzz run counts apart: conditions nest time locks without a bound, and the recursive
// condition codecs overflow the stack some thousands deep (bounded to 3 on another branch, issue #13).
import type { FuzzInput } from './engine.js'

const isStackOverflow = (err: unknown): boolean =>
  err instanceof RangeError && /Maximum call stack/.test(err.message)

/** Time locks nested at least this deep make a stack overflow the known issue, not a new bug. */
const DEEP = 100

/**
 * Whether `input` nests time-lock conditions at least DEEP levels: in JSON, a chain of `"condition"`
 * objects (walked without recursion); in binary, a run of type bytes `03` every 9 bytes (u64 lock time,
 * then the inner condition's type byte, spec §3.4).
 */
export function hasDeepTimeLocks(input: FuzzInput): boolean {
  if (typeof input !== 'string') {
    const run = new Int32Array(9)
    for (let i = 0; i < input.length; i++) {
      const k = i % 9
      run[k] = input[i] === 3 ? run[k]! + 1 : 0
      if (run[k]! >= DEEP) return true
    }
    return false
  }
  let root: unknown
  try {
    root = JSON.parse(input)
  } catch {
    return false
  }
  // [node, time locks around it, whether it is a condition's `data` object]; every node is pushed once
  const stack: [unknown, number, boolean][] = [[root, 0, false]]
  while (stack.length > 0) {
    const [node, depth, isData] = stack.pop()!
    if (depth >= DEEP) return true
    if (node === null || typeof node !== 'object') continue
    for (const [k, v] of Object.entries(node)) {
      if (k === 'data') stack.push([v, depth, true])
      else if (k === 'condition' && isData) stack.push([v, depth + 1, false])
      else stack.push([v, 0, false])
    }
  }
  return false
}

/** A stack overflow on an input with deeply nested time locks: the known issue (bounded on another branch). */
export const isKnownDeepNesting = (err: unknown, input: FuzzInput): boolean =>
  isStackOverflow(err) && hasDeepTimeLocks(input)
