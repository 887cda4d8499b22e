// Sending coins through a node's API with keys held here (wallet send, the devnet faucet, tests).
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { registryFor } from '../../consensus/extensions/catalog.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import {
  conditionFromJson,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../consensus/types/conditions.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { buildTransfer, keyring, signInputs } from '../tx/build.js'
import { NodeClientError } from './node-api.js'

/**
 * Pays `value` base units to `to` (and each of `alsoPay`) from the addresses of `key` (and `moreKeys`),
 * change back to `key`'s address; returns the transaction ID. `token`: the node's API token, if it has one.
 */
export async function transfer(opts: {
  readonly api: string
  readonly def: ChainDefinition
  readonly key: SigningKey
  readonly moreKeys?: readonly SigningKey[]
  readonly to: UnlockHash
  readonly value: bigint
  readonly alsoPay?: readonly { readonly to: UnlockHash; readonly value: bigint }[]
  readonly data?: Uint8Array
  readonly token?: string
}): Promise<string> {
  const registry = registryFor(opts.def)
  const from = publicKeyUnlockHash(opts.key.publicKey)
  const keys = [opts.key, ...(opts.moreKeys ?? [])]
  const available: { id: Uint8Array; value: bigint; condition: ReturnType<typeof conditionFromJson> }[] = []
  for (const k of keys) {
    const address = unlockHashToString(publicKeyUnlockHash(k.publicKey))
    const res = await fetch(`${opts.api}/addresses/${address}/outputs`, { signal: AbortSignal.timeout(5000) })
    if (!res.ok)
      throw new NodeClientError(
        'bad-answer',
        `the node at ${opts.api} answered ${res.status} for the outputs of ${address}`,
      )
    const body = (await res.json()) as {
      coinOutputs: { id: string; value: string; condition: unknown; spendable: boolean }[]
    }
    for (const o of body.coinOutputs) {
      if (o.spendable)
        available.push({
          id: fromHex(o.id, 32),
          value: BigInt(o.value),
          condition: conditionFromJson(o.condition),
        })
    }
  }
  const unsigned = buildTransfer({
    available,
    outputs: [{ to: opts.to, value: opts.value }, ...(opts.alsoPay ?? [])].map((o) => ({
      value: o.value,
      condition: unlockHashCondition(o.to),
    })),
    fee: opts.def.constants.minimumTransactionFee,
    change: unlockHashCondition(from),
    maxArbitraryData: opts.def.constants.arbitraryDataSizeLimit,
    ...(opts.data ? { arbitraryData: opts.data } : {}),
  })
  const byId = new Map(available.map((o) => [toHex(o.id), o.condition]))
  const spent = { coinInputs: unsigned.coinInputs.map((i) => byId.get(toHex(i.parentId))!) }
  const { tx } = signInputs(registry, nodeEd25519, unsigned, spent, keyring(keys))
  const post = await fetch(`${opts.api}/txpool`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: registry.toJsonString(tx),
    signal: AbortSignal.timeout(5000),
  })
  const answer = (await post.json()) as { transactionId?: string; message?: string }
  if (!post.ok || !answer.transactionId)
    throw new NodeClientError('refused', `the node refused the transaction: ${answer.message}`)
  return answer.transactionId
}
