// The wallet file (docs/wallet.md): the seed encrypted in a keystore (absent in a watch-only wallet), the
// public keys of the addresses in use plus a look-ahead pool, the chain the wallet belongs to and the
// multisig wallets it follows. Only the seed is secret, so reading commands need no passphrase.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { DecodeError } from '../../consensus/encoding/errors.js'
import {
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonPreview,
  jsonUint,
  stringifyJson,
} from '../../consensus/encoding/json.js'
import type { MultiSignatureCondition } from '../../consensus/types/conditions.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import {
  multisigUnlockHash,
  parseUnlockHash,
  type UnlockHash,
  unlockHashToString,
} from '../../consensus/types/unlockhash.js'
import type { ChainOwner } from '../../wallet/client/node-api.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { decryptSeed, type KeystoreFile, parseKeystore } from '../../wallet/keys/keystore.js'
import { nodeScrypt } from '../../wallet/keys/keystore.node.js'
import {
  type PublicWalletKey,
  parsePublicKeys,
  publicKeyOf,
  publicKeysToJson,
} from '../../wallet/keys/public.js'
import {
  decryptSwapSecret,
  type EncryptedSwapSecret,
  encryptSwapSecret,
  parseEncryptedSwapSecret,
} from '../../wallet/keys/swap-secret.js'
import { type ChainRef, chainRefToJson, parseChainRef } from '../../wallet/tx/file.js'
import { UserError } from '../errors.js'
import { readPassphrase } from '../io.js'

/** Keys kept derived beyond the addresses in use, so `address` and change need no passphrase. */
export const KEY_LOOKAHEAD = 20
/** The most keys a wallet derives (a bound for hints read from files). */
export const MAX_KEYS = 100_000

export const defaultWalletPath = (): string =>
  join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'blockstake', 'wallet.json')

/** A multisig wallet this wallet follows (its balance is shown; it can pay to and spend from it). */
export interface MultisigRecord {
  readonly address: string
  readonly condition: MultiSignatureCondition
}

export interface WalletFile {
  readonly version: 1
  readonly kind: 'blockstake-wallet'
  /** The encrypted seed; absent in a watch-only wallet. */
  readonly keystore?: KeystoreFile
  /** Set on first contact with a node (or by `--chain`): the wallet refuses other chains after that. */
  readonly chain?: ChainRef
  /** Addresses handed out (receiving and change): indexes `0 … addressCount − 1`. */
  readonly addressCount: number
  /** Public keys `0 … n − 1`, `n ≥ addressCount`. */
  readonly keys: readonly PublicWalletKey[]
  readonly multisig: readonly MultisigRecord[]
  /** Atomic swaps this wallet initiated: their secrets, encrypted (absent in files written before swaps). */
  readonly swaps?: readonly SwapRecord[]
}

/** A swap the wallet initiated: the contract's output and address, and the secret encrypted with the seed. */
export interface SwapRecord extends EncryptedSwapSecret {
  readonly outputId: string
  readonly contractAddress: string
}

export const multisigRecord = (condition: MultiSignatureCondition): MultisigRecord => ({
  address: unlockHashToString(multisigUnlockHash(condition.unlockHashes, condition.minimumSignatureCount)),
  condition,
})

function walletToJson(w: WalletFile): JsonValue {
  return {
    version: w.version,
    kind: w.kind,
    keystore: w.keystore as unknown as JsonValue,
    chain: w.chain && chainRefToJson(w.chain),
    addressCount: w.addressCount,
    keys: publicKeysToJson(w.keys),
    multisig: w.multisig.map((m) => ({
      address: m.address,
      minimumSignatureCount: m.condition.minimumSignatureCount,
      unlockHashes: m.condition.unlockHashes.map(unlockHashToString),
    })),
    // written only when there are some: a wallet without swaps keeps the file layout it had
    ...(w.swaps?.length
      ? {
          swaps: w.swaps.map((r) => ({
            outputId: r.outputId,
            contractAddress: r.contractAddress,
            hashedSecret: r.hashedSecret,
            iv: r.iv,
            ciphertext: r.ciphertext,
          })),
        }
      : {}),
  }
}

function parseSwapRecord(value: unknown, field: string): SwapRecord {
  const o = jsonObject(value, field)
  let secret: EncryptedSwapSecret
  try {
    secret = parseEncryptedSwapSecret(o, field)
  } catch (err) {
    throw new DecodeError('invalid-value', (err as Error).message.replace(`${field}.`, ''), field)
  }
  if (typeof o.outputId !== 'string' || !/^[0-9a-f]{64}$/.test(o.outputId))
    throw new DecodeError('invalid-value', 'must be 64 hex characters', `${field}.outputId`)
  const address = parseUnlockHash(o.contractAddress, `${field}.contractAddress`)
  return { ...secret, outputId: o.outputId, contractAddress: unlockHashToString(address) }
}

