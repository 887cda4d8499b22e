// `blockstake wallet …` (DESIGN §6): a deterministic wallet whose seed lives in an encrypted keystore,
// talking to a node's HTTP API. First commands: init, recover, address, addresses, balance, send.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { stringifyJson, utf8 } from '../../consensus/index.js'
import { parseChainDefinition } from '../../consensus/params/chain.js'
import { parseCoinString, precisionOf } from '../../consensus/types/currency.js'
import { parseUnlockHash } from '../../consensus/types/unlockhash.js'
import { UsageError } from '../../node/cli/errors.js'
import { println, readPassphrase } from '../../node/cli/io.js'
import { deriveKey } from '../keys/derive.js'
import { decryptSeed, encryptSeed, type KeystoreFile, parseKeystore } from '../keys/keystore.js'
import { generateSeed, mnemonicToSeed, seedToMnemonic } from '../keys/seed.js'
import { transfer } from './transfer.js'

/** The wallet file: the encrypted seed and how many addresses are in use (no secret in clear). */
interface WalletFile {
  readonly version: 1
  readonly kind: 'blockstake-wallet'
  readonly keystore: KeystoreFile
  readonly addressCount: number
}

export const GAP_LIMIT = 50
const defaultWallet = () =>
  join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'blockstake', 'wallet.json')
const DEFAULT_NODE = 'http://127.0.0.1:23110'

function readWallet(path: string): WalletFile {
  if (!existsSync(path))
    throw new UsageError(`no wallet at ${path} (run "blockstake wallet init" or "wallet recover")`)
  let value: Record<string, unknown>
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    throw new UsageError(`wallet file ${path} is corrupt: not JSON`)
  }
  if (value.kind !== 'blockstake-wallet' || value.version !== 1)
    throw new UsageError(`${path} is not a blockstake wallet file`)
  if (!Number.isSafeInteger(value.addressCount) || (value.addressCount as number) < 1) {
    throw new UsageError(`wallet file ${path} is corrupt: addressCount`)
  }
  try {
    return { ...(value as unknown as WalletFile), keystore: parseKeystore(value.keystore) }
  } catch (err) {
    throw new UsageError(`wallet file ${path} is corrupt: ${(err as Error).message}`)
  }
}

/** Atomic write (temp + rename), mode 0600; refuses to overwrite unless asked. */
function writeWallet(path: string, wallet: WalletFile, overwrite: boolean): void {
  if (!overwrite && existsSync(path)) throw new UsageError(`${path} exists already (use another --wallet)`)
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${stringifyJson(wallet as never)}\n`, { mode: 0o600 })
  renameSync(tmp, path)
}

async function seedOf(wallet: WalletFile, path: string): Promise<Uint8Array> {
  return decryptSeed(wallet.keystore, await readPassphrase(path))
}

/** A GET on the node API; the caller states the shape it reads. */
async function nodeJson<T>(node: string, path: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${node.replace(/\/$/, '')}${path}`, { signal: AbortSignal.timeout(5000) })
  } catch (err) {
    throw new UsageError(`cannot reach the node at ${node}: ${(err as Error).message}`)
  }
  const body = (await res.json()) as T & { message?: string }
  if (!res.ok) throw new UsageError(`the node answered ${res.status}: ${body.message}`)
  return body
}

const addressesOf = (seed: Uint8Array, count: number) =>
  Array.from({ length: count }, (_, i) => deriveKey(seed, i, nodeEd25519))

interface Common {
  wallet: string
  node: string
  json?: boolean
}

