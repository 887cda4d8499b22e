import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashEquals } from '../../../../consensus/types/unlockhash.js'
import { type ListedTransaction, walletHistory } from '../../../../wallet/tx/history.js'
import { devKey } from '../../../utils/devchain.js'

const registry = coreRegistry()
const [mine, mine2, other] = [devKey(0), devKey(1), devKey(9)].map((k) =>
  publicKeyUnlockHash(k.publicKey),
) as [UnlockHash, UnlockHash, UnlockHash]
const to = unlockHashCondition
const id = (s: string) => blake2b256(utf8(s))
const owns = (uh: UnlockHash) => unlockHashEquals(uh, mine) || unlockHashEquals(uh, mine2)

function listed(tx: Transaction, height?: number, index = 0): ListedTransaction {
  const ids = registry.outputIds(tx)
  return {
    id: toHex(ids.id),
    ...(height === undefined ? {} : { height, index }),
    transaction: tx,
    coinOutputIds: ids.coinOutputIds.map(toHex),
    blockStakeOutputIds: ids.blockStakeOutputIds.map(toHex),
  }
}
const tx = (t: Partial<Transaction>): Transaction => ({ ...emptyTransaction(1), ...t })

describe('wallet history', () => {
  it('nets what each transaction moved in and out of the wallet, newest first', () => {
    const funding = tx({
      coinInputs: [{ parentId: id('theirs'), fulfillment: { type: 0 } }],
      coinOutputs: [{ value: 100n, condition: to(mine) }],
      blockStakeOutputs: [{ value: 5n, condition: to(mine) }],
      minerFees: [1n],
    })
    const f = listed(funding, 3)
    const spend = tx({
      coinInputs: [{ parentId: Buffer.from(f.coinOutputIds[0]!, 'hex'), fulfillment: { type: 0 } }],
      coinOutputs: [
        { value: 30n, condition: to(other) },
        { value: 69n, condition: to(mine2) },
      ],
      blockStakeInputs: [
        { parentId: Buffer.from(f.blockStakeOutputIds[0]!, 'hex'), fulfillment: { type: 0 } },
      ],
      blockStakeOutputs: [{ value: 5n, condition: to(other) }],
      minerFees: [1n],
    })
    const s = listed(spend)
    const payout = { blockId: toHex(id('block 4')), height: 4, payouts: [{ id: toHex(id('p')), value: 2n }] }
    // both addresses list the spend; one answer still had it unconfirmed
    const entries = walletHistory([s, f, { ...s }, listed(spend, 5, 1)], [payout, payout], owns)
    expect(entries).toEqual([
      { kind: 'transaction', id: s.id, height: 5, coins: -31n, blockStakes: -5n, fee: 1n },
      { kind: 'payout', id: payout.blockId, height: 4, coins: 2n, blockStakes: 0n, fee: 0n },
      { kind: 'transaction', id: f.id, height: 3, coins: 100n, blockStakes: 5n, fee: 0n },
    ])
    // unconfirmed transactions come first
    expect(walletHistory([f, s], [], owns).map((e) => e.height)).toEqual([undefined, 3])
  })
})
