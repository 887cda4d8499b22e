// How chain values read: amounts in coins (bigint, never floating point), dates, conditions and arbitrary data.

import { toHex } from '../consensus/encoding/hex.js'
import { fromBase64 } from '../consensus/encoding/json.js'
import { conditionFromJson, conditionUnlockHash } from '../consensus/types/conditions.js'
import { unlockHashToString } from '../consensus/types/unlockhash.js'
import type { Json } from './api.js'
import { type Child, h, link } from './dom.js'

export interface Units {
  readonly precision: number
  readonly unit: string
}

/** A decimal amount in the smallest unit as coins, e.g. `1234500000` → `1.2345 TFT`. */
export function coins(value: string | bigint, u: Units): string {
  const v = BigInt(value)
  const one = 10n ** BigInt(u.precision)
  const whole = v / one
  const frac = (v % one).toString().padStart(u.precision, '0').replace(/0+$/, '')
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${grouped}${frac ? `.${frac}` : ''} ${u.unit}`
}

export const date = (unix: number | string | bigint): string =>
  new Date(Number(unix) * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC')

/** Below this a lock time is a block height, from it a unix time (spec §3.4). */
const LOCK_TIME_MIN_TIMESTAMP = 500_000_000n

export const addressLink = (a: string): HTMLElement => link('address', a)

/** The address a condition pays to (multisig and atomic swap conditions have their own). */
export function conditionAddress(json: unknown): string | undefined {
  try {
    return unlockHashToString(conditionUnlockHash(conditionFromJson(json)))
  } catch {
    return undefined
  }
}

/** A condition spelled out: who can spend, from when. */
export function condition(json: Json, tip: { height: number; timestamp: number }): HTMLElement {
  const d = json?.data ?? {}
  switch (json?.type) {
    case undefined:
    case 0:
      return h(
        'ul',
        { class: 'cond' },
        h('li', {}, h('span', { class: 'tag warn' }, 'nil'), ' anyone can spend'),
      )
    case 1:
      return h('ul', { class: 'cond' }, h('li', {}, addressLink(String(d.unlockhash))))
    case 2: {
      const at = BigInt(d.timelock ?? 0)
      return h(
        'ul',
        { class: 'cond' },
        h('li', {}, h('span', { class: 'tag' }, 'atomic swap')),
        h('li', {}, 'receiver (with the secret): ', addressLink(String(d.receiver))),
        h('li', {}, 'sender (refund after ', date(at), '): ', addressLink(String(d.sender))),
        h('li', {}, 'hashed secret: ', h('span', { class: 'mono' }, String(d.hashedsecret))),
        h('li', {}, 'contract address: ', addressLink(conditionAddress(json) ?? '')),
      )
    }
    case 3: {
      const until = BigInt(d.locktime ?? 0)
      const byHeight = until < LOCK_TIME_MIN_TIMESTAMP
      const open = byHeight ? BigInt(tip.height) >= until : BigInt(tip.timestamp) >= until
      return h(
        'ul',
        { class: 'cond' },
        h(
          'li',
          {},
          h('span', { class: open ? 'tag ok' : 'tag warn' }, open ? 'time lock passed' : 'time locked'),
          ' until ',
          byHeight ? ['block height ', link('block', until.toString(), until.toString(), '')] : date(until),
        ),
        h('li', {}, condition(d.condition, tip)),
      )
    }
    case 4: {
      const list: string[] = Array.isArray(d.unlockhashes) ? d.unlockhashes.map(String) : []
      return h(
        'ul',
        { class: 'cond' },
        h(
          'li',
          {},
          h('span', { class: 'tag' }, 'multisig'),
          ` ${d.minimumsignaturecount} of ${list.length} signatures; wallet `,
          addressLink(conditionAddress(json) ?? ''),
        ),
        ...list.map((a) => h('li', {}, addressLink(a))),
      )
    }
    default:
      return h(
        'ul',
        { class: 'cond' },
        h('li', {}, h('pre', { class: 'data' }, JSON.stringify(json, null, 1))),
      )
  }
}

/** Arbitrary data as text when it is printable UTF-8, else hex; a notary record is named. */
export function arbitraryData(base64: string | undefined): Child {
  if (!base64) return h('span', { class: 'muted' }, 'none')
  let bytes: Uint8Array
  try {
    bytes = fromBase64(base64, 'arbitrarydata')
  } catch {
    return h('pre', { class: 'data' }, base64)
  }
  if (bytes.length === 36 && new TextDecoder().decode(bytes.subarray(0, 4)) === 'nty1') {
    const hash = toHex(bytes.subarray(4))
    return h('span', {}, h('span', { class: 'tag' }, 'notary record'), ' ', link('notary', hash))
  }
  let text: string | undefined
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = undefined
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mean binary data
  if (text !== undefined && !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text))
    return h(
      'div',
      {},
      h('span', { class: 'tag' }, `text, ${bytes.length} bytes`),
      h('pre', { class: 'data', id: 'arbitrary-data' }, text),
    )
  return h(
    'div',
    {},
    h('span', { class: 'tag' }, `hex, ${bytes.length} bytes`),
    h('pre', { class: 'data mono', id: 'arbitrary-data' }, toHex(bytes)),
  )
}
