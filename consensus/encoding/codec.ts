// spec/rivine.md §1: the Sia (siabin) and Rivine (rivbin) binary encodings, declared once per type.
import { DecodeError } from './errors.js'
import { bigintToBytes, bytesToBigint, fromUtf8, utf8 } from './hex.js'

/** `sia` = siabin (everything consensus-critical); `rivbin` = the compact codec of extensions. */
export type Format = 'sia' | 'rivbin'

/** Reference decoder limits (spec §1.1): no single object reads more, no string or slice is larger. */
export const MAX_OBJECT_SIZE = 12_000_000
export const MAX_SLICE_BYTES = 5_000_000
export const MAX_CURRENCY_BYTES = 256
/** Compact rivbin prefixes stop at 2^29 − 1 (spec §1.2). */
export const MAX_RIVBIN_LENGTH = 2 ** 29 - 1

/**
 * Scratch buffers of finished writers, reused by new ones: `finish` copies the result out, so a buffer
 * is free again once its writer has finished. Allocating a fresh typed array per writer (many per block)
 * cost more than the encoding itself.
 */
const scratch: Uint8Array[] = []
const SCRATCH_KEPT = 32
const SCRATCH_MAX_BYTES = 64 * 1024
const FINISHED = new Uint8Array(0)

export class Writer {
  private buf: Uint8Array
  private pos = 0
  /** `initial` is a size hint: a reused scratch buffer may be smaller (it grows) or larger. */
  constructor(
    readonly format: Format,
    initial = 256,
  ) {
    const reused =
      scratch.length > 0 && scratch[scratch.length - 1]!.length >= initial ? scratch.pop() : undefined
    this.buf = reused ?? new Uint8Array(Math.max(initial, 256))
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = Math.max(256, this.buf.length * 2)
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  byte(n: number): void {
    this.reserve(1)
    this.buf[this.pos++] = n & 0xff
  }

  /** Little-endian unsigned integer of `width` bytes (8-byte values wrap like Go's uint64 cast). */
  uintLE(value: number | bigint, width: 1 | 2 | 3 | 4 | 8): void {
    this.reserve(width)
    const buf = this.buf
    const at = this.pos
    if (width === 8) {
      // numbers below 2^53 skip BigInt entirely (heights, lengths, indexes: the hot path)
      let lo: number
      let hi: number
      if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
        lo = value % 0x1_0000_0000
        hi = Math.floor(value / 0x1_0000_0000)
      } else {
        const v = BigInt.asUintN(64, BigInt(value))
        lo = Number(v & 0xffff_ffffn)
        hi = Number(v >> 32n)
      }
      buf[at] = lo & 0xff
      buf[at + 1] = (lo >>> 8) & 0xff
      buf[at + 2] = (lo >>> 16) & 0xff
      buf[at + 3] = lo >>> 24
      buf[at + 4] = hi & 0xff
      buf[at + 5] = (hi >>> 8) & 0xff
      buf[at + 6] = (hi >>> 16) & 0xff
      buf[at + 7] = hi >>> 24
    } else {
      let v = Number(value)
      for (let i = 0; i < width; i++) {
        buf[at + i] = v & 0xff
        v = Math.floor(v / 256)
      }
    }
    this.pos += width
  }

  u64(value: number | bigint): void {
    this.uintLE(value, 8)
  }

  /** A length or count prefix: `u64le` under Sia, the compact prefix under rivbin (spec §1.2). */
  length(n: number): void {
    if (this.format === 'sia') {
      this.u64(n)
      return
    }
    if (n < 0 || n > MAX_RIVBIN_LENGTH) throw new RangeError(`length ${n} cannot be rivbin-encoded`)
    if (n < 128) this.uintLE(n << 1, 1)
    else if (n < 16_384) this.uintLE((n << 2) | 0b01, 2)
    else if (n < 2_097_152) this.uintLE((n << 3) | 0b011, 3)
    else this.uintLE(((n << 3) | 0b111) >>> 0, 4)
  }

  /** The bytes written, as a new array. The writer is spent: later writes start an unrelated buffer. */
  finish(): Uint8Array {
    return this.consume((bytes) => bytes.slice())
  }

  /**
   * Hands `use` a view of the bytes written, valid only during the call (hash it, copy it into another
   * writer), and spends the writer like `finish`, without copying the bytes out.
   */
  consume<T>(use: (bytes: Uint8Array) => T): T {
    const buf = this.buf
    const pos = this.pos
    this.buf = FINISHED
    this.pos = 0
    try {
      return use(buf.subarray(0, pos))
    } finally {
      if (buf !== FINISHED && buf.length <= SCRATCH_MAX_BYTES && scratch.length < SCRATCH_KEPT)
        scratch.push(buf)
    }
  }
}

