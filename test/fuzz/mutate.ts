// Mutators: byte-level ones for binary decoders (bit flips, truncation, extension, length-prefix inflation,
// splices of valid pieces) and tree-level ones for JSON decoders (values of the wrong type, boundary
// numbers, missing and extra keys, repeated elements, subtrees from other valid documents, deep nesting).
import type { Format } from '../../consensus/encoding/codec.js'
import type { Rng } from './rng.js'

// ---- bytes ------------------------------------------------------------------------------------------

const INTERESTING_BYTES = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x7f, 0x80, 0x81, 0xfe, 0xff, 128, 129, 130, 176,
]

/** u64 values that break length checks: just past the bytes left, the decoder caps, 2^53, 2^64 − 1. */
function inflatedValue(rng: Rng, remaining: number, current: bigint): bigint {
  return rng.pick([
    BigInt(remaining + 1),
    BigInt(remaining),
    current + 1n,
    current > 0n ? current - 1n : 0n,
    current * 2n + 1n,
    5_000_001n,
    12_000_001n,
    0x7fff_ffffn,
    0xffff_ffffn,
    0x1_0000_0000n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 60n,
    2n ** 63n,
    2n ** 64n - 1n,
  ])
}

function writeU64(buf: Uint8Array, at: number, v: bigint): void {
  const u = BigInt.asUintN(64, v)
  for (let i = 0; i < 8; i++) buf[at + i] = Number((u >> BigInt(8 * i)) & 0xffn)
}

function readU64(buf: Uint8Array, at: number): bigint {
  let v = 0n
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(buf[at + i]!)
  return v
}

/** Offsets holding a plausible Sia length prefix: a u64 no larger than the bytes after it. */
function siaPrefixOffsets(buf: Uint8Array): number[] {
  const out: number[] = []
  for (let at = 0; at + 8 <= buf.length; at++) {
    if (buf[at + 4] !== 0 || buf[at + 5] !== 0 || buf[at + 6] !== 0 || buf[at + 7] !== 0) continue
    const v = buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)
    if (buf[at + 3] === 0 && v <= buf.length - at - 8) out.push(at)
  }
  return out
}

/** A rivbin compact prefix for `n` (spec §1.2), or a non-minimal / oversized one. */
function rivbinPrefix(rng: Rng, n: number): Uint8Array {
  const form = rng.int(4)
  if (form === 0 && n < 128) return new Uint8Array([n << 1])
  if (form <= 1 && n < 16_384) {
    const v = (n << 2) | 1
    return new Uint8Array([v & 0xff, v >>> 8])
  }
  if (form <= 2 && n < 2_097_152) {
    const v = (n << 3) | 3
    return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, v >>> 16])
  }
  const v = ((Math.min(n, 2 ** 29 - 1) << 3) | 7) >>> 0
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24])
}

const replace = (buf: Uint8Array, at: number, removing: number, inserted: Uint8Array): Uint8Array => {
  const removed = Math.max(0, Math.min(removing, buf.length - at))
  const out = new Uint8Array(buf.length - removed + inserted.length)
  out.set(buf.subarray(0, at))
  out.set(inserted, at)
  out.set(buf.subarray(at + removed), at + inserted.length)
  return out
}

