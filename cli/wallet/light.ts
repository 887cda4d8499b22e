// `wallet balance --light` and `wallet transactions --light`: the balance and the history verified by the
// light client (docs/light-client.md) instead of taken from the node: every header from genesis is verified,
// every output the node lists is proven by its creating transaction in a verified block, and every
// transaction the node lists by its inclusion proof. The chain definition is the node's, accepted only because its
// genesis is the wallet's own. `wallet send --light` (and `stake send --light`) spends only outputs so proven
// and submits through the light client; that they are still unspent is the node's word (a light client has
// no UTXO set), and a node that lies about it only gets the transaction refused.
import { toHex } from '../../consensus/encoding/hex.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import { formatCoinString } from '../../consensus/types/currency.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import { createLightClient, type LightClient, LightError, type ProvenOutput } from '../../light/index.js'
import type { NodeClient } from '../../wallet/client/node-api.js'
import type { SpendableOutput } from '../../wallet/tx/build.js'
import { WalletError } from '../../wallet/tx/build.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import type { Restrict, Spendable } from './spend.js'

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

/**
 * What `send --light` needs: `restrict` keeps of the node's spendable outputs only those the light client
 * proved (their value and condition taken from the proven transaction), `submit` posts through the light
 * client, `summary` is what the answer adds. The light client is made on first use, for the node's chain.
 */
export function lightSpender() {
  let light: LightClient | undefined
  let inputs = 0
  /** Listed as spendable by the node, left out for want of a proof (coins, block stakes). */
  const unproven = { coins: 0n, blockStakes: 0n }
  let precision = 0
  const restrict: Restrict = async (client, listed) => {
    precision = client.precision
    try {
      light ??= await createLightClient({ nodes: [client.url], chain: client.def })
      const addresses = new Set(
        [...listed.coins, ...listed.stakes].map((o) => unlockHashToString(conditionUnlockHash(o.condition))),
      )
      const proven = new Map<string, ProvenOutput>()
      for (const a of addresses) for (const o of (await light.getBalance(a)).outputs) proven.set(o.id, o)
      const keep = (list: readonly SpendableOutput[], kind: ProvenOutput['kind']) =>
        list.flatMap((o) => {
          const p = proven.get(toHex(o.id))
          if (p?.kind === kind && p.value === o.value)
            return [{ id: o.id, value: p.value, condition: p.condition }]
          if (kind === 'coin') unproven.coins += o.value
          else unproven.blockStakes += o.value
          return []
        })
      const coins = keep(listed.coins, 'coin')
      const stakes = keep(listed.stakes, 'blockstake')
      const spent: Spendable['spent'] = new Map()
      for (const o of [...coins, ...stakes]) {
        const id = toHex(o.id)
        spent.set(id, { ...listed.spent.get(id)!, condition: o.condition })
      }
      return { coins, stakes, spent, held: listed.held }
    } catch (err) {
      throw lightUserError(err)
    }
  }
  return {
    restrict,
    /** The wallet error for short funds, with what the node listed but the light client could not prove. */
    explain(err: unknown): unknown {
      if (!(err instanceof WalletError) || err.details.missing === undefined) return err
      const stakes = err.code === 'insufficient-block-stakes'
      const left = stakes ? unproven.blockStakes : unproven.coins
      if (left === 0n) return err
      const amount = stakes ? `${left} block stakes` : `${formatCoinString(left, precision)} coins`
      return new WalletError(
        err.code,
        `${err.message} (--light spends only proven outputs: ${amount} the node lists have no proof, e.g. miner payouts)`,
        err.details,
      )
    },
    async submit(tx: Transaction): Promise<string> {
      try {
        return await light!.submit(tx)
      } catch (err) {
        throw lightUserError(err)
      } finally {
        light!.close()
      }
    },
    close(): void {
      light?.close()
    },
    summary() {
      return light
        ? { light: true as const, tip: light.tip(), signatures: light.signatures, provenInputs: inputs }
        : undefined
    },
    /** Counts the inputs of the built transaction (all proven). */
    built(tx: Transaction): void {
      inputs = tx.coinInputs.length + tx.blockStakeInputs.length
    },
  }
}

const lightUserError = (err: unknown) =>
  err instanceof LightError ? new UserError(`light client: ${err.message}`) : err
