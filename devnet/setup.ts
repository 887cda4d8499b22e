// `devnet up` on a new directory: a chain definition from the `devnet` preset with a fresh genesis
// (block stakes split across the nodes, coins to a faucet wallet), a keystore and a peer identity per
// node, and free loopback ports (DESIGN §8). With extensions (minting, authorized addresses) an
// authority wallet holds the mint and auth conditions.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { stringifyJson } from '../consensus/encoding/json.js'
import { chainDefinitionToJson } from '../consensus/params/chain.js'
import { preset } from '../consensus/params/presets.js'
import { loadOrCreatePeerKey } from '../p2p/peer-key.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { encryptSeed, FAST_SCRYPT } from '../wallet/keys/keystore.js'
import { writeKeystoreFile } from '../wallet/keys/keystore.node.js'
import { generateSeed, seedToMnemonic } from '../wallet/keys/seed.js'
import { type DevnetExtensions, devnetDefinition, devnetExtensions } from './chaingen.js'

export interface DevnetNode {
  readonly name: string
  readonly dataDir: string
  readonly apiPort: number
  readonly p2pPort: number
  readonly peerId: string
  readonly stakeKeystore: string
}

export interface DevnetConfig {
  readonly version: 1
  readonly chainFile: string
  readonly blockTime: number
  readonly nodes: readonly DevnetNode[]
  readonly faucet: { readonly keystore: string; readonly address: string }
  /** The wallet holding the mint and auth conditions, when the chain has those extensions. */
  readonly authority?: { readonly keystore: string; readonly address: string }
  /** The passphrase of every keystore of this local devnet (a test network: kept in the dir, 0600). */
  readonly passphraseFile: string
}

export const configPath = (dir: string): string => join(dir, 'devnet.json')

export function readDevnetConfig(dir: string): DevnetConfig | undefined {
  const file = configPath(dir)
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as DevnetConfig
}

export const devnetPassphrase = (config: DevnetConfig): string =>
  readFileSync(config.passphraseFile, 'utf8').trim()

/** A free TCP port on 127.0.0.1 (bound and released; the node binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/**
 * Creates a new devnet in `dir` and returns its configuration and the faucet mnemonic (and, with
 * extensions, the authority's).
 */
export async function initDevnet(opts: {
  dir: string
  nodes: number
  blockTime: number
  /**
   * Genesis timestamp (default: now minus the block stake aging); tests put it further in the past to
   * pre-build history.
   */
  genesisTime?: number
  /** Minting and/or authorized addresses; none by default. */
  extensions?: DevnetExtensions
}): Promise<{ config: DevnetConfig; faucetMnemonic: string; authorityMnemonic?: string }> {
  if (opts.nodes < 1 || opts.nodes > 16) throw new Error('--nodes must be between 1 and 16')
  if (opts.blockTime < 1 || opts.blockTime > 600)
    throw new Error('--block-time must be between 1 and 600 seconds')
  mkdirSync(opts.dir, { recursive: true })
  const passphraseFile = join(opts.dir, 'passphrase')
  const passphrase = randomBytes(16).toString('hex')
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 })

  const faucetSeed = generateSeed()
  const faucetKey = deriveKey(faucetSeed, 0, nodeEd25519)
  const faucetKeystore = join(opts.dir, 'faucet.keystore.json')
  await writeKeystoreFile(
    faucetKeystore,
    await encryptSeed(faucetSeed, passphrase, { scrypt: FAST_SCRYPT, label: 'faucet' }),
  )

  const nodes: DevnetNode[] = []
  const stakers = []
  for (let i = 0; i < opts.nodes; i++) {
    const name = `node${i + 1}`
    const dataDir = join(opts.dir, name)
    mkdirSync(dataDir, { recursive: true })
    const seed = generateSeed()
    stakers.push(deriveKey(seed, 0, nodeEd25519))
    const stakeKeystore = join(dataDir, 'stake.keystore.json')
    await writeKeystoreFile(
      stakeKeystore,
      await encryptSeed(seed, passphrase, { scrypt: FAST_SCRYPT, label: name }),
    )
    const peerId = peerIdFromPrivateKey(await loadOrCreatePeerKey(dataDir)).toString()
    nodes.push({ name, dataDir, apiPort: await freePort(), p2pPort: await freePort(), peerId, stakeKeystore })
  }

  // the authority holds the mint and auth conditions; on a whitelist the faucet, the nodes (their block
  // rewards) and the authority are authorized from genesis
  const wanted = opts.extensions ?? {}
  let authority: { seed: Uint8Array; key: ReturnType<typeof deriveKey>; keystore: string } | undefined
  if (wanted.minting || wanted.auth) {
    const seed = generateSeed()
    const keystore = join(opts.dir, 'authority.keystore.json')
    await writeKeystoreFile(
      keystore,
      await encryptSeed(seed, passphrase, { scrypt: FAST_SCRYPT, label: 'authority' }),
    )
    authority = { seed, key: deriveKey(seed, 0, nodeEd25519), keystore }
  }

  const base = preset('devnet')
  const def = devnetDefinition({
    ...(authority || wanted.capacity
      ? {
          extensions: devnetExtensions(wanted, authority?.key, [
            faucetKey,
            ...stakers,
            ...(authority ? [authority.key] : []),
          ]),
        }
      : {}),
    stakers,
    coinsTo: faucetKey,
    // by default the genesis is dated one aging period back: every node's genesis stake output (not only
    // the first, which is exempt from aging) can create blocks from the start (spec §6.5)
    timestamp: opts.genesisTime ?? Math.floor(Date.now() / 1000) - base.constants.blockStakeAging,
    base: { ...base, constants: { ...base.constants, blockFrequency: opts.blockTime } },
  })
  const chainFile = join(opts.dir, 'chain.json')
  writeFileSync(chainFile, `${stringifyJson(chainDefinitionToJson(def))}\n`)
  const config: DevnetConfig = {
    version: 1,
    chainFile,
    blockTime: opts.blockTime,
    nodes,
    faucet: { keystore: faucetKeystore, address: faucetKey.address },
    ...(authority ? { authority: { keystore: authority.keystore, address: authority.key.address } } : {}),
    passphraseFile,
  }
  writeFileSync(configPath(opts.dir), `${JSON.stringify(config, null, 2)}\n`)
  return {
    config,
    faucetMnemonic: seedToMnemonic(faucetSeed),
    ...(authority ? { authorityMnemonic: seedToMnemonic(authority.seed) } : {}),
  }
}
