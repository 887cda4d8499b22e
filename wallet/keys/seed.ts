// spec/rivine.md §7.1: a wallet seed is 32 bytes; its mnemonic is the BIP39 English encoding of the seed
// as *entropy* (no PBKDF2, no passphrase).
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'

/** Why a seed, mnemonic or key index was refused. */
export type KeyErrorCode = 'invalid-seed' | 'invalid-mnemonic' | 'invalid-index'

/** A wallet-key failure; `code` is for programs, the message for people. */
export class KeyError extends Error {
  override readonly name = 'KeyError'
  constructor(
    readonly code: KeyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Bytes in a wallet seed. */
export const WALLET_SEED_SIZE = 32
/** Words in a wallet mnemonic: 256 bits of seed + 8 checksum bits, 11 bits a word. */
export const MNEMONIC_WORD_COUNT = 24

const ENGLISH_WORDS: ReadonlySet<string> = new Set(wordlist)

/** Throws `invalid-seed` unless `seed` is a 32-byte Uint8Array. */
export function assertWalletSeed(seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array)) throw new KeyError('invalid-seed', 'seed must be a Uint8Array')
  if (seed.length !== WALLET_SEED_SIZE) {
    throw new KeyError('invalid-seed', `seed must be ${WALLET_SEED_SIZE} bytes, got ${seed.length}`)
  }
}

/** A fresh random seed from the platform CSPRNG (Web Crypto, global in Node 20 and browsers). */
export function generateSeed(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(WALLET_SEED_SIZE))
}

/** The 24-word BIP39 English mnemonic of a 32-byte seed, words separated by single spaces. */
export function seedToMnemonic(seed: Uint8Array): string {
  assertWalletSeed(seed)
  return entropyToMnemonic(seed, wordlist)
}

/** The words of a mnemonic: any whitespace separates, case is ignored. */
function mnemonicWords(mnemonic: string): string[] {
  const trimmed = mnemonic.normalize('NFKD').trim().toLowerCase()
  return trimmed === '' ? [] : trimmed.split(/\s+/u)
}

/**
 * Recovers the 32-byte seed from its 24-word mnemonic (spec §7.1). Extra whitespace and upper case are
 * accepted; a wrong word count, a word outside the English list or a wrong checksum throw `invalid-mnemonic`.
 * 12-word mnemonics (16-byte seeds the reference would zero-pad) are refused on purpose.
 */
export function mnemonicToSeed(mnemonic: string): Uint8Array {
  if (typeof mnemonic !== 'string') throw new KeyError('invalid-mnemonic', 'mnemonic must be a string')
  const words = mnemonicWords(mnemonic)
  if (words.length !== MNEMONIC_WORD_COUNT) {
    const hint = words.length === 12 ? ' (12-word mnemonics of 16-byte seeds are not supported)' : ''
    throw new KeyError(
      'invalid-mnemonic',
      `mnemonic must have ${MNEMONIC_WORD_COUNT} words, got ${words.length}${hint}`,
    )
  }
  words.forEach((word, i) => {
    if (!ENGLISH_WORDS.has(word)) {
      throw new KeyError(
        'invalid-mnemonic',
        `mnemonic word ${i + 1} "${word}" is not in the BIP39 English wordlist`,
      )
    }
  })
  let entropy: Uint8Array
  try {
    entropy = mnemonicToEntropy(words.join(' '), wordlist)
  } catch (cause) {
    // count and words are already checked, so the checksum is all that can fail here
    throw new KeyError('invalid-mnemonic', 'mnemonic checksum is wrong (a word is mistyped or misplaced)', {
      cause,
    })
  }
  return Uint8Array.from(entropy)
}
