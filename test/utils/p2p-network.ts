// In-process P2P test networks: real libp2p hosts on 127.0.0.1 port 0 over real LevelDB chains in temp dirs,
// each stopped and its directory removed by `stopAll`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import type { Block } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { Chain } from '../../node/chain/chain.js'
import { openLevelStore } from '../../node/db/level.js'
import { TransactionPool } from '../../node/mempool/pool.js'
import { judgePoolError } from '../../node/pool-verdict.js'
import { P2PService, type P2PServiceOptions } from '../../p2p/service.js'

export interface TestNode {
  readonly name: string
  readonly p2p: P2PService
  readonly chain: Chain
  readonly pool: TransactionPool
  readonly dir: string
}

export type StartOptions = {
  /** Blocks of the network's chain to add before starting (a prefix). */
  readonly height?: number
  /** Bootstrap peers. */
  readonly peers?: readonly TestNode[]
  readonly def?: ChainDefinition
  /** The chain's clock (unix seconds). */
  readonly now?: () => number
} & Partial<P2PServiceOptions>

export class TestNetwork {
  readonly running: TestNode[] = []

  constructor(
    private readonly def: ChainDefinition,
    private readonly blocks: () => readonly Block[],
    private readonly logger: Logger,
  ) {}

  async start(name: string, opts: StartOptions = {}): Promise<TestNode> {
    const { height, peers, def: chainDef, now, ...serviceOpts } = opts
    const dir = mkdtempSync(join(tmpdir(), `blockstake-p2p-${name}-`))
    const chain = await Chain.open({
      store: await openLevelStore(join(dir, 'chain')),
      def: chainDef ?? this.def,
      registry: coreRegistry(),
      verifier: nodeEd25519,
      ...(now ? { now } : {}),
    })
    try {
      if (height) {
        const { error } = await chain.addBlocks(this.blocks().slice(0, height))
        if (error) throw error.error
      }
      const pool = new TransactionPool({ chain, verifier: nodeEd25519 }).attach()
      const p2p = await P2PService.create({
        chain,
        pool,
        judgePoolError,
        dataDir: dir,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: (peers ?? []).map((n) => n.p2p.listenAddresses[0]!),
        logger: this.logger.child({ node: name }),
        requestTimeoutMs: 5_000,
        ...serviceOpts,
      })
      const n: TestNode = { name, p2p, chain, pool, dir }
      this.running.push(n)
      await p2p.start()
      return n
    } catch (err) {
      if (!this.running.some((n) => n.chain === chain)) {
        await chain.close()
        rmSync(dir, { recursive: true, force: true })
      }
      throw err
    }
  }

  async stopAll(): Promise<void> {
    for (const n of this.running.splice(0).reverse()) {
      await n.p2p.stop()
      n.pool.detach()
      await n.chain.close()
      rmSync(n.dir, { recursive: true, force: true })
    }
  }
}

/** Polls `ready` every 20 ms; fails after `ms`. */
export async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const connected = (a: TestNode, b: { p2p: { peerId: string } } | string) =>
  a.p2p.peers().some((p) => p.id === (typeof b === 'string' ? b : b.p2p.peerId))

export const subscribed = (a: TestNode, b: TestNode) =>
  a.p2p.libp2p.services.pubsub.getSubscribers(a.p2p.topics.blocks).some((p) => p.toString() === b.p2p.peerId)

export const tipHex = (n: TestNode) => toHex(n.chain.tip.id)

/** Resident set size in MB (for tests that print memory before and after). */
export const rssMb = () => Math.round(process.memoryUsage().rss / 1e5) / 10
