// The full node's composition root (DESIGN §5): chain on LevelDB, transaction pool, P2P, block creation
// and the HTTP API, started and stopped in order.
import type { Logger } from 'pino'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import type { ExtensionCatalog } from '../consensus/extensions/catalog.js'
import type { ChainDefinition } from '../consensus/params/chain.js'
import type { SigningKey } from '../consensus/types/sign.js'
import { P2PService } from '../p2p/service.js'
import { createApi } from './api/server.js'
import { BlockCreator } from './blockcreator/creator.js'
import type { Chain } from './chain/chain.js'
import type { ChainIndexer } from './chain/indexers.js'
import { chainRules, openDataDir } from './datadir.js'
import { BUILTIN_NODE_EXTENSIONS, type NodeExtension } from './extensions.js'
import { TransactionPool } from './mempool/pool.js'
import { judgePoolError } from './pool-verdict.js'

export interface NodeOptions {
  readonly def: ChainDefinition
  readonly dataDir: string
  readonly api: { readonly host: string; readonly port: number }
  readonly apiToken?: string
  readonly listen: readonly string[]
  readonly bootstrap: readonly string[]
  /** Keys whose block stake outputs this node stakes with (none: the node only relays). */
  readonly stakeKeys: readonly SigningKey[]
  readonly logger: Logger
  readonly maxPeers?: number
  /** The extensions the node knows (default: the built-in ones); a chain builder's program adds its own. */
  readonly catalog?: ExtensionCatalog
  /** Indexes written in each block's batch besides the transaction and address index (an extension's). */
  readonly indexers?: readonly ChainIndexer[]
  /** Indexers and API routes of node extensions (default: the built-in ones, the notary index). */
  readonly nodeExtensions?: readonly NodeExtension[]
}

export class BlockstakeNode {
  private stopping: Promise<void> | undefined

  private constructor(
    readonly chain: Chain,
    readonly pool: TransactionPool,
    readonly p2p: P2PService,
    readonly api: Awaited<ReturnType<typeof createApi>>,
    readonly creator: BlockCreator | undefined,
    private readonly logger: Logger,
  ) {}

  /** Opens the data dir (resuming its stored tip), joins the network, serves the API, creates blocks. */
  static async start(opts: NodeOptions): Promise<BlockstakeNode> {
    const log = opts.logger
    const extensions = opts.nodeExtensions ?? BUILTIN_NODE_EXTENSIONS
    const indexers = [...extensions.flatMap((e) => e.indexers ?? []), ...(opts.indexers ?? [])]
    const chain = await openDataDir(opts.dataDir, opts.def, {
      create: true,
      ...(opts.catalog ? { catalog: opts.catalog } : {}),
      indexers,
    })
    const pool = new TransactionPool({
      chain,
      verifier: nodeEd25519,
      onError: (err) => log.warn({ err }, 'pool recheck failed'),
    }).attach()
    let p2p: P2PService | undefined
    let api: Awaited<ReturnType<typeof createApi>> | undefined
    try {
      p2p = await P2PService.create({
        chain,
        pool,
        judgePoolError,
        dataDir: opts.dataDir,
        listen: [...opts.listen],
        bootstrap: [...opts.bootstrap],
        logger: log,
        ...(opts.maxPeers !== undefined ? { maxPeers: opts.maxPeers } : {}),
      })
      await p2p.start()
      const network = p2p
      api = await createApi({
        chain,
        pool,
        network,
        host: opts.api.host,
        port: opts.api.port,
        ...(opts.apiToken !== undefined ? { token: opts.apiToken } : {}),
        logger: log,
        extensions: chainRules(opts.def, opts.catalog).extensions,
        routes: extensions.flatMap((e) => (e.routes ? [e.routes] : [])),
        publishTransactionSet: (txs) => {
          network
            .publishTransactionSet(txs)
            .catch((err) => log.warn({ err }, 'could not publish a transaction set'))
        },
      })
    } catch (err) {
      await api?.close().catch(() => undefined)
      await p2p?.stop().catch(() => undefined)
      pool.detach()
      await chain.close()
      throw err
    }
    let creator: BlockCreator | undefined
    if (opts.stakeKeys.length > 0) {
      const network = p2p
      creator = new BlockCreator({
        chain,
        keys: opts.stakeKeys,
        ed: nodeEd25519,
        pool,
        canCreate: () => network.synced,
        onPoolFailure: (err) =>
          log.warn(
            { err: err.message, rule: err.code },
            'a block with pool transactions failed: made it without them',
          ),
        onBuilding: (at) => log.debug({ event: 'creator:building', ...at }, 'building a block'),
      })
      creator.start(
        (block, result) => {
          if (result.status !== 'tip') return
          log.info(
            { height: result.height, id: Buffer.from(result.id).toString('hex'), timestamp: block.timestamp },
            'created block',
          )
          network.publishBlock(block).catch((err) => log.warn({ err }, 'could not publish a block'))
        },
        (err) => log.warn({ err }, 'block creation failed'),
      )
      const c = creator
      network.on('synced', () => c.wake())
      chain.on('side', (id, height) => c.noteCompetitor(id, height))
    }
    chain.on('tip', (tip) =>
      log.debug(
        { height: tip.height, id: Buffer.from(tip.id).toString('hex'), timestamp: tip.timestamp },
        'new tip',
      ),
    )
    log.info(
      { api: api.url, p2p: p2p.listenAddresses, height: chain.height, staking: opts.stakeKeys.length > 0 },
      'node started',
    )
    return new BlockstakeNode(chain, pool, p2p, api, creator, log)
  }

  /** Stops block creation, the API and the network, then closes the chain (no write is lost). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.creator?.stop()
      await this.api.close().catch((err) => this.logger.warn({ err }, 'api close failed'))
      await this.p2p.stop().catch((err) => this.logger.warn({ err }, 'p2p stop failed'))
      this.pool.detach()
      await this.chain.close()
      this.logger.info('node stopped')
    })()
    return this.stopping
  }
}
