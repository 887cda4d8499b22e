import { describe, expect, it } from 'vitest'
import { jsonPreview } from '../../../../consensus/encoding/json.js'

describe('jsonPreview', () => {
  it('is the start of the JSON text for values of every kind', () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -1.5,
      'ed25519:ab',
      'a "quoted" \\ string',
      [],
      {},
      [1, [2, [3]], { a: null }],
      { toString: null },
      { version: [{ version: 'x'.repeat(100) }] },
      'y'.repeat(100),
    ]
    for (const v of values) {
      expect(jsonPreview(v)).toBe(JSON.stringify(v).slice(0, 40))
      expect(jsonPreview(v, 7)).toBe(JSON.stringify(v).slice(0, 7))
    }
    expect(jsonPreview(undefined)).toBe('undefined')
  })

  it('visits only what it prints of a huge or deeply nested value', () => {
    // 200,000 levels (JSON.stringify would overflow the stack) and 10^6 elements
    const nest = (from: number) => {
      let v: unknown = 1
      for (let i = from; i < 200_000; i++) v = i % 2 ? [v] : { v }
      return v
    }
    // its outer 50 levels are those of a value JSON.stringify can write
    expect(jsonPreview(nest(0))).toBe(JSON.stringify(nest(199_950)).slice(0, 40))
    let visited = 0
    const wide = new Proxy(new Array(1_000_000).fill(7), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) visited++
        return Reflect.get(target, key, receiver)
      },
    })
    expect(jsonPreview(wide)).toBe(`[${'7,'.repeat(30)}`.slice(0, 40))
    expect(visited).toBeLessThan(25)
  })
})
