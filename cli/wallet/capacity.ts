// `wallet capacity register|list`, `wallet reserve` and `wallet reservations` (DESIGN §4,
// docs/capacity.md): registering a grid node (224) and reserving capacity on one (225), paid from the
// wallet's coins; `--out FILE` writes the transaction file for offline signing (`wallet tx sign`, `tx send`).
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { toHex } from '../../consensus/encoding/hex.js'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { capacityExtension } from '../../consensus/extensions/capacity/extension.js'
import {
  nodeIdError,
  type Prices,
  RESOURCES,
  type Resource,
  type Resources,
  reservationPrice,
} from '../../consensus/extensions/capacity/types.js'
import { extensionParams } from '../../consensus/extensions/catalog.js'
import { conditionFromJson, unlockHashCondition } from '../../consensus/types/conditions.js'
import {
  CoinStringError,
  type Currency,
  formatCoinString,
  parseCoinString,
} from '../../consensus/types/currency.js'
import { parseUnlockHash } from '../../consensus/types/unlockhash.js'
import { NodeClient, NodeClientError } from '../../wallet/client/node-api.js'
import type { PublicWalletKey } from '../../wallet/keys/public.js'
import { buildCapacityRegistration, buildCapacityReservation } from '../../wallet/tx/capacity.js'
import type { TransactionFile } from '../../wallet/tx/file.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { checkOut, extensionFees } from './authority.js'
import {
  type CommonOptions,
  missingSignatures,
  reportFile,
  withCommonOptions,
  writeTransactionFile,
} from './common.js'
import {
  changeFor,
  explainShortfall,
  gatherSpendable,
  recipientCondition,
  signTransactionFile,
} from './spend.js'
import { OpenWallet } from './store.js'

const U32_MAX = 2 ** 32 - 1

/** A node's state as `GET /capacity/nodes/:id` gives it. */
interface NodeJson {
  nodeId: string
  farmer: string
  registered: Resources
  reserved: Resources
  free: Resources
  prices: Record<Resource, string>
  payout: string
  payoutCondition: unknown
}

/** The most reservations `wallet reservations` reads per address. */
const MAX_LISTED = 10_000

interface ReservationJson {
  id: string
  nodeId: string
  owner: string
  resources: Resources
  hours: number
  price: string
  start: number
  end: number
  expired: boolean
  secondsLeft: number
}

type ResourceOptions = { [R in Resource]?: string }

interface TxOptions extends CommonOptions, ResourceOptions {
  fee?: string
  out?: string
}

function withResourceOptions(c: Command): Command {
  return c
    .option('--cru <n>', 'CPU cores', '0')
    .option('--mru <n>', 'memory, GiB', '0')
    .option('--sru <n>', 'SSD storage, GiB', '0')
    .option('--hru <n>', 'HDD storage, GiB', '0')
}

function withTxOptions(c: Command): Command {
  return c
    .option('--fee <amount>', 'miner fee in coins (default and minimum: the chain minimum)')
    .option(
      '--out <file>',
      'write the transaction file instead of sending it (to sign offline: "wallet tx sign")',
    )
}

/** A whole number 0 … 2^32−1, naming the option. */
function parseCount(text: string | undefined, option: string): number {
  const s = (text ?? '0').trim()
  if (!/^[0-9]+$/.test(s))
    throw new UserError(`${option} must be a whole number from 0 to ${U32_MAX}, got "${text}"`)
  const n = Number(s)
  if (n > U32_MAX) throw new UserError(`${option} must be at most ${U32_MAX}, got ${s}`)
  return n
}

function parseResources(opts: ResourceOptions): Resources {
  const out: Record<string, number> = {}
  for (const k of RESOURCES) out[k] = parseCount(opts[k], `--${k}`)
  return out as Resources
}

/** A price in coins per unit-hour (0 allowed), to base units. */
function parsePrice(text: string | undefined, option: string, precision: number): Currency {
  const s = (text ?? '0').trim()
  if (s.startsWith('-')) throw new UserError(`${option} cannot be negative, got "${text}"`)
  try {
    return parseCoinString(s, precision)
  } catch (err) {
    if (err instanceof CoinStringError) throw new UserError(`${option}: ${err.message}`)
    throw err
  }
}

