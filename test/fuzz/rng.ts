// A small seeded PRNG (sfc32 seeded by splitmix32): every fuzz input is a pure function of (seed, target,
// index), so any input a run reports is reproduced by its index alone (`npm run fuzz -- --only <index>`).

function splitmix32(state: number): () => number {
  let s = state >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a of a string: folds a target name into the seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(...seeds: number[]) {
    let mixed = 0x6a09e667
    for (const s of seeds) mixed = splitmix32((mixed ^ s) >>> 0)()
    const init = splitmix32(mixed)
    this.a = init()
    this.b = init()
    this.c = init()
    this.d = init()
    for (let i = 0; i < 8; i++) this.u32()
  }

  /** sfc32. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n)
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!
  }

  /** A length biased to small values: mostly under 64, sometimes up to `max`. */
  size(max: number): number {
    const r = this.int(100)
    if (r < 60) return this.int(Math.min(max, 64) + 1)
    if (r < 90) return this.int(Math.min(max, 1024) + 1)
    return this.int(max + 1)
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff
    return out
  }
}
