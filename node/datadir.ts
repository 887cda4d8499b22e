// The data directory of a node: its chain definition (`chain.json`) and the LevelDB database beside it
// (`db/`). Shared by the daemon, `chain import|export`, the devnet and the benchmarks; mistakes a user can
// fix (wrong chain, missing data, unreadable definition) are `DataDirError`s naming the path.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { DecodeError } from '../consensus/encoding/errors.js'
import { equalBytes, toHex } from '../consensus/encoding/hex.js'
import { type JsonValue, stringifyJson } from '../consensus/encoding/json.js'
import {
  BUILTIN_EXTENSIONS,
  type ChainConsensus,
  chainConsensus,
  type ExtensionCatalog,
} from '../consensus/extensions/catalog.js'
import {
  type ChainDefinition,
  chainDefinitionToJson,
  genesisBlock,
  parseChainDefinitionText,
} from '../consensus/params/chain.js'
import { preset, presetNames } from '../consensus/params/presets.js'
import { BlockCodec } from '../consensus/types/block.js'
import { Chain } from './chain/chain.js'
import type { ChainIndexer } from './chain/indexers.js'
import { infoKey } from './chain/tables.js'
import { openLevelStore } from './db/level.js'
import { BUILTIN_NODE_EXTENSIONS } from './extensions.js'

/** A data directory or chain definition the user has to fix (the CLI prints it as one line, exit 2). */
export class DataDirError extends Error {
  override readonly name = 'DataDirError'
}

/** The layout of a data directory: the chain definition it holds, and the LevelDB database beside it. */
export const dataDirPaths = (dataDir: string) => ({
  definition: join(dataDir, 'chain.json'),
  db: join(dataDir, 'db'),
})

