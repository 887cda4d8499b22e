// Helpers for the chain-definition parameters of extensions (DESIGN §3): each extension parses its own
// `extensions.<name>` object with these, and every error is a ChainDefinitionError naming the field.
import { type JsonObject, jsonUint } from '../encoding/json.js'
import { ChainDefinitionError } from '../params/chain.js'
import { type Condition, conditionFromJson, conditionStandardError } from '../types/conditions.js'

export const fail = (message: string, field: string): never => {
  throw new ChainDefinitionError('invalid-value', message, field)
}

/** Refuses keys of `o` not in `known`, naming the field (`path.key`) when there is one. */
export function rejectUnknownKeys(o: JsonObject, known: readonly string[], path: string, what: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    throw new ChainDefinitionError(
      'invalid-value',
      `unknown ${what} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`,
      unknown.length === 1 ? `${path}.${unknown[0]}` : path,
    )
  }
}

export const bool = (o: JsonObject, key: string, path: string): boolean => {
  const v = o[key]
  if (typeof v !== 'boolean')
    throw new ChainDefinitionError('invalid-json', 'expected true or false', `${path}.${key}`)
  return v
}

/** A transaction version of an extension: a byte, and not one of the core versions 0 and 1. */
export const version = (o: JsonObject, key: string, path: string, fallback?: number): number => {
  if (o[key] === undefined) {
    if (fallback === undefined) fail('is required', `${path}.${key}`)
    return fallback as number
  }
  const v = jsonUint(o[key], `${path}.${key}`)
  if (v > 255) fail('a transaction version is a byte (at most 255)', `${path}.${key}`)
  if (v <= 1) fail('versions 0 and 1 are the core transaction versions', `${path}.${key}`)
  return v
}

/** A genesis condition: present, standard and not the nil condition (which any signature fulfils). */
export function genesisCondition(o: JsonObject, key: string, path: string): Condition {
  const field = `${path}.${key}`
  if (o[key] === undefined) fail('is required', field)
  const c = conditionFromJson(o[key], field)
  if (c.type === 0) fail('must not be the nil condition (any signature would fulfil it)', field)
  const err = conditionStandardError(c)
  if (err) fail(err, field)
  return c
}