/** One random mutation of `buf`; `donors` are other valid encodings to splice pieces from. */
export function mutateBytes(
  rng: Rng,
  buf: Uint8Array,
  donors: readonly Uint8Array[],
  format: Format | undefined,
): Uint8Array {
  const n = buf.length
  const at = rng.int(n + 1)
  switch (rng.int(13)) {
    case 0: {
      // bit flips
      if (n === 0) return rng.bytes(1)
      const out = buf.slice()
      for (let k = rng.range(1, 4); k > 0; k--) {
        const i = rng.int(n)
        out[i]! ^= 1 << rng.int(8)
      }
      return out
    }
    case 1: {
      if (n === 0) return new Uint8Array([rng.pick(INTERESTING_BYTES)])
      const out = buf.slice()
      out[rng.int(n)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.u32() & 0xff
      return out
    }
    case 2:
      return buf.slice(0, rng.int(n))
    case 3:
      return replace(buf, n, 0, rng.bytes(rng.size(64)))
    case 4:
      return replace(buf, at, 0, rng.bytes(rng.range(1, 16)))
    case 5:
      return replace(buf, at, Math.min(n - at, rng.range(1, 32)), new Uint8Array(0))
    case 6: {
      // repeat a piece in place (more list elements than the prefix says, or a prefix that then fits)
      const len = Math.min(n - at, rng.range(1, 64))
      const piece = buf.slice(at, at + len)
      const times = rng.range(1, 8)
      const rep = new Uint8Array(len * times)
      for (let t = 0; t < times; t++) rep.set(piece, t * len)
      return replace(buf, at, 0, rep)
    }
    case 7: {
      // splice a piece of another valid encoding
      if (donors.length === 0) return buf.slice()
      const d = rng.pick(donors)
      const from = rng.int(d.length + 1)
      const piece = d.subarray(from, from + rng.range(1, 128))
      return replace(buf, at, rng.chance(0.5) ? Math.min(n - at, piece.length) : 0, piece)
    }
    case 8:
    case 9: {
      // length-prefix inflation
      if (format !== 'rivbin') {
        const offsets = siaPrefixOffsets(buf)
        const o = offsets.length > 0 && rng.chance(0.8) ? rng.pick(offsets) : rng.int(Math.max(1, n - 7))
        if (o + 8 > n) return replace(buf, n, 0, new Uint8Array(8).fill(0xff))
        const out = buf.slice()
        writeU64(out, o, inflatedValue(rng, n - o - 8, readU64(buf, o)))
        return out
      }
      const big = rng.pick([n - at, n - at + 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 2 ** 29 - 1])
      return replace(buf, at, rng.int(3), rivbinPrefix(rng, Math.max(0, big)))
    }
    case 10: {
      // an interesting u64 anywhere
      const out = replace(buf, at, 0, new Uint8Array(8))
      writeU64(out, at, rng.pick([0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, 1n << 32n]))
      return out
    }
    case 11: {
      // swap two pieces
      if (n < 4) return buf.slice()
      const len = rng.range(1, Math.max(1, Math.floor(n / 4)))
      const i = rng.int(n - len)
      const j = rng.int(n - len)
      const out = buf.slice()
      out.set(buf.subarray(i, i + len), j)
      out.set(buf.subarray(j, j + len), i)
      return out
    }
    default: {
      // nudge a plausible length prefix by a little
      const offsets = format === 'rivbin' ? [] : siaPrefixOffsets(buf)
      if (offsets.length === 0) return buf.slice(0, Math.max(0, n - 1))
      const o = rng.pick(offsets)
      const out = buf.slice()
      writeU64(out, o, readU64(buf, o) + BigInt(rng.range(-3, 3)))
      return out
    }
  }
}

// ---- JSON -------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const ODD_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'type',
  'data',
  'version',
  'value',
  'condition',
  'fulfillment',
  'extensions',
  '',
]
const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  255,
  256,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 64,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
]
const ODD_STRINGS = [
  '',
  '0',
  '-1',
  '1.5',
  '1e3',
  ' 1',
  'ed25519:',
  ':',
  'x',
  '0x10',
  '00',
  'zz',
  '1/0',
  '0/1',
  '18446744073709551616',
  'sia',
  'rivbin',
  'scrypt',
  'aes-256-gcm',
  '\u0000',
  '\ud800',
  '💥',
]

function randomHex(rng: Rng, bytes: number): string {
  let s = ''
  for (let i = 0; i < bytes; i++) s += (rng.u32() & 0xff).toString(16).padStart(2, '0')
  return s
}

