// The `ext-authcoin-*` vectors of test/vectors/data/rivine-transactions.json (Rivine's authcointx tests, whose
// controllers are registered WITHOUT RequireMinerFees): binary and JSON round trips of versions 176/177.
import { expect } from 'vitest'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { authCoinTransactionTypes } from '../../../consensus/extensions/authcointx/index.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { Outcome, Vector } from '../framework.js'

/** Rivine's own tests register the controllers with the zero options: RequireMinerFees = false. */
export const rivineAuthCoinRegistry = coreRegistry().with(
  ...authCoinTransactionTypes({ requireMinerFees: false }),
)

export function handleExtAuthCoin(v: Vector): Outcome {
  const reg = rivineAuthCoinRegistry
  switch (v.id) {
    case 'ext-authcoin-json-176':
    case 'ext-authcoin-json-177': {
      const expected: string = v.expected.canonical_json
      const tx = reg.fromJsonString(v.input.json)
      expect(tx.version).toBe(v.id.endsWith('176') ? 176 : 177)
      expect(reg.toJsonString(tx)).toBe(expected)
      // the JSON form survives the binary codec too
      const again = reg.decode(reg.encode(tx))
      expect(reg.toJsonString(again)).toBe(expected)
      expect(toHex(reg.id(again))).toBe(toHex(reg.id(tx)))
      expect(parseJson(expected)).toEqual(parseJson(v.input.json))
      return undefined
    }
    case 'ext-authcoin-binary-176':
    case 'ext-authcoin-binary-177': {
      const bin = fromHex(v.input.hex)
      const tx = reg.decode(bin)
      expect(tx.version).toBe(bin[0])
      expect(toHex(reg.encode(tx))).toBe(v.expected.roundtrip_hex)
      // and through JSON and back
      expect(toHex(reg.encode(reg.fromJsonString(reg.toJsonString(tx))))).toBe(v.expected.roundtrip_hex)
      return undefined
    }
    default:
      throw new Error(`ext-authcoin: unknown vector ${v.id}`)
  }
}
