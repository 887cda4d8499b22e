// The block explorer every node serves at `/` of its API (issue #17): hash-routed pages over the node's own
// GET routes, live through /events. Chain data only ever reaches the page as text (dom.ts).
import { nobleBlake2b256 } from '../consensus/crypto/hash.js'
import { toHex } from '../consensus/encoding/hex.js'
import { ApiFailure, find, get, type Json } from './api.js'
import { append, type Child, card, facts, h, link, svg, table } from './dom.js'
import { addressLink, arbitraryData, coins, condition, conditionAddress, date, type Units } from './format.js'

interface Tip {
  height: number
  tipId: string
  timestamp: number
}

const page = document.getElementById('page')!
let units: Units = { precision: 9, unit: 'coins' }
let chain: Json
let tip: Tip = { height: 0, tipId: '', timestamp: 0 }
/** Redraws the current page when a new tip arrives (set by the pages that show live data). */
let onTip: ((t: Tip) => void) | undefined
/** Increases with every navigation: a slow page that lost the race does not draw over the new one. */
let generation = 0

const HASH = /^[0-9a-fA-F]{64}$/
const ADDRESS = /^[0-9a-fA-F]{78}$/
const HEIGHT = /^[0-9]{1,15}$/

function go(hash: string): void {
  location.hash = hash
}

function show(title: string, ...content: Child[]): void {
  page.replaceChildren()
  document.title = `${title} · Blockstake explorer`
  append(page, [h('h1', {}, title), ...content])
}

function notFound(what: string, message: string): void {
  show(
    what,
    h(
      'div',
      { class: 'notfound', id: 'not-found' },
      h('p', {}, message),
      h('p', {}, h('a', { href: '#/' }, 'Back to the overview')),
    ),
  )
}

// ---- overview --------------------------------------------------------------------------------------

/** Rivine's estimate of the block stakes taking part: difficulty (root depth / target) per block time. */
function activeBlockStakes(target: string): string {
  const t = BigInt(`0x${target}`)
  const depth = BigInt(`0x${chain.definition.constants.rootDepth}`)
  if (t === 0n) return '?'
  return (depth / t / BigInt(chain.definition.constants.blockFrequency)).toString()
}

async function overview(gen: number): Promise<void> {
  const [consensus, pool, peers] = await Promise.all([get('/consensus'), get('/txpool'), get('/peers')])
  const from = Math.max(0, consensus.height - 100)
  const heights = Array.from({ length: consensus.height - from + 1 }, (_, i) => from + i)
  const blocks: Json[] = []
  for (let i = 0; i < heights.length; i += 20)
    blocks.push(...(await Promise.all(heights.slice(i, i + 20).map(blockAt))))
  if (gen !== generation) return
  const known = blocks.filter((b) => b)
  const ext = chain.definition.extensions ?? {}
  show(
    'Overview',
    h(
      'div',
      { class: 'cards' },
      card('Height', String(consensus.height), 'tip-height'),
      card('Tip', link('block', consensus.tipId, `${consensus.tipId.slice(0, 16)}…`), 'tip-id'),
      card('Tip time', date(consensus.timestamp)),
      card('Active block stake (estimate)', activeBlockStakes(consensus.target)),
      card('Peers', String(peers.length)),
      card('Pool', `${pool.count} transactions`, 'pool-size'),
      card('Synced', consensus.synced ? 'yes' : 'no'),
      card('Network', `${consensus.chain} / ${consensus.network}`),
    ),
    h('h2', {}, 'Block times, last 100 blocks'),
    blockTimeChart(known),
    h('h2', {}, 'Latest blocks'),
    h(
      'div',
      { id: 'latest-blocks' },
      table(
        ['Height', 'ID', 'Time', 'Transactions', 'Payouts'],
        known
          .slice(-15)
          .reverse()
          .map((b) => [
            link('block', b.height),
            link('block', b.id, `${b.id.slice(0, 24)}…`),
            date(b.block.timestamp),
            String(b.transactionIds.length),
            coins(sum((b.block.minerpayouts ?? []).map((p: Json) => p.value)), units),
          ]),
      ),
    ),
    ext.minting || ext.authcoin ? await authorityConditions(ext) : null,
    pool.count > 0
      ? [
          h('h2', {}, 'Unconfirmed transactions'),
          table(
            ['ID'],
            pool.transactionIds.map((id: string) => [link('tx', id)]),
          ),
        ]
      : null,
  )
  onTip = () => void render()
}