export class Reader {
  private pos = 0
  private readonly view: DataView
  constructor(
    private readonly buf: Uint8Array,
    readonly format: Format,
  ) {
    if (buf.length > MAX_OBJECT_SIZE)
      throw new DecodeError('bad-length', `object of ${buf.length} bytes exceeds ${MAX_OBJECT_SIZE}`)
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  get remaining(): number {
    return this.buf.length - this.pos
  }

  get offset(): number {
    return this.pos
  }

  private need(n: number): void {
    if (n > this.remaining) {
      throw new DecodeError(
        'truncated',
        `unexpected end of data: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`,
      )
    }
  }

  /** The next `n` bytes, as a view of the input (decoders copy their input once, up front). */
  bytes(n: number): Uint8Array {
    this.need(n)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  byte(): number {
    this.need(1)
    return this.buf[this.pos++]!
  }

  uintLE(width: 1 | 2 | 3 | 4): number {
    this.need(width)
    let v = 0
    for (let i = width - 1; i >= 0; i--) v = v * 256 + this.buf[this.pos + i]!
    this.pos += width
    return v
  }

  u64(): bigint {
    this.need(8)
    const v = this.view.getBigUint64(this.pos, true)
    this.pos += 8
    return v
  }

  /** A u64 that must fit a JS number (heights, timestamps, indexes, counts). */
  u64n(): number {
    this.need(8)
    const b = this.buf
    const at = this.pos
    const lo = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    const hi = (b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24)) >>> 0
    if (hi >= 0x20_0000) throw new DecodeError('invalid-value', `integer ${this.u64()} exceeds 2^53−1`)
    this.pos += 8
    return hi * 0x1_0000_0000 + lo
  }

  /**
   * A length or count prefix, checked against the bytes left before anything is allocated:
   * every element takes at least `minElementSize` bytes, so a prefix of 2^60 fails at once.
   */
  length(minElementSize = 1): number {
    let n: number
    if (this.format === 'sia') {
      const v = this.u64()
      if (v > BigInt(MAX_OBJECT_SIZE)) throw new DecodeError('bad-length', `length prefix ${v} is absurd`)
      n = Number(v)
    } else {
      const first = this.buf[this.pos]
      if (first === undefined) this.need(1)
      if ((first! & 1) === 0) n = this.uintLE(1) >>> 1
      else if ((first! & 3) === 1) n = this.uintLE(2) >>> 2
      else if ((first! & 7) === 3) n = this.uintLE(3) >>> 3
      else n = this.uintLE(4) >>> 3
    }
    if (n * minElementSize > this.remaining) {
      throw new DecodeError('bad-length', `length prefix ${n} exceeds the ${this.remaining} bytes left`)
    }
    return n
  }

  /**
   * Reads the next part of the stream under another codec and advances past what it consumed
   * (extension bodies are rivbin inside Sia-encoded transactions and blocks, tfchain §1.5).
   */
  withFormat<T>(format: Format, fn: (r: Reader) => T): T {
    if (format === this.format) return fn(this)
    const sub = new Reader(this.buf.subarray(this.pos), format)
    const value = fn(sub)
    this.pos += sub.offset
    return value
  }

  /** Fails unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0)
      throw new DecodeError('trailing-bytes', `${this.remaining} trailing bytes after the object`)
  }
}

/** One binary layout, usable under both codecs; the TypeScript type is derived from it. */
export interface Codec<T> {
  write(w: Writer, value: T): void
  read(r: Reader): T
  /** The fewest bytes one value takes under either codec (bounds list prefixes before allocating). */
  readonly minSize?: number
}

export type Infer<C> = C extends Codec<infer T> ? T : never

export function encode<T>(codec: Codec<T>, value: T, format: Format = 'sia'): Uint8Array {
  const w = new Writer(format)
  codec.write(w, value)
  return w.finish()
}

/** Decodes exactly one object: truncated input and trailing bytes are errors. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, format: Format = 'sia'): T {
  // one copy of the input; decoded byte fields are views of it, so later changes to `bytes` cannot leak in
  const r = new Reader(bytes.slice(), format)
  const value = codec.read(r)
  r.end()
  return value
}

// ---- primitives ---------------------------------------------------------------------------------

/** A raw single byte in both codecs (transaction versions, condition/fulfillment/unlock types). */
export const byte: Codec<number> = { write: (w, v) => w.byte(v), read: (r) => r.byte(), minSize: 1 }

/** uint64 as bigint (both codecs: 8 bytes LE). */
export const u64: Codec<bigint> = {
  write: (w, v) => {
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`${v} is not a uint64`)
    w.u64(v)
  },
  read: (r) => r.u64(),
  minSize: 8,
}

/** uint64 held as a JS number (heights, timestamps, indexes); decoding rejects values above 2^53−1. */
export const u64n: Codec<number> = {
  write: (w, v) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a uint64 number`)
    w.u64(v)
  },
  read: (r) => r.u64n(),
  minSize: 8,
}

/** An integer kind of Go width `width`: 8 bytes under Sia, `width` bytes under rivbin. */
export function uint(width: 1 | 2 | 4): Codec<number> {
  return {
    write: (w, v) => (w.format === 'sia' ? w.u64(v) : w.uintLE(v, width)),
    read: (r) => {
      if (r.format === 'rivbin') return r.uintLE(width)
      const v = r.u64()
      if (v >= 1n << BigInt(8 * width))
        throw new DecodeError('invalid-value', `${v} overflows uint${8 * width}`)
      return Number(v)
    },
  }
}

export const bool: Codec<boolean> = {
  write: (w, v) => w.byte(v ? 1 : 0),
  read: (r) => {
    const b = r.byte()
    if (b > 1)
      throw new DecodeError(
        'invalid-value',
        `bool byte must be 00 or 01, got ${b.toString(16).padStart(2, '0')}`,
      )
    return b === 1
  },
}

/** A fixed array of `size` raw bytes (hashes, IDs, specifiers): no prefix. */
export function fixedBytes(size: number): Codec<Uint8Array> {
  return {
    write: (w, v) => {
      if (v.length !== size) throw new RangeError(`expected ${size} bytes, got ${v.length}`)
      w.bytes(v)
    },
    read: (r) => r.bytes(size),
    minSize: size,
  }
}

/** A length-prefixed byte slice. */
export const bytes: Codec<Uint8Array> = {
  write: (w, v) => {
    w.length(v.length)
    w.bytes(v)
  },
  read: (r) => {
    const n = r.length(1)
    if (n > MAX_SLICE_BYTES)
      throw new DecodeError('bad-length', `byte slice of ${n} bytes exceeds ${MAX_SLICE_BYTES}`)
    return r.bytes(n)
  },
}

export const string: Codec<string> = {
  write: (w, v) => bytes.write(w, utf8(v)),
  read: (r) => {
    try {
      return fromUtf8(bytes.read(r))
    } catch (err) {
      if (err instanceof DecodeError) throw err
      throw new DecodeError('invalid-value', 'string is not valid UTF-8')
    }
  },
}

/** Currency (spec §1.3): length prefix + minimal big-endian magnitude; zero is empty. */
export const currency: Codec<bigint> = {
  write: (w, v) => bytes.write(w, bigintToBytes(v)),
  read: (r) => {
    const n = r.length(1)
    if (n > MAX_CURRENCY_BYTES)
      throw new DecodeError('bad-length', `currency of ${n} bytes exceeds ${MAX_CURRENCY_BYTES}`)
    return bytesToBigint(r.bytes(n))
  },
}

/** A length-prefixed list; `minSize` is the smallest encoding of one element (for the allocation check). */
export function array<T>(elem: Codec<T>, minSize = elem.minSize ?? 1): Codec<readonly T[]> {
  return {
    write: (w, v) => {
      w.length(v.length)
      for (const e of v) elem.write(w, e)
    },
    read: (r) => {
      const n = r.length(minSize)
      const out: T[] = []
      let i = 0
      try {
        for (; i < n; i++) out.push(elem.read(r))
      } catch (err) {
        if (err instanceof DecodeError) throw err.within(`[${i}]`)
        throw err
      }
      return out
    },
  }
}

/** An optional value: `00` for none, `01` + value. */
export function pointer<T>(elem: Codec<T>): Codec<T | undefined> {
  return {
    write: (w, v) => {
      if (v === undefined) return w.byte(0)
      w.byte(1)
      elem.write(w, v)
    },
    read: (r) => (bool.read(r) ? elem.read(r) : undefined),
  }
}

type StructFields = Record<string, Codec<unknown>>
type StructOf<F extends StructFields> = { [K in keyof F]: Infer<F[K]> }

/** Fields in declaration order (the key order of `fields`). */
export function struct<F extends StructFields>(fields: F): Codec<StructOf<F>> {
  const entries = Object.entries(fields)
  return {
    write: (w, v) => {
      for (const [k, c] of entries) c.write(w, (v as Record<string, unknown>)[k])
    },
    read: (r) => {
      const out: Record<string, unknown> = {}
      let field = ''
      try {
        for (const [k, c] of entries) {
          field = k
          out[k] = c.read(r)
        }
      } catch (err) {
        if (err instanceof DecodeError) throw err.within(field)
        throw err
      }
      return out as StructOf<F>
    },
    minSize: entries.reduce((sum, [, c]) => sum + (c.minSize ?? 1), 0),
  }
}

/** A value carried as a length-prefixed blob (condition/fulfillment payloads, the v1 data blob). */
export function blob<T>(inner: Codec<T>): Codec<T> {
  return {
    write: (w, v) => {
      const sub = new Writer(w.format)
      inner.write(sub, v)
      sub.consume((b) => bytes.write(w, b))
    },
    read: (r) => {
      const body = bytes.read(r)
      // spec §1.1 [quirk]: the reference reads from the front and ignores what is left in the blob.
      return inner.read(new Reader(body, r.format))
    },
  }
}

/** Encodes with one codec, decodes through `map`, e.g. to narrow a wider layout. */
export function mapped<A, B>(inner: Codec<A>, to: (a: A) => B, from: (b: B) => A): Codec<B> {
  return { write: (w, v) => inner.write(w, from(v)), read: (r) => to(inner.read(r)) }
}
