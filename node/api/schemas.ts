// Issue #17: the request and response schemas of the API's routes (JSON Schema, as fastify takes them and
// as OpenAPI 3.1 lists them). Path and query parameters are declared as strings: the handlers parse them
// (errors.ts) so that a bad one answers the API's own `invalid-parameter` error naming it. Responses are
// documentation and the contract tests check: the routes send JSON they serialized themselves.

import {
  ADDRESS,
  arrayOf,
  CONDITION,
  CURRENCY,
  HASH,
  int,
  nullable,
  obj,
  type Schema,
  str,
} from '../../consensus/extensions/schemas.js'

export { ADDRESS, CONDITION, CURRENCY, HASH, type Schema }

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
    ...obj({
      name: str('chain name'),
      network: str('network name'),
      coinUnit: str('the coin unit, e.g. TFT'),
      precision: int('decimal places of one coin'),
      constants: { type: 'object', description: 'the consensus constants (DESIGN §3)' },
      rules: { type: 'object', description: 'rule switches by height' },
      genesis: obj({
        timestamp: int('unix seconds'),
        transactionVersion: int('version of the genesis transaction'),
        coinOutputs: arrayOf(obj({ value: CURRENCY, condition: CONDITION })),
        blockStakeOutputs: arrayOf(obj({ value: CURRENCY, condition: CONDITION })),
      }),
      bootstrapPeers: arrayOf({ type: 'string' }),
      extensions: { type: 'object', description: 'the enabled extensions and their parameters' },
    }),
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

/** GET /addresses/:address/multisig. */
export const MULTISIG_WALLETS = obj({
  address: ADDRESS,
  height: int('the tip the answer is for'),
  wallets: arrayOf(
    obj({
      address: ADDRESS,
      condition: obj({
        type: { const: 4 },
        data: obj({
          unlockhashes: { ...arrayOf(ADDRESS), minItems: 1 },
          minimumsignaturecount: { type: 'integer', minimum: 1 },
        }),
      }),
    }),
    'wallets in address order',
  ),
  more: { type: 'boolean', description: 'there are more wallets than ?limit' },
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

/** consensus/extensions/notary/receipt.ts notaryReceiptToJson. */
export const NOTARY_RECEIPT = obj({
  kind: { const: 'blockstake-notary-receipt' },
  version: { const: 1 },
  genesisId: HASH,
  hash: HASH,
  transactionId: HASH,
  transaction: str("the transaction's binary encoding, hex", { pattern: '^([0-9a-f]{2})+$' }),
  blockId: HASH,
  height: int('height of the block'),
  timestamp: int('unix seconds'),
  header: obj({
    parentId: HASH,
    pobsIndexes: obj({ blockHeight: int(''), transactionIndex: int(''), outputIndex: int('') }),
    timestamp: int('unix seconds'),
    merkleRoot: HASH,
  }),
  proof: obj({ leafIndex: int(''), leafCount: int(''), path: arrayOf(HASH) }),
})

export const NOTARY = {
  type: 'object',
  properties: {
    hash: HASH,
    height: int('the tip the answer is for'),
    registrations: arrayOf(NOTARY_RECEIPT, 'notary receipts (docs/notary.md), oldest first'),
    more: { type: 'boolean' },
  },
  required: ['hash', 'height', 'registrations'],
}

/** An OpenAPI 3.1 document (GET /openapi.json): its operations, each with its answers. */
export const OPENAPI_DOCUMENT = obj({
  openapi: { const: '3.1.0' },
  info: obj({ title: str('the API and chain'), version: str('the API version') }),
  paths: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      additionalProperties: obj({
        summary: { type: 'string' },
        responses: { type: 'object', minProperties: 1 },
      }),
    },
  },
})

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