/** A random JSON value: wrong types, boundary numbers, odd strings, small containers. */
export function randomJson(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 2 ? 7 : 9)) {
    case 0:
      return null
    case 1:
      return rng.chance(0.5)
    case 2:
      return rng.pick(ODD_NUMBERS)
    case 3:
      return rng.range(-2, 300)
    case 4:
      return rng.pick(ODD_STRINGS)
    case 5:
      return randomHex(rng, rng.pick([0, 1, 8, 16, 31, 32, 33, 39, 64]))
    case 6:
      return 'x'.repeat(rng.size(5000))
    case 7:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1))
    default: {
      const o: { [key: string]: Json } = {}
      for (let k = rng.int(4); k > 0; k--) o[rng.pick(ODD_KEYS)] = randomJson(rng, depth + 1)
      return o
    }
  }
}

/** A place in the tree: a key of a container, or the root (no parent). Plain data: no closures per node. */
interface Slot {
  readonly parent: Json[] | { [key: string]: Json } | undefined
  readonly key: string | number | undefined
}

/** Every place in the tree (the root included), for picking one uniformly. */
function slots(root: Json): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: undefined }]
  const stack: Json[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()!
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        out.push({ parent: node, key: i })
        stack.push(node[i]!)
      }
    } else if (node !== null && typeof node === 'object') {
      for (const k of Object.keys(node)) {
        out.push({ parent: node, key: k })
        stack.push(node[k]!)
      }
    }
  }
  return out
}

const slotValue = (root: { v: Json }, s: Slot): Json =>
  s.parent === undefined ? root.v : (s.parent as Record<string | number, Json>)[s.key!]!

function setSlot(root: { v: Json }, s: Slot, v: Json): void {
  if (s.parent === undefined) root.v = v
  else (s.parent as Record<string | number, Json>)[s.key!] = v
}

function mutateString(rng: Rng, s: string, maxBytes: number): string {
  const at = rng.int(s.length + 1)
  switch (rng.int(7)) {
    case 0:
      return s.slice(0, at)
    case 1:
      return s + rng.pick(['0', 'f', 'g', ' ', '00', s])
    case 2:
      return s.slice(0, at) + rng.pick(['g', 'Z', ':', '-', '\u00e9', '\ud83d']) + s.slice(at + 1)
    case 3:
      return s.toUpperCase()
    case 4:
      return `-${s}`
    case 5:
      // about maxBytes at most (a bigger input is thrown away after printing it)
      return s.repeat(Math.max(2, Math.min(rng.range(2, 50), Math.floor(maxBytes / Math.max(1, s.length)))))
    default:
      return rng.pick(ODD_STRINGS)
  }
}

function mutateNumber(rng: Rng, x: number): Json {
  switch (rng.int(6)) {
    case 0:
      return x + rng.pick([1, -1])
    case 1:
      return -x
    case 2:
      return x * 2 ** rng.range(1, 64)
    case 3:
      return x + 0.5
    case 4:
      return String(x)
    default:
      return rng.pick(ODD_NUMBERS)
  }
}

/** A subtree of one of `donors` (valid documents), picked uniformly. */
function donorSubtree(rng: Rng, donors: readonly Json[]): Json {
  if (donors.length === 0) return null
  const root = { v: structuredClone(rng.pick(donors)) }
  return slotValue(root, rng.pick(slots(root.v)))
}