function parseWallet(value: unknown): WalletFile {
  const o = jsonObject(value, 'wallet')
  if (o.kind !== 'blockstake-wallet')
    throw new DecodeError('invalid-value', 'not a blockstake wallet', 'kind')
  if (o.version !== 1)
    throw new DecodeError('invalid-value', `version ${jsonPreview(o.version)} is not supported`, 'version')
  const addressCount = jsonUint(o.addressCount, 'addressCount')
  if (addressCount < 1) throw new DecodeError('invalid-value', 'must be at least 1', 'addressCount')
  // files written before the key pool existed hold no keys: they are derived at the next unlock
  const keys = o.keys === undefined ? [] : parsePublicKeys(o.keys)
  const keystore = o.keystore === undefined ? undefined : parseKeystore(o.keystore)
  if (!keystore && keys.length < addressCount)
    throw new DecodeError('invalid-value', `a watch-only wallet needs ${addressCount} keys`, 'keys')
  const multisig = jsonArray(o.multisig, 'multisig').map((item, i) => {
    const f = `multisig[${i}]`
    const m = jsonObject(item, f)
    const unlockHashes = jsonArray(m.unlockHashes, `${f}.unlockHashes`).map((u, j) =>
      parseUnlockHash(u, `${f}.unlockHashes[${j}]`),
    )
    const record = multisigRecord({
      type: 4,
      minimumSignatureCount: jsonUint(m.minimumSignatureCount, `${f}.minimumSignatureCount`),
      unlockHashes,
    })
    if (record.address !== m.address)
      throw new DecodeError('invalid-value', 'does not match its members and threshold', `${f}.address`)
    return record
  })
  return {
    version: 1,
    kind: 'blockstake-wallet',
    ...(keystore ? { keystore } : {}),
    ...(o.chain === undefined ? {} : { chain: parseChainRef(o.chain) }),
    addressCount,
    keys,
    multisig,
    ...(o.swaps === undefined
      ? {}
      : { swaps: jsonArray(o.swaps, 'swaps').map((item, i) => parseSwapRecord(item, `swaps[${i}]`)) }),
  }
}

/** Atomic write (temp file + rename) with mode 0600. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // not every platform can open or sync a directory (Windows): the rename itself is atomic there
  }
}

export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  try {
    // flushed before the rename, and the rename flushed, so a power loss leaves the old file or the new one
    const fd = openSync(tmp, 'w', mode)
    try {
      writeFileSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    syncDirectory(dirname(path))
  } catch (err) {
    rmSync(tmp, { force: true })
    throw new UserError(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
}

export function readWalletFile(path: string): WalletFile {
  if (!existsSync(path))
    throw new UserError(`no wallet at ${path} (run "blockstake wallet init" or "wallet recover")`)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new UserError(`cannot read wallet file ${path}: ${(err as NodeJS.ErrnoException).code}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new UserError(`wallet file ${path} is corrupt: not JSON`)
  }
  try {
    return parseWallet(value)
  } catch (err) {
    if (err instanceof DecodeError || (err instanceof Error && err.name === 'KeystoreError'))
      throw new UserError(`wallet file ${path} is corrupt: ${err.message}`)
    throw err
  }
}

export function writeWalletFile(path: string, wallet: WalletFile, overwrite: boolean): void {
  if (!overwrite && existsSync(path)) throw new UserError(`${path} exists already (use another --wallet)`)
  writeFileAtomic(path, `${stringifyJson(walletToJson(wallet))}\n`)
}

/** A secret key of the wallet, for signing. */
export type WalletSigningKey = SigningKey & { readonly index: number; readonly address: string }

/**
 * A wallet file opened by a command: reads need nothing, the seed is decrypted once on demand (and the
 * stored public keys checked against it), and changes are written back by `save()`.
 */
export class OpenWallet implements ChainOwner {
  private seedBytes: Uint8Array | undefined
  private changed = false
  /** Created by this command: the first save must not overwrite an existing file. */
  private creating = false

  private constructor(
    readonly path: string,
    private state: WalletFile,
  ) {}

  static open(path: string): OpenWallet {
    return new OpenWallet(path, readWalletFile(path))
  }

  /** A wallet not yet on disk (`save()` refuses to overwrite an existing file). */
  static create(path: string, file: WalletFile, seed?: Uint8Array): OpenWallet {
    const w = new OpenWallet(path, file)
    w.seedBytes = seed
    w.changed = true
    w.creating = true
    if (seed) w.topUp()
    return w
  }

  get file(): WalletFile {
    return this.state
  }

  // ChainOwner: the node client checks a node's chain against the wallet's and tells it the chain it
  // does not know yet (saved with the wallet's next write)
  get label(): string {
    return `the wallet ${this.path}`
  }

  get chain(): ChainRef | undefined {
    return this.state.chain
  }

  learn(chain: ChainRef): void {
    this.update({ chain })
  }

  get watchOnly(): boolean {
    return this.state.keystore === undefined
  }

  update(change: Partial<WalletFile>): void {
    this.state = { ...this.state, ...change }
    this.changed = true
  }