/** Main-chain blocks by height, read once (a reorg empties it). */
const blockCache = new Map<number, Json>()

async function blockAt(height: number): Promise<Json> {
  const cached = blockCache.get(height)
  if (cached) return cached
  const b = await find(`/blocks/${height}`)
  if (b) blockCache.set(height, b)
  if (blockCache.size > 500) blockCache.delete(blockCache.keys().next().value!)
  return b
}

async function authorityConditions(ext: Json): Promise<Child> {
  const rows: [string, Child][] = []
  if (ext.minting)
    rows.push(['Mint condition', condition((await get('/mint/condition')).condition ?? {}, tip)])
  if (ext.authcoin)
    rows.push(['Auth condition', condition((await get('/auth/condition')).condition ?? {}, tip)])
  return [h('h2', {}, 'Authority conditions'), facts(rows)]
}

const sum = (values: string[]): bigint => values.reduce((a, v) => a + BigInt(v), 0n)

function blockTimeChart(blocks: Json[]): HTMLElement {
  const times = blocks.slice(1).map((b, i) => Math.max(0, b.block.timestamp - blocks[i].block.timestamp))
  if (times.length === 0) return h('p', { class: 'muted' }, 'No blocks after genesis yet.')
  const max = Math.max(...times, chain.definition.constants.blockFrequency * 2, 1)
  const w = 1000
  const bw = w / Math.max(times.length, 1)
  const bars = times.map((t, i) => {
    const height = (t / max) * 140
    const r = svg('rect', {
      x: String(i * bw + 1),
      y: String(150 - height),
      width: String(Math.max(bw - 2, 1)),
      height: String(Math.max(height, 1)),
      class: t > chain.definition.constants.blockFrequency * 2 ? 'slow' : '',
    })
    r.appendChild(svg('title', {})).textContent = `block ${blocks[i + 1].height}: ${t} s`
    return r
  })
  const mean = times.reduce((a, b) => a + b, 0) / times.length
  return h(
    'div',
    { class: 'chart', id: 'block-time-chart' },
    svg('svg', { viewBox: `0 0 ${w} 150`, preserveAspectRatio: 'none', role: 'img' }, ...bars),
    h(
      'div',
      { class: 'muted' },
      `${times.length} intervals, mean ${mean.toFixed(1)} s, target ${chain.definition.constants.blockFrequency} s, longest ${Math.max(...times)} s`,
    ),
  )
}

// ---- blocks ------------------------------------------------------------------------------------------

async function blockPage(key: string, gen: number): Promise<void> {
  let b: Json
  if (HEIGHT.test(key)) {
    b = await find(`/blocks/${key}`)
    if (!b)
      return notFound(
        'Block not found',
        `There is no block at height ${key}: the tip is at height ${tip.height}.`,
      )
  } else if (HASH.test(key)) {
    b = await find(`/blocks/id/${key}`)
    if (!b) return notFound('Block not found', `No block has the ID ${key}.`)
  } else return notFound('Not a block', `"${key}" is neither a block height nor a 64-hex block ID.`)
  if (gen !== generation) return
  const blk = b.block
  const p = blk.pobsindexes
  show(
    `Block ${b.height}`,
    facts([
      ['ID', h('span', { class: 'mono' }, b.id)],
      ['Height', String(b.height)],
      ['Main chain', b.mainChain ? 'yes' : h('span', { class: 'tag warn' }, 'no (side chain)')],
      ['Confirmations', b.mainChain ? String(tip.height - b.height + 1) : '0'],
      ['Parent', link('block', blk.parentid)],
      ['Time', date(blk.timestamp)],
      [
        'PoBS output',
        h(
          'span',
          {},
          'block stake output ',
          String(p.OutputIndex),
          ' of transaction ',
          String(p.TransactionIndex),
          ' in block ',
          link('block', p.BlockHeight, String(p.BlockHeight), ''),
        ),
      ],
    ]),
    h('h2', {}, 'Miner payouts'),
    table(
      ['ID', 'Value', 'Address'],
      (blk.minerpayouts ?? []).map((m: Json, i: number) => [
        h('span', { class: 'mono' }, b.minerPayoutIds[i]),
        coins(m.value, units),
        addressLink(m.unlockhash),
      ]),
    ),
    h('h2', {}, `Transactions (${b.transactionIds.length})`),
    table(
      ['#', 'ID', 'Version', 'Coins out', 'Block stakes out'],
      b.transactionIds.map((id: string, i: number) => {
        const t = blk.transactions[i]
        return [
          String(i),
          link('tx', id),
          String(t.version),
          coins(sum((t.data?.coinoutputs ?? []).map((o: Json) => o.value)), units),
          sum((t.data?.blockstakeoutputs ?? []).map((o: Json) => o.value)).toString(),
        ]
      }),
    ),
  )
}

