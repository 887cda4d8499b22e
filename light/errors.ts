// What a light client refuses, and why: every refusal names the header height and the check that failed.
import { DecodeError } from '../consensus/encoding/errors.js'

/** The checks of docs/light-client.md "Verifying a header", and the proofs and node answers around them. */
export type LightCheck =
  | 'format' // the answer is not the documented JSON, or a field is malformed
  | 'genesis' // the node serves another chain
  | 'height' // a header is not at the height it should be
  | 'parent' // the header's parent ID is not the verified header below it
  | 'checkpoint' // the chain does not pass through the checkpoint, or forks below it
  | 'timestamp' // below the median of its ancestors, or too far in the future
  | 'stake-proof' // the staked output's creating transaction is not proven in its block
  | 'stake-output' // that transaction has no such block stake output
  | 'stake-age' // the staked output is younger than the block stake aging
  | 'kernel' // the PoBS kernel does not meet the parent's child target
  | 'respend-proof' // the respend transaction is not proven in this block
  | 'respend' // the proven transaction does not spend the staked output
  | 'signature' // the respend does not fulfil the staked output's condition
  | 'fork' // a fork that is not heavier than the verified tip by the surpass rule
  | 'transaction-proof' // a transaction proof that does not lead to a verified header
  | 'node' // the node did not answer usefully (network, HTTP status, size)

export class LightError extends Error {
  override readonly name = 'LightError'
  constructor(
    readonly check: LightCheck,
    message: string,
    /** The header height the refusal is about, when there is one. */
    readonly height?: number,
    /** The node that served the refused data. */
    readonly node?: string,
  ) {
    super(
      `${height !== undefined ? `header ${height}: ` : ''}${check}: ${message}${node ? ` (from ${node})` : ''}`,
    )
  }

  /** The same error, blamed on `node`. */
  from(node: string): LightError {
    return this.node ? this : new LightError(this.check, this.detail, this.height, node)
  }

  private get detail(): string {
    const prefix = `${this.height !== undefined ? `header ${this.height}: ` : ''}${this.check}: `
    return this.message.slice(prefix.length)
  }
}

/** Any error as a LightError: a decoding error is a format error, anything else the node's. */
export function asLightError(err: unknown): LightError {
  if (err instanceof LightError) return err
  if (err instanceof DecodeError) return formatError(err)
  return new LightError('node', (err as Error).message ?? String(err))
}

/** A parse or decode error as a `format` refusal (at `height`, when known). */
export function formatError(err: unknown, height?: number): LightError {
  if (err instanceof LightError) return err
  const e = err as Error & { field?: string }
  return new LightError('format', `${e.field ? `${e.field}: ` : ''}${e.message}`, height)
}
