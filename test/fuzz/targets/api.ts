// Fuzz target for the API's JSON body of POST /txpool, on a node of the extension chain of
// test/utils/extchain.ts (minting and auth-coin) at genesis, so every transaction version reaches the pool.
// The answer must be 2xx (accepted) or 4xx with {"code","message"}; a 500 (or any other 5xx but a full
// pool's 503) is a bug.
import fc from 'fast-check'
import type { Transaction } from '../../../consensus/types/transaction.js'
import { alice, authorize, FEE, mint, registry, staker } from '../../utils/extchain.js'
import { genesisPayment, openExtNode } from '../../utils/extnode.js'
import { extChainTransaction } from '../arbitraries.js'
import { CheckFailure, type Target } from '../engine.js'

/** A 4xx answer with the API's error shape: the typed rejection of this decoder. */
export class ApiRejection extends Error {
  override readonly name = 'ApiRejection'
}

interface Accepted {
  readonly status: number
  readonly body: Record<string, unknown>
}

const single = (tx: Transaction) => registry.toJsonString(tx)
const set = (txs: readonly Transaction[]) => `{"transactions":[${txs.map(single).join(',')}]}`

export async function apiTarget(): Promise<Target<string, Accepted>> {
  const { chain, pool, app } = await openExtNode()
  const valid = [genesisPayment(staker, 7n * FEE), mint(alice, 5n * FEE), authorize(alice, staker)]
  return {
    name: 'api-txpool',
    input: 'text',
    seeds: [...valid.map(single), set(valid), set([valid[1]!, valid[2]!])],
    generate: fc.oneof(
      { weight: 3, arbitrary: extChainTransaction.map(single) },
      { weight: 1, arbitrary: fc.array(extChainTransaction, { minLength: 1, maxLength: 3 }).map(set) },
    ),
    decode: async (text) => {
      const res = await app.inject({
        method: 'POST',
        url: '/txpool',
        payload: text,
        headers: { 'content-type': 'application/json' },
      })
      let body: unknown
      try {
        body = res.json()
      } catch {
        throw new Error(`status ${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 200)}`)
      }
      const b = body as Record<string, unknown>
      const shaped = typeof b?.code === 'string' && typeof b?.message === 'string'
      if (res.statusCode >= 400 && res.statusCode < 500 && shaped)
        throw new ApiRejection(`${res.statusCode} ${b.code}: ${b.message}`)
      if (res.statusCode === 503 && b?.code === 'pool-full') throw new ApiRejection(`503 ${b.code}`)
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, body: b }
      throw new Error(`status ${res.statusCode}: ${res.body.slice(0, 300)}`)
    },
    isRejection: (err) => err instanceof ApiRejection,
    check: ({ body }) => {
      const ids = body.transactionIds ?? [body.transactionId]
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)))
        throw new CheckFailure(`accepted without transaction IDs: ${JSON.stringify(body).slice(0, 200)}`)
    },
    close: async () => {
      await app.close()
      pool.detach()
      await chain.close()
    },
  }
}