// ---- transactions ---------------------------------------------------------------------------------

async function txPage(id: string, gen: number): Promise<void> {
  if (!HASH.test(id) && !HEIGHT.test(id))
    return notFound('Not a transaction', `"${id}" is not a 64-hex transaction ID.`)
  const t = await find(`/transactions/${id}`)
  if (!t) return notFound('Transaction not found', `No transaction ${id} is in a block or in the pool.`)
  const d = t.transaction.data ?? {}
  const inputs = await Promise.all(
    (d.coininputs ?? []).map(async (i: Json) => {
      const spent = await find(`/outputs/coin/${i.parentid}/spent`)
      return spent ?? (await find(`/outputs/coin/${i.parentid}`))
    }),
  )
  if (gen !== generation) return
  const known = new Set([
    'coininputs',
    'coinoutputs',
    'blockstakeinputs',
    'blockstakeoutputs',
    'minerfees',
    'arbitrarydata',
  ])
  const other = Object.entries(d).filter(([k]) => !known.has(k))
  const outputRows = (list: Json[], ids: string[], amount: (v: string) => string) =>
    list.map((o, i) => [
      h('span', { class: 'mono' }, ids[i] ?? ''),
      amount(o.value),
      condition(o.condition, tip),
    ])
  show(
    'Transaction',
    facts([
      ['ID', h('span', { class: 'mono', id: 'tx-id' }, t.id)],
      [
        'Status',
        t.unconfirmed
          ? h('span', { class: 'tag warn' }, 'unconfirmed (in the pool)')
          : h(
              'span',
              {},
              `${tip.height - t.height + 1} confirmations, in block `,
              link('block', t.height, String(t.height), ''),
              ` (#${t.index})`,
            ),
      ],
      ['Version', String(t.transaction.version)],
      ['Miner fees', (d.minerfees ?? []).map((f: string) => coins(f, units)).join(', ') || 'none'],
      ['Arbitrary data', arbitraryData(d.arbitrarydata)],
    ]),
    d.coininputs?.length
      ? [
          h('h2', {}, 'Coin inputs'),
          table(
            ['Spends output', 'Value', 'From'],
            d.coininputs.map((i: Json, n: number) => {
              const o = inputs[n]
              return [
                h('span', { class: 'mono' }, i.parentid),
                o ? coins(o.value, units) : '?',
                o ? condition(o.condition, tip) : h('span', { class: 'muted' }, 'unknown output'),
              ]
            }),
          ),
        ]
      : null,
    d.coinoutputs?.length
      ? [
          h('h2', {}, 'Coin outputs'),
          table(
            ['ID', 'Value', 'Condition'],
            outputRows(d.coinoutputs, t.coinOutputIds, (v) => coins(v, units)),
          ),
        ]
      : null,
    d.blockstakeinputs?.length
      ? [
          h('h2', {}, 'Block stake inputs'),
          table(
            ['Spends output'],
            d.blockstakeinputs.map((i: Json) => [h('span', { class: 'mono' }, i.parentid)]),
          ),
        ]
      : null,
    d.blockstakeoutputs?.length
      ? [
          h('h2', {}, 'Block stake outputs'),
          table(
            ['ID', 'Block stakes', 'Condition'],
            outputRows(d.blockstakeoutputs, t.blockStakeOutputIds, (v) => v),
          ),
        ]
      : null,
    other.length
      ? [
          h('h2', {}, `Version ${t.transaction.version} fields`),
          facts(other.map(([k, v]) => [k, fieldValue(v)])),
        ]
      : null,
  )
}

/** An extension field: a condition when it looks like one, else its JSON as text. */
function fieldValue(v: unknown): Child {
  if (
    v &&
    typeof v === 'object' &&
    'type' in v &&
    typeof (v as Json).type === 'number' &&
    conditionAddress(v)
  )
    return condition(v, tip)
  return h('pre', { class: 'data' }, JSON.stringify(v, null, 1))
}

// ---- addresses ----------------------------------------------------------------------------------------

