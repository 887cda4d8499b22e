// `wallet balance --light` and `wallet transactions --light`: the balance and the history verified by the
// light client (docs/light-client.md) instead of taken from the node: every header from genesis is verified,
// every output the node lists is proven by its creating transaction in a verified block, and every
// transaction the node lists by its inclusion proof. The chain definition is the node's, accepted only because its
// genesis is the wallet's own.
import { formatCoinString } from '../../consensus/types/currency.js'
import { createLightClient, LightError } from '../../light/index.js'
import type { NodeClient } from '../../wallet/client/node-api.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'

export async function lightBalance(
  client: NodeClient,
  addresses: readonly string[],
  json: boolean,
): Promise<void> {
  try {
    const light = await createLightClient({ nodes: [client.url], chain: client.def })
    const coins = { proven: 0n, unproven: 0n }
    const blockStakes = { proven: 0n, unproven: 0n }
    let outputs = 0
    for (const a of addresses) {
      const b = await light.getBalance(a)
      coins.proven += b.coins.proven
      coins.unproven += b.coins.unproven
      blockStakes.proven += b.blockStakes.proven
      blockStakes.unproven += b.blockStakes.unproven
      outputs += b.outputs.length
    }
    light.close()
    const tip = light.tip()
    if (json) {
      println(
        JSON.stringify({
          light: true,
          tip,
          signatures: light.signatures,
          coins: { proven: coins.proven.toString(), unproven: coins.unproven.toString() },
          blockStakes: { proven: blockStakes.proven.toString(), unproven: blockStakes.unproven.toString() },
          provenOutputs: outputs,
        }),
      )
      return
    }
    const coin = (v: bigint) => formatCoinString(v, client.precision)
    println(`verified ${tip.height + 1} headers up to ${tip.id} (${light.signatures} signatures)`)
    println(
      `coins: ${coin(coins.proven)} proven in ${outputs} output(s), ${coin(coins.unproven)} unproven (miner payouts)`,
    )
    println(`block stakes: ${blockStakes.proven} proven, ${blockStakes.unproven} unproven`)
  } catch (err) {
    if (err instanceof LightError) throw new UserError(`light client: ${err.message}`)
    throw err
  }
}

/** `wallet transactions --light`: the wallet's confirmed transactions, each proven in a verified block. */
export async function lightTransactions(
  client: NodeClient,
  addresses: readonly string[],
  limit: number,
  json: boolean,
): Promise<void> {
  try {
    const light = await createLightClient({ nodes: [client.url], chain: client.def })
    const byId = new Map<string, { id: string; height: number; blockId: string; confirmations: number }>()
    for (const a of addresses)
      for (const t of await light.getTransactions(a, limit))
        byId.set(t.transactionId, {
          id: t.transactionId,
          height: t.height,
          blockId: t.blockId,
          confirmations: t.confirmations,
        })
    light.close()
    const tip = light.tip()
    const transactions = [...byId.values()].sort((x, y) => y.height - x.height || (x.id < y.id ? -1 : 1))
    if (json) {
      println(JSON.stringify({ light: true, tip, signatures: light.signatures, transactions }))
      return
    }
    println(`verified ${tip.height + 1} headers up to ${tip.id} (${light.signatures} signatures)`)
    if (transactions.length === 0) println('no confirmed transactions')
    for (const t of transactions)
      println(`${t.id}  height ${t.height}, ${t.confirmations} confirmation(s), proven in block ${t.blockId}`)
  } catch (err) {
    if (err instanceof LightError) throw new UserError(`light client: ${err.message}`)
    throw err
  }
}
