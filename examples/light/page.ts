// The example page's script (bundled for the browser by serve.ts): a light client against the nodes this page
// is served with, showing the verified tip, an address's proven balance and its verified payments. With
// `?tx=ID` it also verifies that transaction; it posts what it verified to `/result` (the browser test reads it).
import { parseChainDefinition } from '../../consensus/params/chain.js'
import { formatCoinString, precisionOf } from '../../consensus/types/currency.js'
import { createLightClient, type LightClient } from '../../light/index.js'

// the few DOM globals used (the project's typings have no DOM library)
interface Element {
  textContent: string | null
  append(child: Element): void
  prepend(child: Element): void
}
const { document, location } = globalThis as unknown as {
  readonly document: { getElementById(id: string): Element | null; createElement(tag: string): Element }
  readonly location: { readonly search: string; readonly origin: string }
}
const $ = (id: string): Element => document.getElementById(id)!

async function main(): Promise<Record<string, unknown>> {
  const params = new URLSearchParams(location.search)
  const setup = (await (await fetch('/setup.json')).json()) as { chain: unknown; address: string }
  // the chain definition is the app's own (served with the page), never taken from a node
  const chain = parseChainDefinition(setup.chain)
  const coins = (v: bigint) => formatCoinString(v, precisionOf(chain.oneCoin))
  const address = params.get('address') ?? setup.address
  $('status').textContent = 'verifying headers…'
  const client: LightClient = await createLightClient({ nodes: [`${location.origin}/node`], chain })
  const show = async () => {
    const tip = client.tip()
    $('tip').textContent = `${tip.height} ${tip.id.slice(0, 16)}…`
    const balance = await client.getBalance(address)
    $('balance').textContent =
      `${coins(balance.coins.proven)} (proven) + ${coins(balance.coins.unproven)} (unproven: payouts)`
    return balance
  }
  $('address').textContent = address
  const balance = await show()
  const payments = (await client.getTransactions(address, 20)).filter((t) => t.paysTo)
  const list = $('payments')
  for (const p of payments) {
    const li = document.createElement('li')
    li.textContent = `✔ ${p.transactionId.slice(0, 16)}… in block ${p.height} (${p.confirmations} confirmations)`
    list.append(li)
  }
  client.on('payment', ({ transaction: p }) => {
    const li = document.createElement('li')
    li.textContent = `✔ new: ${p.transactionId.slice(0, 16)}… in block ${p.height}`
    list.prepend(li)
  })
  client.on('tip', () => void show().catch(() => undefined))
  await client.watchAddress(address)
  client.watch(2000)
  $('status').textContent = `verified (${client.signatures} signatures)`
  const txId = params.get('tx')
  const tx = txId ? await client.verifyTransaction(txId) : undefined
  return {
    tip: client.tip(),
    signatures: client.signatures,
    balance: {
      proven: balance.coins.proven.toString(),
      unproven: balance.coins.unproven.toString(),
      outputs: balance.outputs.length,
    },
    payments: payments.length,
    ...(tx
      ? {
          tx: {
            id: tx.transactionId,
            height: tx.height,
            blockId: tx.blockId,
            confirmations: tx.confirmations,
          },
        }
      : {}),
  }
}

const report = (body: unknown) =>
  fetch('/result', { method: 'POST', body: JSON.stringify(body) }).catch(() => undefined)
main().then(
  (r) => report({ ok: true, ...r }),
  (err: unknown) => {
    $('status').textContent = `refused: ${(err as Error).message}`
    return report({ ok: false, error: String((err as Error)?.message ?? err) })
  },
)
