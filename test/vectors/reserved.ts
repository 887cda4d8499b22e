// DESIGN §2: 3Bot (144–146) and ERC20 (208–210) are out of scope and their version numbers stay reserved.
// What our code does with such a transaction is what the 3Bot/ERC20 vectors check: every transaction
// registry we build (the core one and each preset's) refuses it with a DecodeError 'unknown-type' that
// names the version, in binary, in JSON and inside a block, before reading anything past the version.
import { expect } from 'vitest'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { fromHex } from '../../consensus/encoding/hex.js'
import { parseJson } from '../../consensus/encoding/json.js'
import { registryFor } from '../../consensus/extensions/catalog.js'
import { preset, presetNames } from '../../consensus/params/presets.js'
import { BlockCodec } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'

export const THREEBOT_VERSIONS = [144, 145, 146] as const
export const ERC20_VERSIONS = [208, 209, 210] as const

/** Every transaction registry the project builds: the core one and each preset's. */
const registries: readonly (readonly [string, TransactionRegistry])[] = [
  ['core', coreRegistry()],
  ...presetNames().map((name) => [name, registryFor(preset(name))] as const),
]

function refusal(fn: () => unknown, where: string): DecodeError {
  try {
    fn()
  } catch (err) {
    expect(err, where).toBeInstanceOf(DecodeError)
    return err as DecodeError
  }
  throw new Error(`${where}: expected the reserved version to be refused`)
}

/** `decode` fails under every registry with 'unknown-type' at `field`, naming `version`. */
function expectRefused(
  decode: (registry: TransactionRegistry) => unknown,
  version: number,
  field = 'version',
): void {
  for (const [name, registry] of registries) {
    const err = refusal(() => decode(registry), name)
    expect({ code: err.code, field: err.field }, name).toEqual({ code: 'unknown-type', field })
    expect(err.message, name).toContain(`unknown transaction version ${version}`)
  }
}

/** A binary transaction (version byte + body) of a reserved version is refused. */
export const expectBinaryRefused = (hex: string, version: number): void =>
  expectRefused((r) => r.decode(fromHex(hex)), version)

/** A JSON transaction (`{"version": …, "data": …}`) of a reserved version is refused. */
export const expectJsonRefused = (json: string, version: number): void =>
  expectRefused((r) => r.fromJson(parseJson(json)), version)

/** A siabin block carrying a reserved-version transaction at `index` is refused, naming it. */
export const expectBlockRefused = (hex: string, index: number, version: number): void =>
  expectRefused((r) => new BlockCodec(r).decode(fromHex(hex)), version, `transactions[${index}].version`)

/**
 * The versions are reserved: no registry has them, and a transaction is refused at its version byte (a
 * lone version byte gives 'unknown-type', not 'truncated', so no body layout is ever read).
 */
export function expectReserved(versions: readonly number[]): void {
  for (const version of versions) {
    for (const [name, registry] of registries) expect(registry.has(version), name).toBe(false)
    expectBinaryRefused(version.toString(16).padStart(2, '0'), version)
  }
}
