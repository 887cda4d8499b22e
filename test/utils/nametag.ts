// The worked example of docs/extensions.md: a chain builder's own extension, "nametag", with one custom
// transaction type (a name registration, version 240) and one custom global rule (a dust limit on every
// coin output of every transaction). In a real chain it would be consensus/extensions/nametag/; the
// consensus test and the node test both plug it in through a catalog of their own.
import { array, bytes, string, type Writer } from '../../consensus/encoding/codec.js'
import { concatBytes } from '../../consensus/encoding/hex.js'
import { jsonObject, jsonString, jsonUint } from '../../consensus/encoding/json.js'
import {
  type BodyField,
  bodyLayout,
  dataField,
  type Extension,
  extensionTransactionType,
  feeList,
  feesField,
  listField,
  ruleError,
  type TransactionRule,
} from '../../consensus/extensions/index.js'
import { rejectUnknownKeys, version } from '../../consensus/extensions/params.js'
import type { ExtensionStateView } from '../../consensus/state/extensions.js'
import { currencyToJson, parseCurrency } from '../../consensus/types/currency.js'
import { specifier } from '../../consensus/types/publickey.js'
import { type Transaction, writeExtraObjects } from '../../consensus/types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashBytes,
  unlockHashCodec,
  unlockHashToString,
} from '../../consensus/types/unlockhash.js'
import {
  inputCodec,
  inputFromJson,
  inputToJson,
  outputCodec,
  outputFromJson,
  outputToJson,
} from '../../consensus/types/v1.js'

export const NAMETAG = 'nametag'

/** `extensions.nametag` of a chain definition. */
export interface NametagParams {
  readonly registrationVersion: number
  readonly maxNameLength: number
  /** Every coin output of every transaction must be worth at least this (the custom global rule). */
  readonly minOutputValue: bigint
}

/** `Transaction.extension` of a registration; the coin lists, fees and data use the shared fields. */
export interface NameRegistration {
  readonly name: string
  readonly owner: UnlockHash
}

type RegistrationBody = NameRegistration &
  Pick<Transaction, 'coinInputs' | 'coinOutputs' | 'minerFees' | 'arbitraryData'>

const nameField: BodyField<string> = { codec: string, toJson: (s) => s, fromJson: (v, f) => jsonString(v, f) }
const ownerField: BodyField<UnlockHash> = {
  codec: unlockHashCodec,
  toJson: unlockHashToString,
  fromJson: (v, f) => parseUnlockHash(v, f),
}
const outputList = array(outputCodec, 2)

/** name | owner | coininputs | coinoutputs | minerfees | arbitrarydata (rivbin), in JSON in that order too. */
const registrationBody = bodyLayout<RegistrationBody>({
  name: nameField,
  owner: ownerField,
  coinInputs: listField(array(inputCodec, 34), inputToJson, inputFromJson),
  coinOutputs: listField(outputList, outputToJson, outputFromJson),
  minerFees: feesField,
  arbitraryData: dataField,
})

const registrationType = (v: number) =>
  extensionTransactionType<RegistrationBody>({
    version: v,
    name: 'name registration',
    format: 'rivbin',
    specifier: specifier('name register tx'),
    body: registrationBody,
    extensionOf: (tx) => {
      if (tx.blockStakeInputs.length || tx.blockStakeOutputs.length)
        throw new TypeError('a name registration carries no block stakes')
      return tx.extension as NameRegistration
    },
    // inputs are signed like v1 inputs: the extras (input index first), then every field but the fulfillments
    sigHash: (w: Writer, b, extras) => {
      writeExtraObjects(w, extras)
      string.write(w, b.name)
      unlockHashCodec.write(w, b.owner)
      w.length(b.coinInputs.length)
      for (const i of b.coinInputs) w.bytes(i.parentId)
      outputList.write(w, b.coinOutputs)
      feeList.write(w, b.minerFees)
      bytes.write(w, b.arbitraryData)
    },
  })

const nameKey = (name: string) => `name/${name}`

/** Who owns `name` (a query for the node's API). */
export function nameOwner(view: ExtensionStateView, name: string): UnlockHash | undefined {
  const v = view.get(NAMETAG, nameKey(name))
  return v ? { type: v[0]!, hash: v.slice(1, 33) } : undefined
}

function registrationRule(p: NametagParams): TransactionRule {
  const rule = `${NAMETAG}/registration`
  return {
    name: rule,
    versions: [p.registrationVersion],
    validate: (tx, spent, ctx) => {
      const { name } = tx.extension as NameRegistration
      if (!new RegExp(`^[a-z0-9-]{1,${p.maxNameLength}}$`).test(name))
        throw ruleError(rule, 'extension-rule', `"${name}" is not 1-${p.maxNameLength} of [a-z0-9-]`)
      if (ctx.state.get(NAMETAG, nameKey(name))) throw ruleError(rule, 'extension-rule', `"${name}" is taken`)
      if (tx.minerFees.length === 0) throw ruleError(rule, 'missing-miner-fee', 'a miner fee is required')
      const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n)
      const paid = sum(spent.coins.map((o) => o.value))
      const owed = sum(tx.coinOutputs.map((o) => o.value)) + sum(tx.minerFees)
      if (paid !== owed)
        throw ruleError(rule, 'unbalanced-coins', `inputs ${paid} ≠ outputs and fees ${owed}`)
    },
    apply: (tx, ctx, state) => {
      const { name, owner } = tx.extension as NameRegistration
      const height = new Uint8Array(8)
      new DataView(height.buffer).setBigUint64(0, BigInt(ctx.blockHeight))
      state.set(nameKey(name), concatBytes(unlockHashBytes(owner), height))
    },
  }
}

/** The custom global rule: it sees every transaction, v0/v1 and the built-in extensions' included. */
function dustRule(p: NametagParams): TransactionRule {
  const rule = `${NAMETAG}/dust`
  return {
    name: rule,
    versions: 'all',
    validate: (tx) => {
      for (const [index, o] of tx.coinOutputs.entries()) {
        if (o.value < p.minOutputValue) {
          throw ruleError(
            rule,
            'extension-rule',
            `coinOutputs[${index}] of ${o.value} is below ${p.minOutputValue}`,
            {
              output: { list: 'coinOutputs', index },
            },
          )
        }
      }
    },
  }
}

const FIELDS = ['registrationVersion', 'maxNameLength', 'minOutputValue'] as const

export const nametagExtension: Extension<NametagParams> = {
  name: NAMETAG,
  parseParams: (value, path) => {
    const o = jsonObject(value, path)
    rejectUnknownKeys(o, FIELDS, path, 'nametag field')
    return {
      registrationVersion: version(o, 'registrationVersion', path, 240),
      maxNameLength: jsonUint(o.maxNameLength, `${path}.maxNameLength`),
      minOutputValue: parseCurrency(o.minOutputValue, `${path}.minOutputValue`),
    }
  },
  paramsToJson: (p) => ({
    registrationVersion: p.registrationVersion,
    maxNameLength: p.maxNameLength,
    minOutputValue: currencyToJson(p.minOutputValue),
  }),
  versions: (p) => [{ version: p.registrationVersion, field: 'registrationVersion' }],
  enable: (p) => ({
    name: NAMETAG,
    transactionTypes: [registrationType(p.registrationVersion)],
    rules: [registrationRule(p), dustRule(p)],
  }),
}