/** `--chain`: an existing file is a chain definition JSON, anything else a preset name. */
export function loadChainOption(
  value: string,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ChainDefinition {
  let isFile = false
  try {
    isFile = statSync(value).isFile()
  } catch {
    // not a file: a preset name
  }
  if (isFile) return readDefinitionFile(value, `chain definition file "${value}"`, catalog)
  if (presetNames().includes(value)) return preset(value)
  if (/[/\\]|\.json$/i.test(value))
    throw new DataDirError(`--chain: no such chain definition file "${value}"`)
  throw new DataDirError(
    `--chain: unknown chain preset "${value}" (known: ${presetNames().join(', ')}; or pass a chain definition file)`,
  )
}

function readDefinitionFile(path: string, what: string, catalog: ExtensionCatalog): ChainDefinition {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new DataDirError(`cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  try {
    const def = parseChainDefinitionText(text)
    chainConsensus(def, catalog) // its extensions and their parameters, each error naming the field
    return def
  } catch (err) {
    if (err instanceof DecodeError) throw new DataDirError(`${what}: ${err.message}`)
    throw err
  }
}

/**
 * The registry and rules a chain validates with (its extensions' included), from the extensions
 * `catalog` knows (the built-in ones unless a chain builder's program passes its own).
 */
export function chainRules(
  def: ChainDefinition,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ChainConsensus {
  try {
    return chainConsensus(def, catalog)
  } catch (err) {
    if (err instanceof DecodeError) throw new DataDirError(`chain "${def.name}": ${err.message}`)
    throw err
  }
}

export const genesisIdOf = (
  def: ChainDefinition,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): Uint8Array => new BlockCodec(chainRules(def, catalog).registry).id(genesisBlock(def))

/** The first field (dotted path) where two definitions differ; bootstrap peers are not part of the chain. */
function definitionDifference(a: ChainDefinition, b: ChainDefinition): string | undefined {
  const strip = (d: ChainDefinition): JsonValue => ({
    ...(chainDefinitionToJson(d) as object),
    bootstrapPeers: [],
  })
  const walk = (x: JsonValue, y: JsonValue, path: string): string | undefined => {
    const isObject = (v: JsonValue): v is { [key: string]: JsonValue | undefined } =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
    if (isObject(x) && isObject(y)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        const d = walk(x[k] ?? null, y[k] ?? null, path ? `${path}.${k}` : k)
        if (d !== undefined) return d
      }
      return undefined
    }
    return stringifyJson(x) === stringifyJson(y) ? undefined : path || '(definition)'
  }
  return walk(strip(a), strip(b), '')
}

/**
 * The chain definition of a data directory: `--chain` if given (it must agree with a stored `chain.json`),
 * else the stored one.
 */
export function resolveDefinition(
  dataDir: string,
  chainOption: string | undefined,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ChainDefinition {
  const paths = dataDirPaths(dataDir)
  const stored = existsSync(paths.definition)
    ? readDefinitionFile(paths.definition, paths.definition, catalog)
    : undefined
  const given = chainOption === undefined ? undefined : loadChainOption(chainOption, catalog)
  if (given && stored) {
    const storedGenesis = genesisIdOf(stored, catalog)
    const givenGenesis = genesisIdOf(given, catalog)
    if (!equalBytes(storedGenesis, givenGenesis)) {
      throw new DataDirError(
        `${dataDir} holds another chain ("${stored.name}", genesis ${toHex(storedGenesis)}), not the --chain one (genesis ${toHex(givenGenesis)})`,
      )
    }
    const field = definitionDifference(stored, given)
    if (field !== undefined) {
      throw new DataDirError(
        `--chain differs from the definition stored in ${paths.definition} (at ${field}): ${dataDir} holds another chain`,
      )
    }
  }
  const def = given ?? stored
  if (!def) throw new DataDirError(`no chain definition: pass --chain (${paths.definition} does not exist)`)
  return def
}

/**
 * Opens the chain of a data directory (creating it when `create`), after checking the stored genesis, and
 * records the chain definition in `chain.json` on first use.
 */
export async function openDataDir(
  dataDir: string,
  def: ChainDefinition,
  opts: {
    readonly create: boolean
    readonly catalog?: ExtensionCatalog
    /**
     * Indexes written in each block's batch besides the transaction and address index (default: the
     * built-in node extensions', so a chain imported offline is indexed as a running node indexes it).
     */
    readonly indexers?: readonly ChainIndexer[]
    /**
     * Each committed batch is flushed to the disk before the commit resolves (default: on, unless
     * BLOCKSTAKE_DB_SYNC=0): about 3 ms per block, nothing measurable on a sync (docs/RELIABILITY.md).
     */
    readonly sync?: boolean
  },
): Promise<Chain> {
  const paths = dataDirPaths(dataDir)
  const catalog = opts.catalog ?? BUILTIN_EXTENSIONS
  const { registry, rules } = chainRules(def, catalog)
  if (!opts.create && !existsSync(join(paths.db, 'CURRENT')))
    throw new DataDirError(`${dataDir} holds no chain data (run "blockstake chain import" first)`)
  try {
    mkdirSync(paths.db, { recursive: true })
  } catch (err) {
    throw new DataDirError(
      `cannot create the data directory ${dataDir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  const store = await openLevelStore(paths.db, {
    sync: opts.sync ?? process.env.BLOCKSTAKE_DB_SYNC !== '0',
  })
  let chain: Chain
  try {
    // Chain.open would say the same with a plain Error; this is a user mistake (exit 2)
    const storedGenesis = await store.get(infoKey('genesis'))
    const expected = genesisIdOf(def, catalog)
    if (storedGenesis && !equalBytes(storedGenesis, expected)) {
      throw new DataDirError(
        `${dataDir} holds another chain (genesis ${toHex(storedGenesis)}, "${def.name}" has genesis ${toHex(expected)})`,
      )
    }
    chain = await Chain.open({
      store,
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      indexers: opts.indexers ?? BUILTIN_NODE_EXTENSIONS.flatMap((e) => e.indexers ?? []),
    })
  } catch (err) {
    await store.close().catch(() => undefined)
    throw err
  }
  if (!existsSync(paths.definition)) {
    const tmp = `${paths.definition}.tmp`
    writeFileSync(tmp, `${stringifyJson(chainDefinitionToJson(def))}\n`)
    renameSync(tmp, paths.definition)
  }
  return chain
}