async function addressPage(address: string, gen: number): Promise<void> {
  if (!ADDRESS.test(address))
    return notFound('Not an address', `"${address}" is not an address: addresses are 78 hex characters.`)
  let outputs: Json
  let history: Json
  try {
    ;[outputs, history] = await Promise.all([
      get(`/addresses/${address}/outputs`),
      get(`/explorer/hashes/${address}`),
    ])
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 400) return notFound('Not an address', err.message)
    throw err
  }
  const auth = chain.definition.extensions?.authcoin ? await find(`/auth/status/${address}`) : undefined
  // the multisig wallets the address is a member of (an older node without the route: none shown)
  const multisig = await find(`/addresses/${address}/multisig`)
  if (gen !== generation) return
  const c = outputs.balance.coins
  const bs = outputs.balance.blockStakes
  show(
    'Address',
    facts([
      ['Address', h('span', { class: 'mono', id: 'address' }, outputs.address)],
      ['Unlocked', h('span', { id: 'balance-unlocked' }, coins(c.unlocked, units))],
      ['Locked', coins(c.locked, units)],
      ['Immature payouts', coins(c.immature, units)],
      ['Unconfirmed', coins(c.unconfirmed, units)],
      ['Block stakes', `${bs.unlocked} unlocked, ${bs.locked} locked, ${bs.unconfirmed} unconfirmed`],
      auth && [
        'Authorized',
        h(
          'span',
          { class: auth.authorized ? 'tag ok' : 'tag warn', id: 'authorized' },
          // `since` is null when no address update set the status: the chain's default applies
          `${auth.authorized ? 'yes' : 'no'}${auth.since === null ? " (the chain's default)" : `, since height ${auth.since}`}`,
        ),
      ],
      outputs.more && [
        'Note',
        'the address has more history than one answer holds; older outputs may be missing',
      ],
    ]),
    multisig?.wallets.length
      ? [
          h('h2', {}, 'Multisig wallets it belongs to'),
          h(
            'div',
            { id: 'multisig-wallets' },
            table(
              ['Wallet', 'Signatures', 'Members'],
              multisig.wallets.map((w: Json) => [
                addressLink(w.address),
                `${w.condition.data.minimumsignaturecount} of ${w.condition.data.unlockhashes.length}`,
                h(
                  'ul',
                  { class: 'cond' },
                  ...w.condition.data.unlockhashes.map((m: string) => h('li', {}, addressLink(m))),
                ),
              ]),
            ),
          ),
          multisig.more ? h('p', { class: 'muted' }, 'and more (the node lists the first 1000)') : null,
        ]
      : null,
    h('h2', {}, 'Transactions'),
    table(
      ['ID', 'Block', 'Status'],
      [
        ...history.unconfirmed.map((t: Json) => [
          link('tx', t.id),
          '',
          h('span', { class: 'tag warn' }, 'unconfirmed'),
        ]),
        ...history.transactions.map((t: Json) => [
          link('tx', t.id),
          link('block', t.height, String(t.height), ''),
          `${tip.height - t.height + 1} confirmations`,
        ]),
      ],
    ),
    history.blocks.length
      ? [
          h('h2', {}, 'Blocks created (miner payouts)'),
          table(
            ['Block', 'Payouts'],
            history.blocks.map((b: Json) => [
              link('block', b.height, String(b.height), ''),
              b.minerPayouts.map((p: Json) => coins(p.value, units)).join(', '),
            ]),
          ),
        ]
      : null,
    h('h2', {}, 'Unspent outputs'),
    table(
      ['ID', 'Value', 'Condition', 'State'],
      [
        ...outputs.coinOutputs.map((o: Json) => ['coins', o]),
        ...outputs.blockStakeOutputs.map((o: Json) => ['block stakes', o]),
      ].map(([kind, o]) => [
        h('span', { class: 'mono' }, o.id),
        kind === 'coins' ? coins(o.value, units) : `${o.value} block stakes`,
        condition(o.condition, tip),
        o.unconfirmedSpender
          ? h('span', {}, 'being spent by ', link('tx', o.unconfirmedSpender))
          : o.maturityHeight
            ? `matures at height ${o.maturityHeight}`
            : o.locked
              ? 'locked'
              : o.unconfirmed
                ? 'unconfirmed'
                : 'spendable',
      ]),
    ),
  )
  onTip = () => void render()
}

// ---- notary ---------------------------------------------------------------------------------------

