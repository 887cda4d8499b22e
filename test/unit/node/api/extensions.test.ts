// Issue #12: a node on a chain with minting and a whitelist. The pool validates with the chain's rules on
// the tip's extension state (a payment to an address not authorized is refused naming it, and goes through
// once an address update authorizes it), and the API serves the extensions' queries.
import { afterEach, describe, expect, it } from 'vitest'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../../consensus/encoding/json.js'
import { conditionToJson } from '../../../../consensus/types/conditions.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import {
  addressOf,
  alice,
  authorize,
  base,
  bob,
  conditionOf,
  def,
  minter,
  NOW,
  nextBlock,
  registry,
  rules,
  staker,
} from '../../../utils/extchain.js'
import { genesisPayment, openExtNode } from '../../../utils/extnode.js'
import { MemoryChain } from '../../../utils/replay.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup() {
  const { chain, pool, app } = await openExtNode()
  cleanups.push(
    () => chain.close(),
    () => app.close(),
  )
  return { chain, pool, app }
}

const post = (app: Awaited<ReturnType<typeof setup>>['app'], tx: Transaction) =>
  app.inject({
    method: 'POST',
    url: '/txpool',
    headers: { 'content-type': 'application/json' },
    payload: registry.toJsonString(tx),
  })

describe('node on a chain with minting and a whitelist', () => {
  it('refuses a payment to an address not authorized, naming it, and accepts it once authorized', async () => {
    const { app, chain } = await setup()
    const pay = genesisPayment(alice, 10n * base.oneCoin)
    const refused = await post(app, pay)
    expect(refused.statusCode).toBe(400)
    const body = refused.json()
    expect(body.code).toBe('invalid')
    // the first address the rule finds not authorized is named: the payment's recipient
    expect(body.message).toContain(unlockHashToString(addressOf(alice)))
    expect(body.details.rule).toMatch(/unauthorized|not-authorized|auth/)

    // the authority authorizes both in a block; the same payment is then accepted and confirms
    const replay = new MemoryChain(def, registry, NOW, rules)
    const b1 = nextBlock(replay, [authorize(staker, alice)])
    replay.append(b1)
    expect((await chain.addBlock(b1)).status).toBe('tip')
    const accepted = await post(app, pay)
    expect(accepted.statusCode, accepted.body).toBe(200)
    expect(accepted.json().transactionId).toBe(toHex(registry.id(pay)))

    const status = await app.inject({ url: `/auth/status/${unlockHashToString(addressOf(alice))}` })
    expect(status.json()).toEqual({
      address: unlockHashToString(addressOf(alice)),
      authorized: true,
      since: 1,
    })
    const bobStatus = await app.inject({ url: `/auth/status/${unlockHashToString(addressOf(bob))}` })
    expect(bobStatus.json()).toMatchObject({ authorized: false, since: null })
  })

  it('a payment to a second address not authorized is refused naming that address', async () => {
    const { app, chain } = await setup()
    const replay = new MemoryChain(def, registry, NOW, rules)
    const b1 = nextBlock(replay, [authorize(staker)])
    replay.append(b1)
    await chain.addBlock(b1)
    const refused = await post(app, genesisPayment(bob, base.oneCoin))
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toContain(unlockHashToString(addressOf(bob)))
  })

  it('answers 400, not 500, for a transaction its binary form cannot carry (found by fuzzing POST /txpool)', async () => {
    const { app } = await setup()
    const json = JSON.parse(registry.toJsonString(authorize(alice)))
    // the auth fulfillment is rivbin-encoded: an ed25519 key there is exactly 32 bytes
    json.data.authfulfillment.data.publickey = `ed25519:${'11'.repeat(31)}`
    const res = await app.inject({
      method: 'POST',
      url: '/txpool',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(json),
    })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toMatchObject({ code: 'invalid-encoding', details: { rule: 'invalid-value' } })
  })

  it('serves the mint and auth conditions at the tip and at a height', async () => {
    const { app } = await setup()
    const mint = await app.inject({ url: '/mint/condition' })
    expect(mint.statusCode).toBe(200)
    expect(mint.body).toBe(stringifyJson({ height: 0, condition: conditionToJson(conditionOf(minter)) }))
    expect((await app.inject({ url: '/mint/condition/0' })).json().height).toBe(0)
    expect((await app.inject({ url: '/auth/condition' })).json().height).toBe(0)
    const above = await app.inject({ url: '/mint/condition/5' })
    expect(above.statusCode).toBe(404)
    expect(above.json().code).toBe('not-found')
    const bad = await app.inject({ url: '/mint/condition/-1' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('invalid-parameter')
    const badAddress = await app.inject({ url: '/auth/status/01zz' })
    expect(badAddress.statusCode).toBe(400)
    expect(badAddress.json().code).toBe('invalid-parameter')
  })
})
