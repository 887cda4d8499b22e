// The node's HTTP API as the explorer reads it (same origin: GET routes need no token).

/** An API answer: JSON whose shape GET /openapi.json documents (and the API tests check). */
// biome-ignore lint/suspicious/noExplicitAny: the shapes are the API's schemas, checked on the node side
export type Json = any

/** An answer other than 200: the API's `{"code","message"}`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export async function get<T = Json>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  const text = await res.text()
  let body: Json
  try {
    body = JSON.parse(text)
  } catch {
    throw new ApiFailure(res.status, 'bad-answer', `${path}: the node answered ${res.status} with no JSON`)
  }
  if (!res.ok) throw new ApiFailure(res.status, String(body?.code ?? 'error'), String(body?.message ?? text))
  return body as T
}

/** `get`, or undefined on 404. */
export async function find<T = Json>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path)
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return undefined
    throw err
  }
}