async function notaryPage(hash: string | undefined, gen: number): Promise<void> {
  const input = h('input', {
    id: 'notary-hash',
    placeholder: 'blake2b-256 of a document (64 hex)',
    value: hash ?? '',
  }) as HTMLInputElement
  const drop = h(
    'div',
    { class: 'drop', id: 'notary-drop' },
    'Drop a file here (or ',
    h('label', {}, h('input', { type: 'file', id: 'notary-file' }), ''),
    ') — it is hashed in this browser, never sent.',
  )
  const result = h('div', { id: 'notary-result' })
  const form = h('form', { class: 'row' }, input, h('button', { type: 'submit' }, 'Look up'))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    location.hash = `#/notary/${encodeURIComponent(input.value.trim())}`
  })
  const hashFile = async (f: File) => {
    result.replaceChildren(h('p', {}, `hashing ${f.name} (${f.size} bytes)…`))
    const digest = toHex(nobleBlake2b256(new Uint8Array(await f.arrayBuffer())))
    location.hash = `#/notary/${digest}`
  }
  drop.addEventListener('dragover', (e) => {
    e.preventDefault()
    drop.classList.add('over')
  })
  drop.addEventListener('dragleave', () => drop.classList.remove('over'))
  drop.addEventListener('drop', (e) => {
    e.preventDefault()
    drop.classList.remove('over')
    const f = e.dataTransfer?.files[0]
    if (f) void hashFile(f)
  })
  drop.querySelector('input')!.addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0]
    if (f) void hashFile(f)
  })
  show(
    'Notary',
    h('p', {}, 'Is a document registered on the chain? Give its blake2b-256 hash or drop the file.'),
    form,
    drop,
    result,
  )
  if (!hash) return
  if (!HASH.test(hash))
    return void result.replaceChildren(h('div', { class: 'notfound' }, `"${hash}" is not a 64-hex hash.`))
  let answer: Json
  try {
    answer = await get(`/notary/${hash}`)
  } catch (err) {
    if (gen !== generation) return
    if (err instanceof ApiFailure && err.status < 500)
      return void result.replaceChildren(h('div', { class: 'notfound', id: 'not-found' }, err.message))
    throw err
  }
  if (gen !== generation) return
  result.replaceChildren(
    h('h2', {}, `Registrations of ${answer.hash}`),
    table(
      ['Transaction', 'Block', 'Time'],
      answer.registrations.map((r: Json) => [
        link('tx', r.transactionId),
        link('block', r.height, String(r.height), ''),
        date(r.timestamp),
      ]),
    ),
  )
}

// ---- capacity -------------------------------------------------------------------------------------

async function capacityPage(node: string | undefined, gen: number): Promise<void> {
  if (!chain.definition.extensions?.capacity)
    return notFound('No capacity', 'This chain does not run the capacity extension.')
  if (node) {
    let n: Json
    let r: Json
    try {
      ;[n, r] = await Promise.all([
        get(`/capacity/nodes/${encodeURIComponent(node)}`),
        get(`/capacity/reservations?node=${encodeURIComponent(node)}`),
      ])
    } catch (err) {
      if (err instanceof ApiFailure && err.status < 500) return notFound('Node not found', err.message)
      throw err
    }
    if (gen !== generation) return
    const res = (x: Json) => `cru ${x.cru}, mru ${x.mru}, sru ${x.sru}, hru ${x.hru}`
    return show(
      `Capacity node ${n.nodeId}`,
      facts([
        ['Farmer', addressLink(n.farmer)],
        ['Registered', res(n.registered)],
        ['Reserved', res(n.reserved)],
        ['Free', res(n.free)],
        [
          'Prices',
          `cru ${coins(n.prices.cru, units)}, mru ${coins(n.prices.mru, units)}, sru ${coins(n.prices.sru, units)}, hru ${coins(n.prices.hru, units)}`,
        ],
      ]),
      h('h2', {}, 'Reservations'),
      table(
        ['ID', 'Owner', 'Resources', 'Hours', 'Price', 'Ends', 'Status'],
        r.reservations.map((x: Json) => [
          link('tx', x.id),
          addressLink(String(x.owner)),
          res(x.resources),
          String(x.hours),
          coins(x.price, units),
          date(x.end),
          x.expired
            ? h('span', { class: 'tag warn' }, 'expired')
            : h('span', { class: 'tag ok' }, `running, ${Math.ceil(x.secondsLeft / 3600)} h left`),
        ]),
      ),
    )
  }
  const list = await get('/capacity/nodes')
  if (gen !== generation) return
  show(
    'Capacity',
    h('p', {}, `${list.total} registered nodes`),
    table(
      ['Node', 'Farmer', 'Free (cru/mru/sru/hru)'],
      list.nodes
        .filter((n: Json) => n)
        .map((n: Json) => [
          link('capacity', n.nodeId, n.nodeId, ''),
          addressLink(n.farmer),
          `${n.free.cru} / ${n.free.mru} / ${n.free.sru} / ${n.free.hru}`,
        ]),
    ),
  )
}

