// `devnet up --extensions minting,auth [--auth whitelist|blocklist]`: the chain a devnet is created with
// (without starting nodes: the e2e test runs them), its authority wallet, what `devnet status` says, and
// what `up` refuses before starting anything.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseDevnetExtensions } from '../../../cli/devnet.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { authCoinExtension } from '../../../consensus/extensions/authcointx/extension.js'
import { authStatus } from '../../../consensus/extensions/authcointx/state.js'
import {
  chainConsensus,
  extensionParams,
  parseChainDefinitionWithExtensions,
} from '../../../consensus/extensions/catalog.js'
import { mintConditionAt } from '../../../consensus/extensions/minting/state.js'
import { MemoryExtensionState } from '../../../consensus/state/extensions.js'
import { conditionToJson, unlockHashCondition } from '../../../consensus/types/conditions.js'
import { parseUnlockHash, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { devnetPassphrase, initDevnet } from '../../../devnet/setup.js'
import { deriveKey } from '../../../wallet/keys/derive.js'
import { decryptSeed } from '../../../wallet/keys/keystore.js'
import { readKeystoreFile } from '../../../wallet/keys/keystore.node.js'
import { mnemonicToSeed } from '../../../wallet/keys/seed.js'
import { runCli } from '../../utils/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-devnet-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const chainOf = (file: string) => parseChainDefinitionWithExtensions(JSON.parse(readFileSync(file, 'utf8')))

describe('devnet extensions', () => {
  it('parses --extensions and --auth, naming what is wrong', () => {
    expect(parseDevnetExtensions(undefined, undefined)).toBeUndefined()
    expect(parseDevnetExtensions('minting,auth', undefined)).toEqual({ minting: true, auth: 'whitelist' })
    expect(parseDevnetExtensions('authcoin', 'blocklist')).toEqual({ auth: 'blocklist' })
    expect(parseDevnetExtensions(' Minting ', undefined)).toEqual({ minting: true })
    expect(parseDevnetExtensions('capacity', undefined)).toEqual({ capacity: true })
    expect(parseDevnetExtensions('minting,auth,capacity', undefined)).toEqual({
      minting: true,
      auth: 'whitelist',
      capacity: true,
    })
    expect(() => parseDevnetExtensions('minting,notary', undefined)).toThrow(
      '--extensions: unknown extension "notary" (known: minting, auth, capacity)',
    )
    expect(() => parseDevnetExtensions('minting', 'whitelist')).toThrow('--auth needs --extensions auth')
    expect(() => parseDevnetExtensions(undefined, 'blocklist')).toThrow('--auth needs --extensions auth')
    expect(() => parseDevnetExtensions('auth', 'kyc')).toThrow('--auth must be "whitelist" or "blocklist"')
  })

  it('a whitelist devnet: the authority holds both conditions; faucet, nodes and authority authorized at genesis', async () => {
    const d = join(dir, 'kyc')
    const created = await initDevnet({
      dir: d,
      nodes: 2,
      blockTime: 2,
      extensions: { minting: true, auth: 'whitelist' },
    })
    const { config, authorityMnemonic } = created
    expect(authorityMnemonic?.split(' ')).toHaveLength(24)
    const authority = deriveKey(mnemonicToSeed(authorityMnemonic!), 0, nodeEd25519)
    expect(config.authority?.address).toBe(authority.address)
    // stored like the faucet's: encrypted with the devnet passphrase
    const stored = await decryptSeed(
      await readKeystoreFile(config.authority!.keystore),
      devnetPassphrase(config),
    )
    expect(deriveKey(stored, 0, nodeEd25519).address).toBe(authority.address)

    const def = chainOf(config.chainFile)
    const { rules } = chainConsensus(def)
    const state = new MemoryExtensionState()
    state.apply(rules.genesisState)
    const authorityCondition = conditionToJson(unlockHashCondition(parseUnlockHash(authority.address)))
    expect(conditionToJson(mintConditionAt(state, 0))).toEqual(authorityCondition)
    const auth = extensionParams(def, authCoinExtension)!
    expect(auth.authorizedByDefault).toBe(false)
    expect(conditionToJson(auth.genesisAuthCondition)).toEqual(authorityCondition)
    const stakers = def.genesis.blockStakeOutputs.map((o) => o.condition)
    const authorized = (auth.genesisAuthorizedAddresses ?? []).map(unlockHashToString)
    expect(authorized).toEqual([
      config.faucet.address,
      ...stakers.map((c) =>
        unlockHashToString((c as { unlockHash: Parameters<typeof unlockHashToString>[0] }).unlockHash),
      ),
      authority.address,
    ])
    for (const a of authorized)
      expect(authStatus(state, parseUnlockHash(a))).toEqual({ authorized: true, since: 0 })
    expect(def.extensions.minting).toMatchObject({
      coinDestructionVersion: 130,
      encoding: 'rivbin',
      requireMinerFees: true,
    })

    // status reads the chain file: it says which extensions run, nodes up or not
    const status = await runCli('devnet', 'status', '--dir', d, '--json')
    expect(status.code).toBe(0)
    const body = JSON.parse(status.out)
    expect(Object.keys(body.extensions)).toEqual(['minting', 'authcoin'])
    expect(body.extensions.authcoin.authorizedByDefault).toBe(false)
    const text = await runCli('devnet', 'status', '--dir', d)
    expect(text.out).toContain('extensions: minting (128, 129, 130), authcoin (176, 177; whitelist)')

    // resuming keeps the chain's extensions: another set is refused before any node starts
    const other = await runCli('devnet', 'up', '--dir', d, '--extensions', 'minting')
    expect(other).toMatchObject({
      code: 2,
      err: `the devnet in ${d} runs with extensions minting, auth (whitelist), not minting: "devnet reset" (or another --dir) starts a new chain\n`,
    })
  })

  it('a blocklist devnet lists no addresses; a devnet without extensions has no authority', async () => {
    const block = await initDevnet({
      dir: join(dir, 'block'),
      nodes: 1,
      blockTime: 2,
      extensions: { auth: 'blocklist' },
    })
    const def = chainOf(block.config.chainFile)
    expect(extensionParams(def, authCoinExtension)).toMatchObject({ authorizedByDefault: true })
    expect(extensionParams(def, authCoinExtension)?.genesisAuthorizedAddresses).toBeUndefined()
    expect(def.extensions.minting).toBeUndefined()

    const plain = await initDevnet({ dir: join(dir, 'plain'), nodes: 1, blockTime: 2 })
    expect(plain.authorityMnemonic).toBeUndefined()
    expect(plain.config.authority).toBeUndefined()
    expect(chainOf(plain.config.chainFile).extensions).toEqual({})
    expect((await runCli('devnet', 'status', '--dir', join(dir, 'plain'))).out).toContain('extensions: none')
  })

  it('a capacity devnet (--extensions capacity) enables 224 and 225 and needs no authority', async () => {
    const d = join(dir, 'capacity')
    const created = await initDevnet({ dir: d, nodes: 1, blockTime: 2, extensions: { capacity: true } })
    expect(created.authorityMnemonic).toBeUndefined()
    const def = chainOf(created.config.chainFile)
    expect(def.extensions).toEqual({ capacity: {} })
    expect(chainConsensus(def).registry.versions).toEqual(expect.arrayContaining([224, 225]))
    expect((await runCli('devnet', 'status', '--dir', d)).out).toContain('extensions: capacity (224, 225)')
    const other = await runCli('devnet', 'up', '--dir', d, '--extensions', 'minting')
    expect(other).toMatchObject({
      code: 2,
      err: `the devnet in ${d} runs with extensions capacity, not minting: "devnet reset" (or another --dir) starts a new chain\n`,
    })
  })
})
