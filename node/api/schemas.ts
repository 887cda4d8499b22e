// Issue #17: the request and response schemas of the API's routes (JSON Schema, as fastify takes them and
// as OpenAPI 3.1 lists them). Path and query parameters are declared as strings: the handlers parse them
// (errors.ts) so that a bad one answers the API's own `invalid-parameter` error naming it. Responses are
// documentation and the contract tests check: the routes send JSON they serialized themselves.

/** A JSON Schema (the subset the API uses). */
export type Schema = { readonly [key: string]: unknown }

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra })
const int = (description: string): Schema => ({ type: 'integer', minimum: 0, description })
const obj = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})
const arrayOf = (items: Schema, description?: string): Schema => ({ type: 'array', items, description })
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] })

export const HASH = str('32 bytes as 64 lowercase hex characters', { pattern: '^[0-9a-f]{64}$' })
export const ADDRESS = str('an address (unlock hash): 78 hex characters with checksum', {
  pattern: '^[0-9a-f]{78}$',
})
export const CURRENCY = str('an amount in the smallest unit, decimal', { pattern: '^[0-9]+$' })

/** Every error answer (DESIGN §5). */
export const ERROR = {
  type: 'object',
  properties: {
    code: str('machine-readable error code, e.g. not-found, invalid-parameter'),
    message: str('what is wrong, for people'),
    details: { type: 'object', description: 'the parameter, rule, field … concerned' },
  },
  required: ['code', 'message'],
}

/** A transaction in Rivine's JSON (spec §5.1); `data` depends on the version. */
export const RIVINE_TRANSACTION = {
  type: 'object',
  properties: { version: { type: 'integer' }, data: { type: 'object' } },
  required: ['version', 'data'],
}

export const RIVINE_BLOCK = obj({
  parentid: HASH,
  timestamp: int('unix seconds'),
  pobsindexes: obj({ BlockHeight: int(''), TransactionIndex: int(''), OutputIndex: int('') }),
  minerpayouts: nullable(arrayOf(obj({ value: CURRENCY, unlockhash: ADDRESS }))),
  transactions: nullable(arrayOf(RIVINE_TRANSACTION)),
})

/** node/api/views.ts blockView. */
export const BLOCK_VIEW = obj({
  id: HASH,
  height: int('block height'),
  mainChain: { type: 'boolean' },
  block: RIVINE_BLOCK,
  transactionIds: arrayOf(HASH),
  minerPayoutIds: arrayOf(HASH),
})

/** node/api/views.ts transactionView: `height`, `blockId`, `index` when in a block, else `unconfirmed`. */
export const TRANSACTION_VIEW = {
  type: 'object',
  properties: {
    id: HASH,
    height: int('height of its block'),
    blockId: HASH,
    index: int('index in its block'),
    unconfirmed: { const: true },
    transaction: RIVINE_TRANSACTION,
    coinOutputIds: arrayOf(HASH),
    blockStakeOutputIds: arrayOf(HASH),
  },
  required: ['id', 'transaction', 'coinOutputIds', 'blockStakeOutputIds'],
  oneOf: [{ required: ['height', 'blockId', 'index'] }, { required: ['unconfirmed'] }],
}

/** A condition in Rivine's JSON (spec §3): `{type, data}`. */
export const CONDITION = {
  type: 'object',
  description: 'the nil condition is {}',
  properties: { type: { type: 'integer' }, data: {} },
}

/** node/api/views.ts outputView, with the extra fields of the routes that answer it. */
export const OUTPUT_VIEW = {
  type: 'object',
  properties: {
    id: HASH,
    value: CURRENCY,
    condition: CONDITION,
    unlockhash: ADDRESS,
    unconfirmedSpender: HASH,
    unconfirmed: { const: true },
    transactionId: HASH,
    spentBy: obj({ transactionId: HASH, height: int(''), blockId: HASH, index: int('') }),
    spendable: { type: 'boolean' },
    locked: obj({
      until: str('height or unix time', { pattern: '^[0-9]+$' }),
      kind: { enum: ['height', 'time'] },
    }),
    maturityHeight: int('height from which a miner payout can be spent'),
  },
  required: ['id', 'value', 'condition', 'unlockhash'],
}

