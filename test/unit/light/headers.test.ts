// The light client's header checks against the reference chains (test/vectors/data/oracle-chain.json): every
// header of chains built by the Rivine reference verifies, with the reference's IDs and child targets, by
// both signature backends; and each check refuses a header broken in its way, naming the height.
import { describe, expect, it } from 'vitest'
import { bytesToBigint, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { genesisBlock } from '../../../consensus/params/chain.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { LightError } from '../../../light/errors.js'
import { HeaderChain } from '../../../light/headers.js'
import { type LightHeader, lightHeader } from '../../../light/proof.js'
import { chooseSignatureBackend, nobleBackend } from '../../../light/signatures.js'
import { loadOracleChains } from '../../utils/oracle.js'

const codec = new BlockCodec(coreRegistry())
const chains = loadOracleChains()
const NOW = () => 4_000_000_000

/** The light headers of a reference chain from genesis (the vectors list blocks from height 1). */
async function lightHeadersOf(c: (typeof chains)[number]): Promise<LightHeader[]> {
  const blocks: Block[] = [genesisBlock(c.def), ...c.blocks]
  const out: LightHeader[] = []
  for (const [h, b] of blocks.entries()) out.push(await lightHeader(codec, b, h, (x) => blocks[x]))
  return out
}

async function refusal(p: Promise<unknown>): Promise<LightError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LightError)
  return err as LightError
}

describe('light header chain on the reference chains', () => {
  it('has chains to check', () => {
    expect(chains.length).toBeGreaterThanOrEqual(2)
    expect(chains.some((c) => c.blocks.length >= 300)).toBe(true)
  })

  for (const chain of chains) {
    for (const backend of ['webcrypto', 'noble'] as const) {
      it(`${chain.name}: every header verifies with the reference's IDs and child targets (${backend})`, async () => {
        const sigs = await chooseSignatureBackend(backend)
        expect(sigs.name).toBe(backend)
        const hc = HeaderChain.fromGenesis(chain.def, codec, sigs, NOW)
        expect(toHex(hc.genesisId())).toBe(chain.genesisId)
        const headers = await lightHeadersOf(chain)
        // in pages, as a client syncs
        for (let i = 1; i < headers.length; i += 64) await hc.extend(headers.slice(i, i + 64))
        expect(hc.height).toBe(chain.blocks.length)
        for (const e of chain.expected) {
          const v = hc.at(e.height)!
          expect(toHex(v.id)).toBe(e.id)
          expect(v.childTarget).toBe(bytesToBigint(fromHex(e.child_target)))
        }
      })
    }
  }

  const chain = chains[0]!
  const prepare = async () => {
    const hc = HeaderChain.fromGenesis(chain.def, codec, nobleBackend, NOW)
    const headers = await lightHeadersOf(chain)
    await hc.extend(headers.slice(1, 10))
    return { hc, headers, next: headers[10]! }
  }

  it('refuses a header whose parent is not the verified tip', async () => {
    const { hc, headers } = await prepare()
    const err = await refusal(hc.extend([headers[11]!]))
    expect(err.check).toBe('height')
    const bad = { ...headers[10]!, header: { ...headers[10]!.header, parentId: new Uint8Array(32) } }
    const e2 = await refusal(hc.extend([bad]))
    expect([e2.check, e2.height]).toEqual(['parent', 10])
    expect(hc.height).toBe(9)
  })

  it('refuses a kernel that does not meet the target', async () => {
    const { hc, headers, next } = await prepare()
    // the same chain trusted up to 9 with a child target no kernel meets at 9 (the reference's targets are easy)
    const nine = hc.at(9)!
    const bare = headers.slice(0, 10).map((h) => ({ height: h.height, header: h.header }))
    const checkpoint = { height: 9, id: nine.id, childTarget: 1n, depth: nine.depth! }
    const hard = HeaderChain.fromCheckpoint(chain.def, codec, nobleBackend, NOW, checkpoint, bare)
    const err = await refusal(hard.extend([next]))
    expect([err.check, err.height]).toEqual(['kernel', 10])
    expect(err.message).toMatch(/^header 10: kernel: /)
    expect(hard.height).toBe(9)
  })

  it('refuses a wrong Merkle proof of the staked output', async () => {
    const { hc, next } = await prepare()
    const path = next.stake!.proof.path.map((p) => p.slice())
    const stake = next.stake!.proof.path.length
      ? { ...next.stake!, proof: { ...next.stake!.proof, path: path.map((p) => p.fill(1)) } }
      : { ...next.stake!, proof: { ...next.stake!.proof, leafCount: next.stake!.proof.leafCount + 1 } }
    const err = await refusal(hc.extend([{ ...next, stake }]))
    expect([err.check, err.height]).toEqual(['stake-proof', 10])
  })

  it('refuses a forged stake output (a transaction not in the creating block)', async () => {
    const { hc, next } = await prepare()
    const forged = codec.registry.decode(next.stake!.transaction)
    const bigger = {
      ...forged,
      blockStakeOutputs: forged.blockStakeOutputs.map((o) => ({ ...o, value: o.value * 1000n })),
    }
    const stake = { ...next.stake!, transaction: codec.registry.encode(bigger) }
    const err = await refusal(hc.extend([{ ...next, stake }]))
    expect([err.check, err.height]).toEqual(['stake-proof', 10])
  })

  it('refuses a respend that is not in the block', async () => {
    const { hc, next, headers } = await prepare()
    // block 9's respend: a real transaction, but not in block 10
    const err = await refusal(hc.extend([{ ...next, respend: headers[9]!.respend! }]))
    expect([err.check, err.height]).toEqual(['respend-proof', 10])
  })

  it('refuses a header without proofs', async () => {
    const { hc, next } = await prepare()
    const err = await refusal(hc.extend([{ height: 10, header: next.header }]))
    expect([err.check, err.height]).toEqual(['stake-proof', 10])
  })

  it('refuses a lighter fork and keeps its tip', async () => {
    const { hc, headers } = await prepare()
    await hc.extend(headers.slice(10, 20))
    const tip = toHex(hc.tip.id)
    // the same headers from 15 on are no fork at all: re-offering part of the chain is not heavier
    const err = await refusal(hc.extend(headers.slice(15, 18)))
    expect([err.check, err.height]).toEqual(['fork', 17])
    expect(toHex(hc.tip.id)).toBe(tip)
  })

  it('starts from a checkpoint: links below it, checks above it', async () => {
    const headers = await lightHeadersOf(chain)
    const full = HeaderChain.fromGenesis(chain.def, codec, nobleBackend, NOW)
    await full.extend(headers.slice(1))
    const cp = full.at(20)!
    const checkpoint = { height: 20, id: cp.id, childTarget: cp.childTarget!, depth: cp.depth! }
    const bare = headers.slice(0, 21).map((h) => ({ height: h.height, header: h.header }))
    const hc = HeaderChain.fromCheckpoint(chain.def, codec, nobleBackend, NOW, checkpoint, bare)
    await hc.extend(headers.slice(21))
    expect(toHex(hc.tip.id)).toBe(toHex(full.tip.id))
    expect(hc.tip.depth).toBe(full.tip.depth)
    const wrong = { ...checkpoint, id: full.at(19)!.id }
    expect(() => HeaderChain.fromCheckpoint(chain.def, codec, nobleBackend, NOW, wrong, bare)).toThrow(
      /checkpoint/,
    )
  })
})
