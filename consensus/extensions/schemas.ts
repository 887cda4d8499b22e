// Issue #17: JSON Schema pieces for the answers of the node's HTTP API, shared by the extensions' queries
// (`ExtensionQuery.response`) and node/api/schemas.ts. Exact enough to catch a wrong shape: required
// fields, types, hex lengths; amounts are decimal strings (bigint on the wire, DESIGN §5).

/** A JSON Schema (the subset the API uses). */
export type Schema = { readonly [key: string]: unknown }

export const str = (description: string, extra: Schema = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
})
export const int = (description: string): Schema => ({ type: 'integer', minimum: 0, description })
/** An object with these properties, all required unless `required` says otherwise. */
export const obj = (
  properties: Record<string, Schema>,
  required: readonly string[] = Object.keys(properties),
): Schema => ({ type: 'object', properties, required })
export const arrayOf = (items: Schema, description?: string): Schema => ({
  type: 'array',
  items,
  ...(description ? { description } : {}),
})
export const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] })

export const HASH = str('32 bytes as 64 lowercase hex characters', { pattern: '^[0-9a-f]{64}$' })
export const ADDRESS = str('an address (unlock hash): 78 hex characters with checksum', {
  pattern: '^[0-9a-f]{78}$',
})
export const CURRENCY = str('an amount in the smallest unit, decimal', { pattern: '^(0|[1-9][0-9]*)$' })

const NIL_CONDITION: Schema = { type: 'object', maxProperties: 0, description: 'the nil condition' }
const UNLOCK_HASH_CONDITION: Schema = obj({ type: { const: 1 }, data: obj({ unlockhash: ADDRESS }) })
const MULTISIG_CONDITION: Schema = obj({
  type: { const: 4 },
  data: obj({
    unlockhashes: { ...arrayOf(ADDRESS), minItems: 1 },
    minimumsignaturecount: { type: 'integer', minimum: 1 },
  }),
})

/** A condition in Rivine's JSON (spec §3, consensus/types/conditions.ts conditionToJson). */
export const CONDITION: Schema = {
  description: 'nil {}, unlock hash (1), atomic swap (2), time lock (3) or multisig (4)',
  anyOf: [
    NIL_CONDITION,
    UNLOCK_HASH_CONDITION,
    obj({
      type: { const: 2 },
      data: obj({
        sender: ADDRESS,
        receiver: ADDRESS,
        hashedsecret: HASH,
        timelock: int('unix seconds from which the sender can refund'),
      }),
    }),
    obj({
      type: { const: 3 },
      data: obj({
        locktime: int('a height below 500000000, else unix seconds'),
        condition: { anyOf: [NIL_CONDITION, UNLOCK_HASH_CONDITION, MULTISIG_CONDITION] },
      }),
    }),
    MULTISIG_CONDITION,
  ],
}

/** The answer of `conditionQueries` (history.ts): a condition in force at a height. */
export const CONDITION_AT: Schema = obj({
  height: int('the height the condition is in force at'),
  condition: CONDITION,
})
