import { wordlist } from '@scure/bip39/wordlists/english.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import {
  generateSeed,
  KeyError,
  type KeyErrorCode,
  MNEMONIC_WORD_COUNT,
  mnemonicToSeed,
  seedToMnemonic,
  WALLET_SEED_SIZE,
} from '../../../../wallet/index.js'

const DEVNET_MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const DEVNET_SEED = '226345d018c908aa956abee5657bee9f3ac4f11d628be176646853925d29941a'

const seedArb = fc.uint8Array({ minLength: WALLET_SEED_SIZE, maxLength: WALLET_SEED_SIZE })

/** Runs `fn` and returns the KeyError it must throw. */
function keyError(fn: () => unknown, code: KeyErrorCode): KeyError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError)
    expect(err).toBeInstanceOf(Error)
    const e = err as KeyError
    expect(e.name).toBe('KeyError')
    expect(e.code).toBe(code)
    return e
  }
  throw new Error('expected a KeyError')
}

describe('generateSeed', () => {
  it('returns 32 fresh random bytes each call', () => {
    const a = generateSeed()
    const b = generateSeed()
    expect(a).toBeInstanceOf(Uint8Array)
    expect(a.length).toBe(32)
    expect(toHex(a)).not.toBe(toHex(b))
  })

  it('gives a seed that has a 24-word mnemonic', () => {
    expect(seedToMnemonic(generateSeed()).split(' ')).toHaveLength(24)
  })
})

describe('seedToMnemonic / mnemonicToSeed', () => {
  it('round-trips every 32-byte seed through a 24-word English mnemonic', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const mnemonic = seedToMnemonic(seed)
        const words = mnemonic.split(' ')
        expect(words).toHaveLength(MNEMONIC_WORD_COUNT)
        for (const w of words) expect(wordlist).toContain(w)
        expect(toHex(mnemonicToSeed(mnemonic))).toBe(toHex(seed))
      }),
      { numRuns: 300 },
    )
  })

  it('ignores case and any whitespace between words', () => {
    const sep = fc.constantFrom(' ', '  ', '\t', '\n', ' \r\n ', '\u00a0', '\u3000')
    fc.assert(
      fc.property(
        seedArb,
        fc.array(sep, { minLength: 25, maxLength: 25 }),
        fc.boolean(),
        (seed, seps, upper) => {
          const words = seedToMnemonic(seed).split(' ')
          let text = seps[0]!
          words.forEach((w, i) => {
            text += (upper && i % 2 === 0 ? w.toUpperCase() : w) + seps[i + 1]!
          })
          expect(toHex(mnemonicToSeed(text))).toBe(toHex(seed))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('encodes the seed as BIP39 entropy (no PBKDF2): known pairs', () => {
    expect(seedToMnemonic(new Uint8Array(32))).toBe(`${'abandon '.repeat(23)}art`)
    expect(toHex(mnemonicToSeed(DEVNET_MNEMONIC))).toBe(DEVNET_SEED)
    expect(seedToMnemonic(fromHex(DEVNET_SEED))).toBe(DEVNET_MNEMONIC)
    // BIP39 reference vector: 0x7f × 32
    expect(seedToMnemonic(new Uint8Array(32).fill(0x7f))).toBe(
      'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title',
    )
  })

  it('returns a seed the caller owns', () => {
    const a = mnemonicToSeed(DEVNET_MNEMONIC)
    a.fill(0)
    expect(toHex(mnemonicToSeed(DEVNET_MNEMONIC))).toBe(DEVNET_SEED)
  })
})

describe('seedToMnemonic rejects', () => {
  it.each([0, 16, 31, 33, 64])('a %i-byte seed', (n) => {
    const e = keyError(() => seedToMnemonic(new Uint8Array(n)), 'invalid-seed')
    expect(e.message).toBe(`seed must be 32 bytes, got ${n}`)
  })

  it('a non-byte-array seed', () => {
    keyError(() => seedToMnemonic(DEVNET_SEED as unknown as Uint8Array), 'invalid-seed')
    keyError(
      () => seedToMnemonic(Array.from({ length: 32 }, () => 0) as unknown as Uint8Array),
      'invalid-seed',
    )
  })
})

describe('mnemonicToSeed rejects', () => {
  const words = DEVNET_MNEMONIC.split(' ')

  it('23 words', () => {
    const e = keyError(() => mnemonicToSeed(words.slice(0, 23).join(' ')), 'invalid-mnemonic')
    expect(e.message).toBe('mnemonic must have 24 words, got 23')
  })

  it('25 words and empty input', () => {
    expect(keyError(() => mnemonicToSeed(`${DEVNET_MNEMONIC} else`), 'invalid-mnemonic').message).toMatch(
      /got 25$/,
    )
    expect(keyError(() => mnemonicToSeed(''), 'invalid-mnemonic').message).toMatch(/got 0$/)
    expect(keyError(() => mnemonicToSeed(' \n\t '), 'invalid-mnemonic').message).toMatch(/got 0$/)
  })

  it('a valid 12-word BIP39 mnemonic (16-byte seeds are not offered)', () => {
    const twelve = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
    const e = keyError(() => mnemonicToSeed(twelve), 'invalid-mnemonic')
    expect(e.message).toMatch(/24 words, got 12/)
    expect(e.message).toMatch(/12-word mnemonics .* not supported/)
  })

  it('an unknown word, naming the word and its 1-based position', () => {
    const bad = [...words]
    bad[4] = 'mountian'
    const e = keyError(() => mnemonicToSeed(bad.join(' ')), 'invalid-mnemonic')
    expect(e.message).toBe('mnemonic word 5 "mountian" is not in the BIP39 English wordlist')
    bad[4] = 'mountain'
    bad[23] = 'elsewhere'
    expect(keyError(() => mnemonicToSeed(bad.join(' ')), 'invalid-mnemonic').message).toMatch(
      /^mnemonic word 24 "elsewhere"/,
    )
  })

  it('a wrong checksum', () => {
    const swapped = [...words]
    swapped[0] = words[1]!
    swapped[1] = words[0]!
    const e = keyError(() => mnemonicToSeed(swapped.join(' ')), 'invalid-mnemonic')
    expect(e.message).toMatch(/^mnemonic checksum is wrong/)
    expect(e.cause).toBeInstanceOf(Error)
    const lastWrong = [...words.slice(0, 23), 'abandon'].join(' ')
    expect(keyError(() => mnemonicToSeed(lastWrong), 'invalid-mnemonic').message).toMatch(/checksum is wrong/)
  })

  it('any one-word substitution either fails the checksum or gives another seed', () => {
    fc.assert(
      fc.property(seedArb, fc.nat(23), fc.nat(2047), (seed, position, wordIndex) => {
        const ws = seedToMnemonic(seed).split(' ')
        const replacement = wordlist[wordIndex]!
        fc.pre(ws[position] !== replacement)
        ws[position] = replacement
        let recovered: Uint8Array
        try {
          recovered = mnemonicToSeed(ws.join(' '))
        } catch (err) {
          expect(err).toBeInstanceOf(KeyError)
          expect((err as KeyError).message).toMatch(/^mnemonic checksum is wrong/)
          return
        }
        expect(toHex(recovered)).not.toBe(toHex(seed))
      }),
      { numRuns: 300 },
    )
  })

  it('a non-string', () => {
    keyError(() => mnemonicToSeed(undefined as unknown as string), 'invalid-mnemonic')
    keyError(() => mnemonicToSeed(words as unknown as string), 'invalid-mnemonic')
  })
})
