/** Why a byte string or JSON value could not be decoded. */
export type DecodeErrorCode =
  | 'truncated'
  | 'trailing-bytes'
  | 'bad-length'
  | 'unknown-type'
  | 'invalid-value'
  | 'invalid-json'

/** A decoding failure; `field` names where in the object it happened (e.g. `coinInputs[2].fulfillment`). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError'
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message)
  }

  /** The same error with `outer` prepended to its field path. */
  within(outer: string): DecodeError {
    const field = this.field
      ? this.field.startsWith('[')
        ? outer + this.field
        : `${outer}.${this.field}`
      : outer
    return new DecodeError(this.code, this.message.slice(this.field ? this.field.length + 2 : 0), field)
  }
}

/** Runs `fn`, prefixing the field path of any DecodeError it throws. */
export function inField<T>(field: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof DecodeError) throw err.within(field)
    throw err
  }
}
