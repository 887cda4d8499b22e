// consensus/extensions/authcointx: `genesisAuthorizedAddresses`, the addresses a whitelist chain
// authorizes from genesis (a devnet's faucet and nodes), so its genesis coins can move before the first
// address update. Absent, the genesis state is the reference's.
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  authCoinExtension,
  authCoinParamsToJson,
  authStatus,
  parseAuthCoinParams,
} from '../../../../consensus/extensions/authcointx/index.js'
import {
  chainConsensus,
  parseChainDefinitionWithExtensions,
  parseExtensions,
} from '../../../../consensus/extensions/catalog.js'
import { ChainDefinitionError, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { conditionToJson } from '../../../../consensus/types/conditions.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { NIL_UNLOCK_HASH, unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { addressOf, conditionOf, ed, Harness } from './harness.js'
import { testKey } from './helpers.js'

const COIN = 1_000_000_000n
const [authority, faucet, node1, stranger] = ['authority', 'faucet', 'node1', 'stranger'].map(testKey) as [
  ReturnType<typeof testKey>,
  ReturnType<typeof testKey>,
  ReturnType<typeof testKey>,
  ReturnType<typeof testKey>,
]
const address = (k: typeof authority) => unlockHashToString(addressOf(k))

const paramsJson = (extra: Record<string, unknown> = {}) => ({
  genesisAuthCondition: conditionToJson(conditionOf(authority)),
  authorizedByDefault: false,
  requireMinerFees: true,
  ...extra,
})

function fieldError(fn: () => unknown): ChainDefinitionError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ChainDefinitionError) return err
    throw err
  }
  throw new Error('accepted')
}

describe('authcoin genesisAuthorizedAddresses', () => {
  it('parses, round-trips through JSON, and is left out when absent', () => {
    const p = parseAuthCoinParams(
      paramsJson({ genesisAuthorizedAddresses: [address(faucet), address(node1)] }),
      'extensions.authcoin',
    )
    expect(p.genesisAuthorizedAddresses).toEqual([addressOf(faucet), addressOf(node1)])
    const json = authCoinParamsToJson(p) as Record<string, unknown>
    expect(json.genesisAuthorizedAddresses).toEqual([address(faucet), address(node1)])
    expect(parseAuthCoinParams(json, 'extensions.authcoin')).toEqual(p)

    const plain = parseAuthCoinParams(paramsJson(), 'extensions.authcoin')
    expect(plain.genesisAuthorizedAddresses).toBeUndefined()
    expect(Object.keys(authCoinParamsToJson(plain) as object)).not.toContain('genesisAuthorizedAddresses')
  })

  it('names the field of a bad list, address, duplicate, exempt address or a blocklist chain', () => {
    const cases: [unknown, Record<string, unknown>, string, RegExp][] = [
      ['01abc', {}, 'extensions.authcoin.genesisAuthorizedAddresses', /list of addresses/],
      [[address(faucet), '01abc'], {}, 'extensions.authcoin.genesisAuthorizedAddresses[1]', /78 hex/],
      [
        [address(faucet), address(node1), address(faucet)],
        {},
        'extensions.authcoin.genesisAuthorizedAddresses[2]',
        /repeats extensions\.authcoin\.genesisAuthorizedAddresses\[0\]/,
      ],
      [
        [unlockHashToString(NIL_UNLOCK_HASH)],
        {},
        'extensions.authcoin.genesisAuthorizedAddresses[0]',
        /never checked/,
      ],
      [
        [address(faucet)],
        { authorizedByDefault: true },
        'extensions.authcoin.genesisAuthorizedAddresses',
        /whitelist/,
      ],
    ]
    for (const [list, extra, field, message] of cases) {
      const err = fieldError(() =>
        parseExtensions({ authcoin: paramsJson({ ...extra, genesisAuthorizedAddresses: list }) }),
      )
      expect(err.field).toBe(field)
      expect(err.message).toMatch(message)
    }
  })

  it('authorizes the listed addresses at height 0: their genesis coins move, others stay refused', () => {
    const params = parseAuthCoinParams(
      paramsJson({ genesisAuthorizedAddresses: [address(faucet), address(node1)] }),
      'extensions.authcoin',
    )
    const h = new Harness(preset('devnet'), [authCoinExtension.enable(params)])
    expect(authStatus(h.state, addressOf(faucet))).toEqual({ authorized: true, since: 0 })
    expect(authStatus(h.state, addressOf(stranger))).toEqual({ authorized: false, since: undefined })
    const coins = h.fund(blake2b256(utf8('genesis coins')), 100n * COIN, conditionOf(faucet))
    const pay = (to: typeof authority) =>
      signSingleSignature(
        h.registry,
        ed,
        {
          ...emptyTransaction(1),
          coinInputs: [{ parentId: coins.id, fulfillment: { type: 0 } }],
          coinOutputs: [
            { value: 10n * COIN, condition: conditionOf(to) },
            { value: 89n * COIN, condition: conditionOf(faucet) },
          ],
          minerFees: [COIN],
        },
        'coinInputs',
        0,
        faucet,
      )
    expect(h.refusal(pay(stranger)).details.address).toBe(address(stranger))
    h.block(pay(node1))
  })

  it('absent, the genesis state is what it was (default flag and condition history only)', () => {
    const plain = authCoinExtension.enable(parseAuthCoinParams(paramsJson(), 'x')).genesisState ?? []
    expect(plain.map(([k]) => k)).toEqual(['default', 'authconditions', 'authconditions/00000000'])
    const listed = authCoinExtension.enable(
      parseAuthCoinParams(paramsJson({ genesisAuthorizedAddresses: [address(faucet)] }), 'x'),
    ).genesisState!
    expect(listed.slice(0, 3)).toEqual(plain)
    expect(listed).toHaveLength(4)
  })

  it('a chain file carries it into chainConsensus genesis state', () => {
    const json = chainDefinitionToJson(preset('devnet')) as Record<string, unknown>
    json.extensions = {
      authcoin: { ...paramsJson({ genesisAuthorizedAddresses: [address(faucet)] }) },
    }
    const def = parseChainDefinitionWithExtensions(json)
    const changes = chainConsensus(def).rules.genesisState
    expect(changes.map((c) => c.key)).toContain(
      `address/01${unlockHashToString(addressOf(faucet)).slice(2, 66)}`,
    )
  })
})
