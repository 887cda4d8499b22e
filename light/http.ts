// The light client's HTTP reads: one GET answer, bounded in size, as parsed JSON. Browser-safe: fetch and
// AbortSignal.timeout only.
import { parseJson } from '../consensus/encoding/json.js'
import { LightError } from './errors.js'

/** Most bytes one answer may have (a full page of headers with proofs is far below). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024

/** `GET node + path` as JSON; a failure to answer, a non-2xx status or an oversized answer is a `node` refusal. */
export async function getJson(
  fetchFn: typeof fetch,
  timeoutMs: number,
  node: string,
  path: string,
): Promise<unknown> {
  let res: Response
  try {
    res = await fetchFn(`${node}${path}`, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new LightError('node', `no answer to ${path}: ${(err as Error).message}`)
  }
  const length = Number(res.headers.get('content-length') ?? 0)
  if (length > MAX_ANSWER_BYTES) throw new LightError('node', `the answer to ${path} has ${length} bytes`)
  const text = await res.text()
  if (text.length > MAX_ANSWER_BYTES) throw new LightError('node', `the answer to ${path} is too large`)
  if (!res.ok) {
    let message = `HTTP ${res.status}`
    try {
      message += `: ${(JSON.parse(text) as { message?: string }).message ?? ''}`
    } catch {}
    throw new LightError('node', `${path}: ${message}`)
  }
  try {
    return parseJson(text)
  } catch (err) {
    throw new LightError('format', `the answer to ${path} is not JSON: ${(err as Error).message}`)
  }
}