  /** The decrypted seed; asks for the passphrase (or reads BLOCKSTAKE_PASSPHRASE) the first time. */
  async seed(): Promise<Uint8Array> {
    if (this.seedBytes) return this.seedBytes
    const keystore = this.state.keystore
    if (!keystore)
      throw new UserError(
        `${this.path} is a watch-only wallet (public keys only): build with "wallet tx build" and sign where the seed is`,
      )
    const seed = await decryptSeed(keystore, await readPassphrase(this.path), nodeScrypt)
    for (const k of this.state.keys) {
      if (deriveKey(seed, k.index, nodeEd25519).address !== k.address)
        throw new UserError(`wallet file ${this.path} is corrupt: key ${k.index} does not belong to its seed`)
    }
    this.seedBytes = seed
    this.topUp()
    return seed
  }

  /** Derives keys up to `addressCount + KEY_LOOKAHEAD` (and `atLeast`) while the seed is at hand. */
  private topUp(atLeast = 0): void {
    const seed = this.seedBytes
    if (!seed) return
    const want = Math.min(MAX_KEYS, Math.max(atLeast, this.state.addressCount + KEY_LOOKAHEAD))
    if (this.state.keys.length >= want) return
    const keys = [...this.state.keys]
    for (let i = keys.length; i < want; i++) keys.push(publicKeyOf(deriveKey(seed, i, nodeEd25519)))
    this.update({ keys })
  }

  /** Public keys `0 … count − 1`, deriving more from the seed when the pool is short. */
  async keys(count: number): Promise<readonly PublicWalletKey[]> {
    if (count > MAX_KEYS) throw new UserError(`a wallet has at most ${MAX_KEYS} keys`)
    if (this.state.keys.length < count) {
      if (this.watchOnly)
        throw new UserError(
          `the watch-only wallet ${this.path} holds ${this.state.keys.length} public keys and needs ${count}: export more with "wallet export-keys --count N" and import them again`,
        )
      await this.seed()
      this.topUp(count)
    }
    return this.state.keys.slice(0, count)
  }

  /** The addresses in use. */
  addresses(): Promise<readonly PublicWalletKey[]> {
    return this.keys(this.state.addressCount)
  }

  /** The next unused key (index `addressCount`), without handing it out yet. */
  async nextKey(): Promise<PublicWalletKey> {
    return (await this.keys(this.state.addressCount + 1))[this.state.addressCount]!
  }

  /** Hands out the next unused key (a new receiving or change address). */
  async takeNextKey(): Promise<PublicWalletKey> {
    const key = await this.nextKey()
    this.update({ addressCount: this.state.addressCount + 1 })
    return key
  }

  /** The signing keys at `indexes`. */
  async signingKeys(indexes: Iterable<number>): Promise<WalletSigningKey[]> {
    const seed = await this.seed()
    return [...new Set(indexes)].map((i) => {
      const k = deriveKey(seed, i, nodeEd25519)
      return { index: i, secretSeed: k.secretSeed, publicKey: k.publicKey, address: k.address }
    })
  }

  /** The wallet key index of `address` among the first `limit` keys (derived as needed), if any. */
  async indexOf(address: string, limit = this.state.keys.length): Promise<number | undefined> {
    const keys = await this.keys(Math.min(MAX_KEYS, Math.max(limit, this.state.keys.length)))
    return keys.find((k) => k.address === address)?.index
  }

  /** Remembers a multisig wallet (once). */
  follow(condition: MultiSignatureCondition): MultisigRecord {
    const record = multisigRecord(condition)
    if (!this.state.multisig.some((m) => m.address === record.address))
      this.update({ multisig: [...this.state.multisig, record] })
    return record
  }

  /** Keeps the secret of a swap this wallet initiated, encrypted with a key from the seed. */
  async keepSwapSecret(
    record: { outputId: string; contractAddress: string },
    secret: Uint8Array,
    hashedSecret: Uint8Array,
  ): Promise<void> {
    const encrypted = await encryptSwapSecret(await this.seed(), secret, hashedSecret)
    this.update({ swaps: [...(this.state.swaps ?? []), { ...record, ...encrypted }] })
  }

  /** The secret this wallet keeps for `hashedSecret` (hex), decrypted; undefined when it keeps none. */
  async swapSecret(hashedSecret: string): Promise<Uint8Array | undefined> {
    const record = this.state.swaps?.find((r) => r.hashedSecret === hashedSecret)
    return record && decryptSwapSecret(await this.seed(), record)
  }

  multisig(address: UnlockHash | string): MultisigRecord | undefined {
    const text = typeof address === 'string' ? address : unlockHashToString(address)
    return this.state.multisig.find((m) => m.address === text)
  }

  /** Writes the file if anything changed (atomically, 0600). */
  save(): void {
    if (!this.changed) return
    writeWalletFile(this.path, this.state, !this.creating)
    this.changed = false
    this.creating = false
  }
}
