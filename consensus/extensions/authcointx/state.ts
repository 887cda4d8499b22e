// spec/tfchain.md §3.2–3.3: the auth-coin state in the `authcoin` namespace: the chain's default
// (`authorizedByDefault`), the auth condition history by height (Rivine's `authconditions` bucket, key 0 =
// genesis) and, per address, whether it is authorized and since which height (the newest entry of
// Rivine's per-address bucket; validation only ever asks for the current state).
import { toHex } from '../../encoding/hex.js'
import type { ExtensionStateView } from '../../state/extensions.js'
import type { Condition } from '../../types/conditions.js'
import { type UnlockHash, UnlockType } from '../../types/unlockhash.js'
import { conditionFromBytes, HeightHistory } from '../history.js'

export const AUTHCOIN = 'authcoin'

export const authConditions = new HeightHistory('authconditions')

/** `default` → 1 byte: the chain's `authorizedByDefault`. */
export const DEFAULT_KEY = 'default'

/** `address/<type byte and hash in hex>` → `authorized(1) || u64be(height)`. */
export const addressKey = (uh: UnlockHash): string =>
  `address/${uh.type.toString(16).padStart(2, '0')}${toHex(uh.hash)}`

export function encodeAddressState(authorized: boolean, height: number): Uint8Array {
  const out = new Uint8Array(9)
  out[0] = authorized ? 1 : 0
  new DataView(out.buffer).setBigUint64(1, BigInt(height))
  return out
}

export interface AuthStatus {
  readonly authorized: boolean
  /** The height of the address update that set it; `undefined` when none did (the chain's default). */
  readonly since: number | undefined
}

/** spec §3.4 rule 3: nil and atomic swap addresses are never checked. */
export const authorizationApplies = (uh: UnlockHash): boolean =>
  uh.type !== UnlockType.Nil && uh.type !== UnlockType.AtomicSwap

/**
 * The stored state of `address`, without the nil/atomic-swap exemption (what address updates check, spec
 * §3.2 rule 5). Throws when `view` holds no auth-coin state (a chain without the extension).
 */
export function addressState(view: ExtensionStateView, address: UnlockHash): AuthStatus {
  const stored = view.get(AUTHCOIN, addressKey(address))
  if (stored) {
    const since = Number(new DataView(stored.buffer, stored.byteOffset + 1, 8).getBigUint64(0))
    return { authorized: stored[0] === 1, since }
  }
  const byDefault = view.get(AUTHCOIN, DEFAULT_KEY)
  if (!byDefault) throw new Error('no auth-coin state in this state: the chain does not enable authcoin')
  return { authorized: byDefault[0] === 1, since: undefined }
}

/**
 * Whether `address` may send and receive coins now (spec §3.4), and since which height an address update
 * made it so. Nil and atomic swap addresses are never checked and report authorized, as the reference's
 * status API does.
 */
export function authStatus(view: ExtensionStateView, address: UnlockHash): AuthStatus {
  if (!authorizationApplies(address)) return { authorized: true, since: undefined }
  return addressState(view, address)
}

/** The auth condition in force at `height` (the newest written at a height ≤ `height`). */
export function authConditionAt(view: ExtensionStateView, height: number): Condition {
  const value = authConditions.at((key) => view.get(AUTHCOIN, key), height)
  if (!value) throw new Error('no auth condition in this state: the chain does not enable authcoin')
  return conditionFromBytes(value)
}

/** Every auth condition with the height it took effect, oldest (genesis, height 0) first. */
export function authConditionHistory(view: ExtensionStateView): { height: number; condition: Condition }[] {
  return authConditions
    .entries((key) => view.get(AUTHCOIN, key))
    .map((e) => ({ height: e.height, condition: conditionFromBytes(e.value) }))
}