// ---- search -------------------------------------------------------------------------------------------

async function search(q: string, gen: number): Promise<void> {
  const s = q.trim()
  if (HEIGHT.test(s)) return go(`#/block/${s}`)
  if (ADDRESS.test(s)) return go(`#/address/${s.toLowerCase()}`)
  if (!HASH.test(s))
    return notFound('Nothing found', `"${s}" is not a block height, a 64-hex ID or a 78-hex address.`)
  const found = await find(`/explorer/hashes/${s.toLowerCase()}`)
  if (gen !== generation) return
  if (!found) {
    const notary = await find(`/notary/${s.toLowerCase()}`)
    if (notary) return go(`#/notary/${s.toLowerCase()}`)
    return notFound('Nothing found', `${s} is no known block, transaction, unspent output or notarized hash.`)
  }
  switch (found.hashtype) {
    case 'blockid':
      return go(`#/block/${found.block.id}`)
    case 'transactionid':
      return go(`#/tx/${found.transaction.id}`)
    default:
      return show(
        found.hashtype === 'coinoutputid' ? 'Coin output' : 'Block stake output',
        facts([
          ['ID', h('span', { class: 'mono' }, found.output.id)],
          [
            'Value',
            found.hashtype === 'coinoutputid' ? coins(found.output.value, units) : found.output.value,
          ],
          ['Condition', condition(found.output.condition, tip)],
          found.output.transactionId && ['Created by', link('tx', found.output.transactionId)],
        ]),
      )
  }
}

// ---- routing and live updates -----------------------------------------------------------------------

async function render(): Promise<void> {
  const gen = ++generation
  onTip = undefined
  const [, kind = '', ...rest] = location.hash.replace(/^#/, '').split('/')
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined
  try {
    switch (kind) {
      case '':
        return await overview(gen)
      case 'block':
        return await blockPage(arg ?? '', gen)
      case 'tx':
        return await txPage(arg ?? '', gen)
      case 'address':
        return await addressPage(arg ?? '', gen)
      case 'notary':
        return await notaryPage(arg, gen)
      case 'capacity':
        return await capacityPage(arg, gen)
      case 'search':
        return await search(arg ?? '', gen)
      default:
        return notFound('Page not found', `There is no page "${location.hash}".`)
    }
  } catch (err) {
    if (gen !== generation) return
    notFound('Something went wrong', err instanceof Error ? err.message : String(err))
  }
}

function live(): void {
  const badge = document.getElementById('live')!
  const events = new EventSource('/events')
  events.addEventListener('open', () => {
    badge.textContent = '● live'
    badge.className = 'on'
  })
  events.addEventListener('error', () => {
    badge.textContent = '○ reconnecting'
    badge.className = ''
  })
  events.addEventListener('reorg', () => blockCache.clear())
  events.addEventListener('tip', (e) => {
    let next: Tip
    try {
      next = JSON.parse((e as MessageEvent).data)
    } catch {
      return
    }
    if (next.tipId === tip.tipId) return
    tip = next
    badge.textContent = `● live, height ${tip.height}`
    onTip?.(tip)
  })
}

async function start(): Promise<void> {
  chain = await get('/chain')
  units = {
    precision: Number(chain.definition.precision ?? 9),
    unit: String(chain.definition.coinUnit ?? 'coins'),
  }
  const c = await get('/consensus')
  tip = { height: c.height, tipId: c.tipId, timestamp: c.timestamp }
  document.getElementById('chain-name')!.textContent =
    `${chain.definition.name} (${chain.definition.network})`
  if (chain.definition.extensions?.capacity) document.getElementById('nav-capacity')!.hidden = false
  document.getElementById('search')!.addEventListener('submit', (e) => {
    e.preventDefault()
    const input = document.getElementById('search-input') as HTMLInputElement
    const q = input.value.trim()
    if (!q) return
    input.value = ''
    location.hash = `#/search/${encodeURIComponent(q)}`
  })
  window.addEventListener('hashchange', () => {
    // the old page goes at once: nothing of it can pass for the answer of the new one
    page.replaceChildren(h('p', { class: 'muted' }, 'Loading…'))
    void render()
  })
  live()
  await render()
}

start().catch((err) => notFound('The node does not answer', err instanceof Error ? err.message : String(err)))
