// spec/rivine.md §3.6 and §8.2–8.3: which fulfillment satisfies which condition.
import type { Ed25519 } from '../crypto/ed25519.js'
import { sha256 } from '../crypto/hash.js'
import { equalBytes } from '../encoding/hex.js'
import {
  atomicSwapUnlockHash,
  type Condition,
  conditionFulfillable,
  type FulfillContext,
  publicKeyUnlockHash,
} from './conditions.js'
import type { Fulfillment, LegacyAtomicSwapFulfillment, PublicKeySignaturePair } from './fulfillments.js'
import type { ExtraObject } from './transaction.js'
import { type UnlockHash, UnlockType, unlockHashEquals } from './unlockhash.js'

/** Everything a fulfillment check needs besides the condition and the fulfillment. */
export interface SignatureContext extends FulfillContext {
  /** The signature hash of the input being checked, given the extra objects after its index. */
  readonly sigHash: (extras: readonly ExtraObject[]) => Uint8Array
  readonly verifier: Ed25519
}

/** Why `fulfillment` does not fulfil `condition`, or `undefined` when it does. */
export function fulfillError(
  condition: Condition,
  fulfillment: Fulfillment,
  ctx: SignatureContext,
): string | undefined {
  switch (condition.type) {
    case 0:
      // spec §3.6: a nil condition takes a single signature by any key
      return fulfillment.type === 1
        ? signatureError(fulfillment, [], ctx)
        : 'a nil condition needs a single-signature fulfillment'
    case 1:
      return unlockHashFulfillError(condition.unlockHash, fulfillment, ctx)
    case 2: {
      if (fulfillment.type !== 2) return 'an atomic swap condition needs an atomic swap fulfillment'
      if (fulfillment.legacy) {
        const same =
          unlockHashEquals(fulfillment.sender, condition.sender) &&
          unlockHashEquals(fulfillment.receiver, condition.receiver) &&
          equalBytes(fulfillment.hashedSecret, condition.hashedSecret) &&
          fulfillment.timeLock === condition.timeLock
        if (!same) return 'legacy atomic swap fulfillment does not match the contract'
      }
      return atomicSwapError(condition, fulfillment, ctx)
    }
    case 3:
      if (!conditionFulfillable(condition, ctx)) return 'time lock has not been reached'
      if (
        condition.condition.type === 0 ||
        condition.condition.type === 1 ||
        condition.condition.type === 4
      ) {
        return fulfillError(condition.condition, fulfillment, ctx)
      }
      return 'time lock wraps a condition that cannot be fulfilled'
    case 4:
      return multisigError(condition.unlockHashes, condition.minimumSignatureCount, fulfillment, ctx)
  }
}

function unlockHashFulfillError(
  target: UnlockHash,
  f: Fulfillment,
  ctx: SignatureContext,
): string | undefined {
  if (target.type === UnlockType.PubKey) {
    if (f.type !== 1) return 'a public key address needs a single-signature fulfillment'
    if (!unlockHashEquals(publicKeyUnlockHash(f.publicKey), target))
      return 'public key does not match the address'
    return signatureError(f, [], ctx)
  }
  if (target.type === UnlockType.AtomicSwap) {
    if (f.type !== 2 || !f.legacy)
      return 'a legacy atomic swap address needs a legacy atomic swap fulfillment'
    if (!unlockHashEquals(atomicSwapUnlockHash(f), target))
      return 'atomic swap contract does not match the address'
    return legacyAtomicSwapError(f, ctx)
  }
  return `unlock hash type ${target.type} cannot be fulfilled`
}

/** spec §8.2: claim with a secret at any time; refund strictly after the time lock. */
function atomicSwapError(
  c: { sender: UnlockHash; receiver: UnlockHash; hashedSecret: Uint8Array; timeLock: bigint },
  f: { publicKey: PublicKeySignaturePair['publicKey']; signature: Uint8Array; secret: Uint8Array },
  ctx: SignatureContext,
): string | undefined {
  const signer = publicKeyUnlockHash(f.publicKey)
  if (f.secret.some((b) => b !== 0)) {
    if (!unlockHashEquals(signer, c.receiver)) return 'only the receiver can claim an atomic swap'
    if (!equalBytes(sha256(f.secret), c.hashedSecret))
      return 'atomic swap secret does not match the hashed secret'
    return signatureError(
      f,
      [
        { kind: 'publicKey', value: f.publicKey },
        { kind: 'raw', value: f.secret },
      ],
      ctx,
    )
  }
  if (BigInt(ctx.blockTime) <= c.timeLock) return 'atomic swap refund before its time lock'
  if (!unlockHashEquals(signer, c.sender)) return 'only the sender can refund an atomic swap'
  return signatureError(f, [{ kind: 'publicKey', value: f.publicKey }], ctx)
}

