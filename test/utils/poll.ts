// Bounded waiting for process-based tests.
import { sleep } from '../../devnet/runner.js'

/** Polls `check` until it returns a value; fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/** GET a node API path as JSON; undefined for a non-2xx answer. */
export async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
  return res.ok ? await res.json() : undefined
}