function parseNodeId(text: string): string {
  const err = nodeIdError(text)
  if (err) throw new UserError(`NODEID: ${err}`)
  return text
}

const showResources = (r: Resources): string => RESOURCES.map((k) => `${k} ${r[k]}`).join(', ')

function capacityOf(client: NodeClient) {
  const p = extensionParams(client.def, capacityExtension)
  if (!p)
    throw new UserError(
      `the chain "${client.def.name}" (network ${client.def.network}) has no grid capacity: it enables no "capacity" extension`,
    )
  return p
}

/** The node's state, or `undefined` when no node has that ID. */
async function fetchNode(client: NodeClient, nodeId: string): Promise<NodeJson | undefined> {
  try {
    return await client.query<NodeJson>(`/capacity/nodes/${nodeId}`)
  } catch (err) {
    if (err instanceof NodeClientError && / 404 /.test(err.message)) return undefined
    throw err
  }
}

/** A wallet key by address (default: the wallet's first address), for the farmer or the owner. */
async function walletKey(
  w: OpenWallet,
  address: string | undefined,
  option: string,
): Promise<PublicWalletKey> {
  const keys = await w.addresses()
  if (address === undefined) {
    const first = keys[0]
    if (!first) throw new UserError(`the wallet ${w.path} has no address yet`)
    return first
  }
  const key = keys.find((k) => k.address === address.trim())
  if (!key) throw new UserError(`${option}: ${address} is not an address of the wallet ${w.path}`)
  return key
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UserError('add --yes to confirm (there is no terminal to ask on)')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve))
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

/** Signs (or writes with --out) and sends a capacity transaction; returns its ID, or undefined when written. */
async function finish(
  w: OpenWallet,
  client: NodeClient,
  unsigned: TransactionFile,
  opts: TxOptions,
  changeKeyUsed: boolean,
): Promise<string | undefined> {
  const mine = new Set(w.file.keys.map((k) => k.address))
  if (changeKeyUsed) await w.takeNextKey()
  if (opts.out !== undefined) {
    let file = unsigned
    let signed = 0
    if (!w.watchOnly) ({ file, signed } = await signTransactionFile(w, unsigned, client.registry))
    writeTransactionFile(opts.out, file, client.registry)
    w.save()
    reportFile(file, opts.out, client.precision, mine, opts.json, { signed }, 'signature(s) added')
    return undefined
  }
  if (w.watchOnly)
    throw new UserError(
      `${w.path} is a watch-only wallet: write the transaction with --out FILE and sign it with "wallet tx sign" where the seed is`,
    )
  const { file } = await signTransactionFile(w, unsigned, client.registry)
  const missing = missingSignatures(file)
  if (missing) throw new UserError(`this wallet cannot sign alone: ${missing}`)
  const transactionId = await client.submit(file.transaction)
  w.save()
  return transactionId
}