export function registerWalletCommands(program: Command): void {
  const wallet = program
    .command('wallet')
    .description('a deterministic wallet: keys in an encrypted keystore, a node for the chain')
  const common = (c: Command) =>
    c
      .option('--wallet <file>', 'wallet file', defaultWallet())
      .option('--node <url>', 'node API', DEFAULT_NODE)
      .option('--json', 'print one JSON object')

  common(
    wallet
      .command('init')
      .description('create a wallet with a fresh seed (prints its 24-word mnemonic once)'),
  ).action(async (opts: Common) => {
    const seed = generateSeed()
    const passphrase = await readPassphrase(opts.wallet)
    writeWallet(
      opts.wallet,
      {
        version: 1,
        kind: 'blockstake-wallet',
        keystore: await encryptSeed(seed, passphrase),
        addressCount: 1,
      },
      false,
    )
    const address = deriveKey(seed, 0, nodeEd25519).address
    if (opts.json) println(JSON.stringify({ mnemonic: seedToMnemonic(seed), address }))
    else println(`mnemonic (write it down, it is shown once): ${seedToMnemonic(seed)}\naddress: ${address}`)
  })

  common(
    wallet
      .command('recover')
      .description('restore a wallet from its mnemonic; scans addresses with a gap limit of 50 on the node')
      .option('--mnemonic <words>', '24-word mnemonic (default: read from the terminal)'),
  ).action(async (opts: Common & { mnemonic?: string }) => {
    const words = opts.mnemonic ?? (await readPassphrase('the mnemonic'))
    const seed = mnemonicToSeed(words)
    // the highest used index within a gap of GAP_LIMIT unused ones (Rivine's first address is index 25)
    let used = -1
    let scanned = false
    try {
      for (let i = 0; i <= used + GAP_LIMIT; i++) {
        const body = await nodeJson<{
          transactions?: unknown[]
          blocks?: unknown[]
          unconfirmed?: unknown[]
        }>(opts.node, `/explorer/hashes/${deriveKey(seed, i, nodeEd25519).address}?limit=1`)
        if (body.transactions?.length || body.blocks?.length || body.unconfirmed?.length) used = i
      }
      scanned = true
    } catch (err) {
      if (!(err instanceof UsageError)) throw err
    }
    const passphrase = await readPassphrase(opts.wallet)
    const addressCount = Math.max(1, used + 1)
    writeWallet(
      opts.wallet,
      { version: 1, kind: 'blockstake-wallet', keystore: await encryptSeed(seed, passphrase), addressCount },
      false,
    )
    const out = { address: deriveKey(seed, 0, nodeEd25519).address, addresses: addressCount, scanned }
    println(
      opts.json
        ? JSON.stringify(out)
        : `recovered: ${addressCount} address(es) in use${scanned ? '' : ' (node not reachable: no scan)'}`,
    )
  })

  common(wallet.command('address').description('a new address of the wallet')).action(
    async (opts: Common) => {
      const w = readWallet(opts.wallet)
      const seed = await seedOf(w, opts.wallet)
      const address = deriveKey(seed, w.addressCount, nodeEd25519).address
      writeWallet(opts.wallet, { ...w, addressCount: w.addressCount + 1 }, true)
      println(opts.json ? JSON.stringify({ address }) : address)
    },
  )

  common(wallet.command('addresses').description('the addresses in use')).action(async (opts: Common) => {
    const w = readWallet(opts.wallet)
    const list = addressesOf(await seedOf(w, opts.wallet), w.addressCount).map((k) => k.address)
    println(opts.json ? JSON.stringify({ addresses: list }) : list.join('\n'))
  })

  common(
    wallet.command('balance').description('coins and block stakes: unlocked, locked, immature, unconfirmed'),
  ).action(async (opts: Common) => {
    const w = readWallet(opts.wallet)
    const totals = {
      coins: { unlocked: 0n, locked: 0n, immature: 0n, unconfirmed: 0n },
      blockStakes: { unlocked: 0n, locked: 0n },
    }
    for (const k of addressesOf(await seedOf(w, opts.wallet), w.addressCount)) {
      const b = (
        await nodeJson<{
          balance: {
            coins: Record<'unlocked' | 'locked' | 'immature' | 'unconfirmed', string>
            blockStakes: Record<'unlocked' | 'locked', string>
          }
        }>(opts.node, `/addresses/${k.address}/outputs`)
      ).balance
      for (const f of ['unlocked', 'locked', 'immature', 'unconfirmed'] as const)
        totals.coins[f] += BigInt(b.coins[f])
      for (const f of ['unlocked', 'locked'] as const) totals.blockStakes[f] += BigInt(b.blockStakes[f])
    }
    const s = (o: Record<string, bigint>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toString()]))
    const out = { coins: s(totals.coins), blockStakes: s(totals.blockStakes) }
    if (opts.json) println(JSON.stringify(out))
    else
      println(
        `coins: ${out.coins.unlocked} unlocked, ${out.coins.locked} locked, ${out.coins.immature} immature, ${out.coins.unconfirmed} unconfirmed (base units)\nblock stakes: ${out.blockStakes.unlocked} unlocked, ${out.blockStakes.locked} locked`,
      )
  })

  common(
    wallet
      .command('send <amount> <address>')
      .description('send AMOUNT coins (e.g. 12.5) to ADDRESS, fee the chain minimum unless --fee')
      .option('--data <text>', 'arbitrary data (at most the chain limit)')
      .option('--fee <amount>', 'miner fee in coins'),
  ).action(async (amount: string, address: string, opts: Common & { data?: string; fee?: string }) => {
    const to = parseUnlockHash(address, 'ADDRESS')
    if (!/^[0-9,]*\.?[0-9]*$/.test(amount) || !/[1-9]/.test(amount)) {
      throw new UsageError(`AMOUNT must be a positive coin amount like 12.5, got "${amount}"`)
    }
    const w = readWallet(opts.wallet)
    const def = parseChainDefinition(
      (await nodeJson<{ definition: unknown }>(opts.node, '/chain')).definition,
    )
    const precision = precisionOf(def.oneCoin)
    const value = parseCoinString(amount, precision)
    if (value <= 0n) throw new UsageError('AMOUNT must be positive')
    const fee =
      opts.fee === undefined ? def.constants.minimumTransactionFee : parseCoinString(opts.fee, precision)
    const [key, ...moreKeys] = addressesOf(await seedOf(w, opts.wallet), w.addressCount)
    const transactionId = await transfer({
      api: opts.node,
      def: { ...def, constants: { ...def.constants, minimumTransactionFee: fee } },
      key: key!,
      moreKeys,
      to,
      value,
      ...(opts.data !== undefined ? { data: utf8(opts.data) } : {}),
    })
    println(opts.json ? JSON.stringify({ transactionId }) : `sent: transaction ${transactionId}`)
  })
}
