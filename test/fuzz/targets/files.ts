// Fuzz targets for the files a user hands the program: chain definitions (with their extensions, as a node
// loads them), keystores (the parser must bound scrypt's cost before anything runs it) and the transaction
// file of the offline and multisig flows.
import fc from 'fast-check'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { concatBytes, toHex } from '../../../consensus/encoding/hex.js'
import { type JsonValue, stringifyJson } from '../../../consensus/encoding/json.js'
import { chainConsensus, parseChainDefinitionWithExtensions } from '../../../consensus/extensions/catalog.js'
import {
  type ChainDefinition,
  ChainDefinitionError,
  chainDefinitionToJson,
  chainRootTarget,
  genesisBlock,
  parseChainDefinitionText,
} from '../../../consensus/params/chain.js'
import { BlockCodec } from '../../../consensus/types/block.js'
import {
  decryptSeed,
  encryptSeed,
  KeystoreError,
  type KeystoreFile,
  parseKeystore,
  type ScryptKdf,
} from '../../../wallet/keys/keystore.js'
import {
  parseTransactionFileText,
  type TransactionFile,
  transactionFileToText,
} from '../../../wallet/tx/file.js'
import {
  anyCondition,
  chainDefinitionJson,
  currency,
  fuzzRegistry,
  hash32,
  keystoreJson,
  presetDefinitions,
  transaction,
} from '../arbitraries.js'
import { CheckFailure, type Target } from '../engine.js'
import { assertEqual, assertSameText } from '../equal.js'
import { checkTransactionBinary } from './consensus.js'

// ---- chain definitions --------------------------------------------------------------------------------

/** What a node does with a chain file (node/datadir.ts): parse, compose its rules, compute its genesis. */
function loadDefinition(text: string): ChainDefinition {
  const def = parseChainDefinitionText(text)
  const { registry } = chainConsensus(def)
  new BlockCodec(registry).id(genesisBlock(def))
  chainRootTarget(def)
  return def
}

export function chainDefinitionTarget(): Target<string, ChainDefinition> {
  return {
    name: 'chain-definition',
    input: 'text',
    seeds: presetDefinitions().map((d) => stringifyJson(chainDefinitionToJson(d))),
    generate: chainDefinitionJson.map((j) => stringifyJson(j as JsonValue)),
    decode: loadDefinition,
    isRejection: (err) => err instanceof ChainDefinitionError,
    check: (def, input) => {
      // the catalog's parser validates the extensions while parsing: the same definition
      assertEqual(parseChainDefinitionWithExtensions(JSON.parse(input)), def, 'parse with extensions')
      const text = stringifyJson(chainDefinitionToJson(def))
      const back = loadDefinition(text)
      assertEqual(back, def, 'chain definition round trip')
      assertSameText(stringifyJson(chainDefinitionToJson(back)), text, 'canonical chain definition')
    },
  }
}

// ---- keystores ------------------------------------------------------------------------------------

/** A stand-in for scrypt: the format is what is fuzzed, not the KDF's cost. */
const fastKdf: ScryptKdf = async (password, salt) => blake2b256(concatBytes(password, salt))
const PASSPHRASE = 'fuzz passphrase'

/** What `readKeystoreFile` does with the text: not JSON is a corrupt keystore. */
function keystoreFromText(text: string): KeystoreFile {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new KeystoreError('corrupt', 'not valid JSON')
  }
  return parseKeystore(value)
}

export async function keystoreTarget(): Promise<Target<string, KeystoreFile>> {
  const seeds: string[] = []
  for (const label of [undefined, '', 'node-1']) {
    const seed = blake2b256(new Uint8Array([seeds.length]))
    const opts = {
      scrypt: { N: 2 ** 14, r: 8, p: 1 },
      kdf: fastKdf,
      ...(label === undefined ? {} : { label }),
    }
    seeds.push(JSON.stringify(await encryptSeed(seed, PASSPHRASE, opts)))
  }
  return {
    name: 'keystore',
    input: 'text',
    seeds,
    generate: keystoreJson.map((j) => JSON.stringify(j)),
    decode: async (text) => {
      const ks = keystoreFromText(text)
      // decrypting (with a fast KDF) reads the hex fields: it opens the seed or refuses the passphrase
      try {
        const seed = await decryptSeed(ks, PASSPHRASE, fastKdf)
        if (seed.length !== 32) throw new CheckFailure(`decrypted a seed of ${seed.length} bytes`)
      } catch (err) {
        if (!(err instanceof KeystoreError && err.code === 'wrong-passphrase')) throw err
      }
      return ks
    },
    isRejection: (err) => err instanceof KeystoreError,
    check: (ks) => {
      const { N, r, p } = ks.kdf
      // scrypt needs 128·N·r bytes and p times the work: what the parser lets through is bounded
      if (!(N >= 2 && (N & (N - 1)) === 0 && 128 * N * r <= 2 ** 30 && p <= 16))
        throw new CheckFailure(`scrypt parameters N=${N} r=${r} p=${p} passed the parser`)
      assertEqual(keystoreFromText(stringifyJson(ks as never)), ks, 'keystore round trip')
    },
  }
}

// ---- transaction files ----------------------------------------------------------------------------

export function transactionFileTarget(): Target<string, TransactionFile> {
  const registry = fuzzRegistry()
  const spent = fc.record(
    { value: currency, condition: anyCondition(true), keyIndex: fc.nat({ max: 2 ** 31 }) },
    { requiredKeys: ['value', 'condition'] },
  )
  const file: fc.Arbitrary<TransactionFile> = fc
    .record({
      chain: fc.record({
        name: fc.string({ maxLength: 12 }),
        network: fc.string({ maxLength: 12 }),
        genesisId: hash32.map(toHex),
        precision: fc.nat(30),
      }),
      transaction: transaction(true),
      spent: fc.array(spent, { minLength: 8, maxLength: 8 }),
    })
    .map(({ chain, transaction, spent }) => ({
      chain,
      transaction,
      spent: {
        coinInputs: transaction.coinInputs.map((_, i) => spent[i % spent.length]!),
        blockStakeInputs: transaction.blockStakeInputs.map((_, i) => spent[(i + 3) % spent.length]!),
      },
    }))
  return {
    name: 'transaction-file',
    input: 'text',
    seeds: [],
    generate: file.map((f) => transactionFileToText(f, registry)),
    decode: (text) => parseTransactionFileText(text, registry),
    isRejection: (err) => err instanceof DecodeError,
    check: (f) => {
      const text = transactionFileToText(f, registry)
      const back = parseTransactionFileText(text, registry)
      assertEqual(back, f, 'transaction file round trip')
      assertSameText(transactionFileToText(back, registry), text, 'canonical transaction file')
      checkTransactionBinary(registry, f.transaction, 'transaction of a file')
    },
  }
}