/** One random structural mutation of a JSON tree, in place; returns the new root. */
export function mutateJsonTree(rng: Rng, value: Json, donors: readonly Json[], maxBytes: number): Json {
  const root = { v: value }
  const all = slots(value)
  const slot = rng.pick(all)
  const v = slotValue(root, slot)
  const set = (to: Json) => setSlot(root, slot, to)
  switch (rng.int(10)) {
    case 0:
      set(randomJson(rng))
      break
    case 1:
      if (slot.parent && !Array.isArray(slot.parent)) delete slot.parent[slot.key as string]
      else if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1)
      else set(null)
      break
    case 2: {
      // a new key in an object, or a new element in an array
      const containers = all.map((s) => slotValue(root, s)).filter((x) => x !== null && typeof x === 'object')
      const t = containers.length > 0 ? rng.pick(containers) : undefined
      if (t && !Array.isArray(t)) (t as Record<string, Json>)[rng.pick(ODD_KEYS)] = randomJson(rng)
      else if (Array.isArray(t))
        t.push(rng.chance(0.5) && t.length > 0 ? structuredClone(t[0]!) : randomJson(rng))
      else set({ [rng.pick(ODD_KEYS)]: randomJson(rng) })
      break
    }
    case 3:
      if (Array.isArray(v) && v.length > 0) {
        // at most 10 000 elements and about maxBytes printed (what is printed bigger is thrown away)
        const fit = Math.floor(Math.min(10_000 / v.length, maxBytes / JSON.stringify(v).length))
        const times = Math.max(2, Math.min(rng.pick([2, 10, 100, 1000]), fit))
        // copies, not shared references: a later mutation inside one would grow every copy at once
        set(Array.from({ length: v.length * times }, (_, i) => structuredClone(v[i % v.length]!)))
      } else set([v, structuredClone(v)])
      break
    case 4:
      set(donorSubtree(rng, donors))
      break
    case 5:
      if (typeof v === 'string') set(mutateString(rng, v, maxBytes))
      else if (typeof v === 'number') set(mutateNumber(rng, v))
      else set(randomJson(rng))
      break
    case 6:
      if (typeof v === 'number') set(mutateNumber(rng, v))
      else if (typeof v === 'string') set(mutateString(rng, v, maxBytes))
      else set(rng.pick(ODD_NUMBERS))
      break
    case 7: {
      // deep nesting of the node itself (arrays, or objects keyed like its own place)
      let nested: Json = v
      const depth = rng.pick([2, 10, 100, 1000])
      for (let d = 0; d < depth; d++)
        nested = rng.chance(0.5) ? [nested] : { [String(slot.key ?? 'x')]: nested }
      set(nested)
      break
    }
    case 8:
      // a type swap: arrays for objects and the other way round
      if (Array.isArray(v)) set(Object.fromEntries(v.map((x, i) => [String(i), x])))
      else if (v !== null && typeof v === 'object') set(Object.values(v))
      else set([v])
      break
    default:
      set(v === null ? randomJson(rng) : null)
  }
  return root.v
}

/** One character-level mutation of JSON text (mostly making it malformed). */
export function mutateText(rng: Rng, text: string): string {
  const at = rng.int(text.length + 1)
  switch (rng.int(6)) {
    case 0:
      return text.slice(0, at)
    case 1:
      return text.slice(0, at) + text.slice(at + rng.range(1, 8))
    case 2:
      return (
        text.slice(0, at) +
        rng.pick(['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', ' ', '\u0000']) +
        text.slice(at)
      )
    case 3: {
      const len = rng.range(1, 64)
      return text.slice(0, at) + text.slice(at, at + len).repeat(rng.range(2, 10)) + text.slice(at)
    }
    case 4:
      return `${'['.repeat(rng.pick([10, 1000, 100_000]))}${text}`
    default:
      return text.slice(0, at) + String.fromCharCode(rng.int(0x10000)) + text.slice(at + 1)
  }
}

/** A random string: JSON-ish tokens, printable ASCII or arbitrary UTF-16. */
export function randomText(rng: Rng): string {
  const kind = rng.int(3)
  const n = rng.size(2000)
  if (kind === 0) return JSON.stringify(randomJson(rng))
  let s = ''
  for (let i = 0; i < n; i++)
    s += kind === 1 ? String.fromCharCode(rng.range(0x20, 0x7e)) : String.fromCharCode(rng.int(0x10000))
  return s
}

export type { Json }