export function registerCapacityCommands(wallet: Command): void {
  const capacity = wallet
    .command('capacity')
    .description('grid capacity: register nodes and list them (chains with the capacity extension)')

  withTxOptions(
    withResourceOptions(
      withCommonOptions(
        capacity
          .command('register <nodeid>')
          .description(
            'register grid node NODEID (or update it, as its farmer): its resources, prices in coins per unit-hour and payout address',
          ),
      ),
    )
      .option('--price-cru <coins>', 'price of one core for one hour', '0')
      .option('--price-mru <coins>', 'price of one GiB of memory for one hour', '0')
      .option('--price-sru <coins>', 'price of one GiB of SSD for one hour', '0')
      .option('--price-hru <coins>', 'price of one GiB of HDD for one hour', '0')
      .requiredOption('--payout <address>', 'where reservations pay')
      .option(
        '--farmer <address>',
        "the wallet address whose key is the node's farmer key (default: the first)",
      ),
  ).action(
    async (
      nodeIdText: string,
      opts: TxOptions & {
        priceCru?: string
        priceMru?: string
        priceSru?: string
        priceHru?: string
        payout: string
        farmer?: string
      },
    ) => {
      const nodeId = parseNodeId(nodeIdText)
      const resources = parseResources(opts)
      checkOut(opts)
      const w = OpenWallet.open(opts.wallet)
      const payout = recipientCondition(opts.payout, w, '--payout')
      const client = await NodeClient.connect(opts.node, w)
      const p = capacityOf(client)
      const prices: Prices = {
        cru: parsePrice(opts.priceCru, '--price-cru', client.precision),
        mru: parsePrice(opts.priceMru, '--price-mru', client.precision),
        sru: parsePrice(opts.priceSru, '--price-sru', client.precision),
        hru: parsePrice(opts.priceHru, '--price-hru', client.precision),
      }
      const farmer = await walletKey(w, opts.farmer, '--farmer')
      const existing = await fetchNode(client, nodeId)
      if (existing) {
        if (existing.farmer !== farmer.address)
          throw new UserError(
            `node "${nodeId}" is registered by farmer ${existing.farmer}: only that key may update it`,
          )
        const short = RESOURCES.find((k) => resources[k] < existing.reserved[k])
        if (short)
          throw new UserError(
            `--${short}: node "${nodeId}" has ${existing.reserved[short]} ${short} reserved now; it cannot drop to ${resources[short]}`,
          )
      }
      const [fee] = extensionFees(client, true, opts.fee)
      const { coins, spent, held } = await gatherSpendable(client, w)
      const change = await changeFor(client, w, coins)
      let tx: ReturnType<typeof buildCapacityRegistration>
      try {
        tx = buildCapacityRegistration({
          version: p.registrationVersion,
          nodeId,
          resources,
          prices,
          payout,
          farmerKey: farmer.publicKey,
          available: coins,
          fee: fee!,
          change: change.condition,
        })
      } catch (err) {
        throw explainShortfall(err, held, client.precision)
      }
      const unsigned: TransactionFile = {
        chain: client.chain,
        transaction: tx,
        spent: { coinInputs: tx.coinInputs.map((i) => spent.get(toHex(i.parentId))!), blockStakeInputs: [] },
      }
      const usesChange =
        change.key !== undefined && tx.coinOutputs.some((o) => o.condition === change.condition)
      const transactionId = await finish(w, client, unsigned, opts, usesChange)
      if (transactionId === undefined) return
      if (opts.json) println(stringifyJson({ transactionId }))
      else
        println(
          `${existing ? 'updated' : 'registered'} node "${nodeId}" (${showResources(resources)}): transaction ${transactionId}`,
        )
    },
  )

  withCommonOptions(
    capacity.command('list').description('the registered nodes: capacity, free now, prices'),
  ).action(async (opts: CommonOptions) => {
    const client = await NodeClient.connect(opts.node)
    capacityOf(client)
    const body = await client.query<{ total: number; nodes: NodeJson[] }>('/capacity/nodes')
    if (opts.json) {
      println(JSON.stringify(body))
      return
    }
    if (body.nodes.length === 0) println('no nodes registered')
    for (const n of body.nodes) {
      const prices = RESOURCES.map((k) => `${k} ${formatCoinString(BigInt(n.prices[k]), client.precision)}`)
      println(`${n.nodeId}  farmer ${n.farmer}`)
      println(`  registered ${showResources(n.registered)}`)
      println(`  free now   ${showResources(n.free)}`)
      println(`  prices per unit-hour: ${prices.join(', ')}`)
    }
  })

  withTxOptions(
    withResourceOptions(
      withCommonOptions(
        wallet
          .command('reserve <nodeid>')
          .description('reserve capacity on grid node NODEID for whole hours, paying its farmer exactly'),
      ),
    )
      .requiredOption('--hours <n>', 'how long, in hours')
      .option('--owner <address>', 'the wallet address the reservation belongs to (default: the first)')
      .option('--yes', 'do not ask to confirm the price'),
  ).action(async (nodeIdText: string, opts: TxOptions & { hours: string; owner?: string; yes?: boolean }) => {
    const nodeId = parseNodeId(nodeIdText)
    const resources = parseResources(opts)
    if (RESOURCES.every((k) => resources[k] === 0))
      throw new UserError('give the resources to reserve: --cru, --mru, --sru and/or --hru')
    const hours = parseCount(opts.hours, '--hours')
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    const p = capacityOf(client)
    if (hours < 1 || hours > p.maxReservationHours)
      throw new UserError(`--hours must be from 1 to ${p.maxReservationHours}, got ${hours}`)
    const node = await fetchNode(client, nodeId)
    if (!node) throw new UserError(`NODEID: no node "${nodeId}" is registered on this chain`)
    const short = RESOURCES.find((k) => resources[k] > node.free[k])
    if (short)
      throw new UserError(
        `node "${nodeId}" has ${node.free[short]} ${short} free, ${resources[short]} asked (free: ${showResources(node.free)})`,
      )
    const prices: Prices = {
      cru: BigInt(node.prices.cru),
      mru: BigInt(node.prices.mru),
      sru: BigInt(node.prices.sru),
      hru: BigInt(node.prices.hru),
    }
    const price = reservationPrice(resources, prices, hours)
    const owner = await walletKey(w, opts.owner, '--owner')
    const [fee] = extensionFees(client, true, opts.fee)
    if (!opts.yes && !opts.json) {
      const text = `reserve ${showResources(resources)} on "${nodeId}" for ${hours} h: ${formatCoinString(price, client.precision)} coins to ${node.payout}, plus a fee of ${formatCoinString(fee!, client.precision)}?`
      if (!(await confirm(text))) throw new UserError('not confirmed: nothing was sent')
    } else if (!opts.yes) throw new UserError('add --yes to confirm the price with --json')
    const { coins, spent, held } = await gatherSpendable(client, w)
    const change = await changeFor(client, w, coins)
    let tx: ReturnType<typeof buildCapacityReservation>
    try {
      tx = buildCapacityReservation({
        version: p.reservationVersion,
        nodeId,
        resources,
        hours,
        price,
        payout: conditionFromJson(node.payoutCondition, 'payoutCondition'),
        owner: unlockHashCondition(parseUnlockHash(owner.address)),
        available: coins,
        fee: fee!,
        change: change.condition,
      })
    } catch (err) {
      throw explainShortfall(err, held, client.precision)
    }
    const unsigned: TransactionFile = {
      chain: client.chain,
      transaction: tx,
      spent: { coinInputs: tx.coinInputs.map((i) => spent.get(toHex(i.parentId))!), blockStakeInputs: [] },
    }
    const usesChange =
      change.key !== undefined && tx.coinOutputs.some((o) => o.condition === change.condition)
    const transactionId = await finish(w, client, unsigned, opts, usesChange)
    if (transactionId === undefined) return
    if (opts.json) println(stringifyJson({ transactionId, price: price.toString() }))
    else
      println(
        `reserved ${showResources(resources)} on "${nodeId}" for ${hours} h, paid ${formatCoinString(price, client.precision)} coins: reservation ${transactionId}`,
      )
  })

  withCommonOptions(
    wallet.command('reservations').description("the wallet's capacity reservations, with their expiry"),
  ).action(async (opts: CommonOptions) => {
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    capacityOf(client)
    const all: ReservationJson[] = []
    let skipped = 0
    for (const k of await w.addresses()) {
      // paged by the node, oldest first; anyone can name any address as an owner, so only the newest
      // MAX_LISTED of an address are read
      let first = true
      for (let offset = 0; ; ) {
        const body = await client.query<{ total: number; reservations: ReservationJson[] }>(
          `/capacity/reservations?owner=${k.address}&offset=${offset}`,
        )
        if (first && body.total > MAX_LISTED) {
          skipped += body.total - MAX_LISTED
          offset = body.total - MAX_LISTED
          first = false
          continue
        }
        first = false
        all.push(...body.reservations)
        offset += body.reservations.length
        if (body.reservations.length === 0 || offset >= body.total) break
      }
    }
    all.sort((a, b) => a.start - b.start)
    if (opts.json) {
      println(JSON.stringify({ reservations: all, ...(skipped ? { notListed: skipped } : {}) }))
      return
    }
    if (skipped > 0)
      println(`${skipped} older reservations not listed (the newest ${MAX_LISTED} per address are)`)
    if (all.length === 0) println('no reservations')
    for (const r of all) {
      const left = r.expired
        ? 'expired'
        : `${Math.floor(r.secondsLeft / 3600)} h ${Math.floor((r.secondsLeft % 3600) / 60)} min left`
      println(
        `${r.id}  ${r.nodeId}  ${showResources(r.resources)}  ${r.hours} h  ${formatCoinString(BigInt(r.price), client.precision)} coins  ends ${new Date(r.end * 1000).toISOString()} (${left})`,
      )
    }
  })
}