export const CONSENSUS = obj({
  height: int('height of the tip'),
  tipId: HASH,
  timestamp: int('timestamp of the tip'),
  synced: { type: 'boolean' },
  target: HASH,
  depth: HASH,
  peers: int('connected peers'),
  genesisId: HASH,
  chain: str('chain name'),
  network: str('network name'),
})

export const CHAIN = obj({
  genesisId: HASH,
  definition: {
    type: 'object',
    description: 'the chain definition (DESIGN §3): constants, genesis, extensions',
  },
})

const balance = (keys: readonly string[]): Schema => obj(Object.fromEntries(keys.map((k) => [k, CURRENCY])))

export const ADDRESS_OUTPUTS = obj({
  address: ADDRESS,
  height: int('the tip the answer is for'),
  coinOutputs: arrayOf(OUTPUT_VIEW),
  blockStakeOutputs: arrayOf(OUTPUT_VIEW),
  balance: obj({
    coins: balance(['unlocked', 'locked', 'immature', 'unconfirmed']),
    blockStakes: balance(['unlocked', 'locked', 'unconfirmed']),
  }),
  more: { type: 'boolean', description: 'older index entries were not read (raise ?limit)' },
})

export const EXPLORER_HASH = {
  oneOf: [
    obj({
      hashtype: { const: 'unlockhash' },
      unlockhash: ADDRESS,
      transactions: arrayOf(TRANSACTION_VIEW),
      blocks: arrayOf(
        obj({
          id: HASH,
          height: int(''),
          minerPayouts: arrayOf(obj({ id: HASH, value: CURRENCY })),
        }),
      ),
      unconfirmed: arrayOf(TRANSACTION_VIEW),
      more: { type: 'boolean' },
    }),
    obj({ hashtype: { const: 'blockid' }, block: BLOCK_VIEW }),
    obj({ hashtype: { const: 'transactionid' }, transaction: TRANSACTION_VIEW }),
    obj({ hashtype: { enum: ['coinoutputid', 'blockstakeoutputid'] }, output: OUTPUT_VIEW }),
  ],
}

export const TXPOOL = obj({
  transactions: arrayOf(RIVINE_TRANSACTION),
  transactionIds: arrayOf(HASH),
  count: int('transactions in the pool'),
  bytes: int('their binary size'),
})

export const TXPOOL_SUBMISSION = {
  type: 'object',
  description: 'one transaction in Rivine JSON, or {"transactions": [...]} for a set of dependent ones',
}

export const TXPOOL_ACCEPTED = {
  oneOf: [obj({ transactionId: HASH }), obj({ transactionIds: arrayOf(HASH) })],
}

export const PEERS = arrayOf(
  {
    type: 'object',
    properties: {
      id: str('libp2p peer ID'),
      addresses: arrayOf({ type: 'string' }),
      direction: { enum: ['inbound', 'outbound'] },
      height: { type: 'integer' },
      tipId: { type: 'string' },
    },
    required: ['id', 'addresses', 'direction'],
  },
  'connected peers',
)

export const NOTARY = {
  type: 'object',
  properties: {
    hash: HASH,
    height: int('the tip the answer is for'),
    registrations: arrayOf({ type: 'object', description: 'a notary receipt (docs/notary.md)' }),
    more: { type: 'boolean' },
  },
  required: ['hash', 'height', 'registrations'],
}

/** Any JSON: the answer of an extension query that declares no schema (its description says the shape). */
export const ANY_JSON = {}

export const TEXT = { type: 'string' }

// ---- request parts ----------------------------------------------------------------------------------

/** Path parameters: all strings (the handlers parse them and name the bad one). */
export const params = (descriptions: Record<string, string>): Schema =>
  obj(Object.fromEntries(Object.entries(descriptions).map(([k, d]) => [k, str(d)])))

/** Query-string parameters, all optional strings. */
export const query = (descriptions: Record<string, string>): Schema => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(descriptions).map(([k, d]) => [k, str(d)])),
})

/** A route's answers: `ok` on 200, the error shape on the 4xx/5xx statuses it can answer. */
export function answers(ok: Schema, ...errors: number[]): Record<string, Schema> {
  const out: Record<string, Schema> = { 200: ok }
  for (const status of errors) out[status] = ERROR
  return out
}
