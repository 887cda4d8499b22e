// Ed25519 sign/verify (OpenSSL vs noble) and blake2b-256 throughput. Run: npx tsx bench/crypto.ts
import { randomBytes } from 'node:crypto'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { blake2b256, nobleEd25519 } from '../consensus/crypto/index.js'

/** Calls `op` repeatedly for `seconds` after a warm-up; returns calls per second. */
function measure(op: (i: number) => void, seconds = 1.2, warmupSeconds = 0.2): number {
  const run = (budgetMs: number): number => {
    const start = performance.now()
    let calls = 0
    while (performance.now() - start < budgetMs) op(calls++)
    return calls / ((performance.now() - start) / 1000)
  }
  run(warmupSeconds * 1000)
  return run(seconds * 1000)
}

function report(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'crypto', metric, value: Number(value.toPrecision(3)), unit }))
}

// a handful of keys, so cached KeyObjects are exercised the way a node re-verifies known keys
const seeds = Array.from({ length: 16 }, () => new Uint8Array(randomBytes(32)))
const publicKeys = seeds.map((seed) => nobleEd25519.publicKeyFromSeed(seed))
const messages = seeds.map(() => new Uint8Array(randomBytes(32))) // a sighash is 32 bytes
const signatures = seeds.map((seed, i) => nobleEd25519.sign(seed, messages[i]!))
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!

for (const impl of [nodeEd25519, nobleEd25519]) {
  const verifyRate = measure((i) => {
    if (!impl.verify(pick(publicKeys, i), pick(messages, i), pick(signatures, i)))
      throw new Error('verify failed')
  })
  report(`${impl.name}_verify_per_s`, verifyRate, 'ops/s')
  report(
    `${impl.name}_sign_per_s`,
    measure((i) => impl.sign(pick(seeds, i), pick(messages, i))),
    'ops/s',
  )
}

const small = new Uint8Array(randomBytes(100))
report(
  'blake2b_100b_per_s',
  measure(() => blake2b256(small)),
  'hashes/s',
)
const large = new Uint8Array(randomBytes(1 << 20))
report(
  'blake2b_mb_per_s',
  measure(() => blake2b256(large), 1.5),
  'MB/s',
)