/** spec §8.3: on a type-2 address the path is chosen by time, not by the secret. */
function legacyAtomicSwapError(f: LegacyAtomicSwapFulfillment, ctx: SignatureContext): string | undefined {
  const signer = publicKeyUnlockHash(f.publicKey)
  if (BigInt(ctx.blockTime) <= f.timeLock) {
    if (!unlockHashEquals(signer, f.receiver))
      return 'only the receiver can claim an atomic swap before its time lock'
    if (!equalBytes(sha256(f.secret), f.hashedSecret))
      return 'atomic swap secret does not match the hashed secret'
    return signatureError(
      f,
      [
        { kind: 'publicKey', value: f.publicKey },
        { kind: 'raw', value: f.secret },
      ],
      ctx,
    )
  }
  if (!unlockHashEquals(signer, f.sender))
    return 'only the sender can refund an atomic swap after its time lock'
  return signatureError(f, [{ kind: 'publicKey', value: f.publicKey }], ctx)
}

/** spec §3.6: every pair matches a distinct member and verifies with `[index, publicKey]`. */
function multisigError(
  members: readonly UnlockHash[],
  minimum: number,
  f: Fulfillment,
  ctx: SignatureContext,
): string | undefined {
  if (f.type !== 3) return 'a multisig condition needs a multisig fulfillment'
  if (f.pairs.length < minimum) return `multisig needs ${minimum} signatures, got ${f.pairs.length}`
  const unused = [...members]
  for (const [i, pair] of f.pairs.entries()) {
    const uh = publicKeyUnlockHash(pair.publicKey)
    const at = unused.findIndex((m) => unlockHashEquals(m, uh))
    if (at < 0) return `multisig signature ${i}: unauthorized public key`
    unused.splice(at, 1)
    const err = signatureError(pair, [{ kind: 'publicKey', value: pair.publicKey }], ctx)
    if (err) return `multisig signature ${i}: ${err}`
  }
  return undefined
}

function signatureError(
  pair: PublicKeySignaturePair,
  extras: readonly ExtraObject[],
  ctx: SignatureContext,
): string | undefined {
  if (pair.publicKey.algorithm !== 1) return 'unsupported signature algorithm'
  return ctx.verifier.verify(pair.publicKey.key, ctx.sigHash(extras), pair.signature)
    ? undefined
    : 'invalid signature'
}

/**
 * Whether `fulfillment` fails `condition` only because of the height or time it is judged at: a time lock
 * not reached, an atomic swap refunded before its lock, or a legacy swap used by the side whose turn has
 * not come (or has passed). Such a failure depends on the judge's tip and clock, not on the spender.
 */
export function isTimeLockFailure(
  condition: Condition,
  fulfillment: Fulfillment,
  ctx: FulfillContext,
): boolean {
  switch (condition.type) {
    case 3:
      return !conditionFulfillable(condition, ctx) || isTimeLockFailure(condition.condition, fulfillment, ctx)
    case 2:
      return (
        fulfillment.type === 2 &&
        fulfillment.secret.every((b) => b === 0) &&
        BigInt(ctx.blockTime) <= condition.timeLock
      )
    case 1: {
      if (condition.unlockHash.type !== UnlockType.AtomicSwap) return false
      if (fulfillment.type !== 2 || !fulfillment.legacy) return false
      const signer = publicKeyUnlockHash(fulfillment.publicKey)
      const beforeLock = BigInt(ctx.blockTime) <= fulfillment.timeLock
      return beforeLock
        ? unlockHashEquals(signer, fulfillment.sender)
        : unlockHashEquals(signer, fulfillment.receiver)
    }
    default:
      return false
  }
}
