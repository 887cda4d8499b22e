// The vector runner's contract: one handler module per file in test/vectors/data (test/vectors/files/<name>.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The project's copy of the reference vectors (test/vectors/data/README.md). */
export const vectorsDir = fileURLToPath(new URL('./data/', import.meta.url))

/** A vector as stored: `rivine-*`/`tfchain-*` use `id`/`input`, `oracle-*` use `name`/`inputs`. */
export interface Vector {
  readonly id?: string
  readonly name?: string
  readonly input?: any
  readonly inputs?: any
  readonly expected: any
  readonly [key: string]: any
}

export const vectorId = (v: Vector): string => v.id ?? v.name ?? '?'

/**
 * What a handler did with a vector: `undefined` = checked and passed (failures throw via `expect`),
 * `{ later }` = belongs to later work, naming the issue that takes it; the runner reports it as skipped
 * (and CI fails on skipped tests), so a deferral is never counted as a pass.
 */
export type Outcome = undefined | { readonly later: string }

export type Handler = (v: Vector) => Outcome

export const later = (issue: string): Outcome => ({ later: issue })

export function listVectorFiles(): string[] {
  return readdirSync(vectorsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
}

export function loadVectorFile(file: string): { vectors: Vector[]; [k: string]: any } {
  return JSON.parse(readFileSync(vectorsDir + file, 'utf8'))
}
