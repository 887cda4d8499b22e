// DESIGN §5: gossip. Blocks and transaction sets on the chain's two gossipsub topics, each validated before
// it is relayed: ACCEPT relays, IGNORE drops quietly, REJECT drops and penalises the sender.
import { type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { toHex } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { ValidationError } from '../consensus/validation/errors.js'
import { validationVerdict } from '../consensus/validation/verdict.js'
import { ProtocolViolation } from './chain-protocols.js'
import { errorText, type P2PContext } from './context.js'
import { PENALTY } from './penalties.js'
import type { GossipTopics } from './protocols/ids.js'
import type { Status, WireMessages } from './protocols/messages.js'
import type { PoolLike, PoolRefusal } from './types.js'

export interface GossipOptions {
  readonly pool: PoolLike
  /** REJECT or IGNORE for an error the pool threw (p2p cannot see the pool's error type). */
  readonly judgePoolError: (err: unknown) => PoolRefusal
  readonly messages: WireMessages
  readonly topics: GossipTopics
  /** Transaction sets are ignored while not synced (they spend outputs we may not have yet). */
  readonly synced: () => boolean
  /** A sync run is under way (it brings the parents of orphans anyway). */
  readonly syncing: () => boolean
  readonly statusOf: (peer: string) => Status | undefined
  /** Asks the peer for its status again (a peer far ahead then gets a locator sync). */
  readonly refreshStatus: (peer: PeerId) => Promise<unknown>
  /** A valid gossiped block that did not become the tip. */
  readonly onSideBlock: (id: Uint8Array, height: number) => void
}

/** Ancestors fetched by ID for a gossiped orphan before falling back to a locator sync. */
const MAX_ANCESTORS = 32
const MAX_FUTURE_RETRIES = 16

export class Gossip {
  private readonly fetchingParents = new Set<string>()
  private readonly futureTimers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly ctx: P2PContext,
    private readonly opts: GossipOptions,
  ) {}

  /** Subscribes to both topics with their validators (the host is started). */
  start(): void {
    const pubsub = this.ctx.host.services.pubsub
    const { topics } = this.opts
    pubsub.topicValidators.set(topics.blocks, this.validateBlock)
    pubsub.topicValidators.set(topics.txs, this.validateTransactions)
    pubsub.subscribe(topics.blocks)
    pubsub.subscribe(topics.txs)
  }

  stop(): void {
    for (const t of this.futureTimers) clearTimeout(t)
    this.futureTimers.clear()
    const pubsub = this.ctx.host.services.pubsub
    pubsub.topicValidators.delete(this.opts.topics.blocks)
    pubsub.topicValidators.delete(this.opts.topics.txs)
  }

  /** Gossips a block this node created; returns the number of peers it was sent to. */
  publishBlock(block: Block): Promise<number> {
    return this.publish(this.opts.topics.blocks, this.opts.messages.encodeGossipBlock(block))
  }

  /** Gossips a transaction set this node accepted from its API; returns the number of peers it was sent to. */
  publishTransactionSet(txs: readonly Transaction[]): Promise<number> {
    return this.publish(this.opts.topics.txs, this.opts.messages.encodeGossipTransactions(txs))
  }

  private async publish(topic: string, data: Uint8Array): Promise<number> {
    if (!this.ctx.running) return 0
    try {
      const { recipients } = await this.ctx.host.services.pubsub.publish(topic, data)
      return recipients.length
    } catch (err) {
      this.ctx.log.warn({ event: 'gossip:publish-failed', topic, err: errorText(err) }, 'publish failed')
      return 0
    }
  }

  /**
   * tip/side → ACCEPT; duplicate/future → IGNORE; orphan → IGNORE + fetch parents; invalid → by the rule's
   * verdict: REJECT and a ban, or IGNORE (our clock decides it).
   */
  private readonly validateBlock = async (from: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const { chain, log, penalties } = this.ctx
    let block: Block
    try {
      block = this.opts.messages.decodeGossipBlock(msg.data)
    } catch (err) {
      penalties.penalise(from.toString(), PENALTY.badMessage, `undecodable gossiped block: ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
    try {
      const result = await chain.addBlock(block, from.toString())
      // how late blocks arrive and what became of them (devnet diagnostics: forks, ties, lag)
      log.debug(
        {
          event: 'gossip:block',
          status: result.status,
          id: toHex(result.id),
          parent: toHex(block.parentId),
          timestamp: block.timestamp,
          lagMs: Date.now() - block.timestamp * 1000,
        },
        'gossiped block',
      )
      switch (result.status) {
        case 'side':
          this.opts.onSideBlock(result.id, result.height)
          return TopicValidatorResult.Accept
        case 'tip':
          return TopicValidatorResult.Accept
        case 'duplicate':
          return TopicValidatorResult.Ignore
        case 'future':
          this.retryLater(block, result.retryAt)
          return TopicValidatorResult.Ignore
        case 'orphan':
          void this.fetchAncestors(from, result.parentId)
          return TopicValidatorResult.Ignore
      }
    } catch (err) {
      if (err instanceof ValidationError) {
        if (validationVerdict(err.code, 'block') === 'ignore') {
          log.debug({ peer: from.toString(), rule: err.code, err: err.message }, 'gossiped block ignored')
          return TopicValidatorResult.Ignore
        }
        penalties.penalise(
          from.toString(),
          PENALTY.invalidBlock,
          `it gossiped an invalid block: ${err.code}: ${err.message}`,
        )
        return TopicValidatorResult.Reject
      }
      log.debug({ err: errorText(err) }, 'gossiped block not added')
      return TopicValidatorResult.Ignore
    }
  }

  /** A block valid but ahead of our clock is tried again when its time comes (a bounded number of them). */
  private retryLater(block: Block, retryAt: number): void {
    if (this.futureTimers.size >= MAX_FUTURE_RETRIES) return
    const delay = Math.max(0, retryAt * 1000 - Date.now()) + 50
    const t = setTimeout(() => {
      this.futureTimers.delete(t)
      if (this.ctx.running) this.ctx.chain.addBlock(block).catch(() => undefined)
    }, delay)
    t.unref()
    this.futureTimers.add(t)
  }

  /** The parents of a gossiped orphan, by ID from the peer that sent it; a locator sync when too many. */
  private async fetchAncestors(peer: PeerId, parentId: Uint8Array): Promise<void> {
    const { chain, log, penalties } = this.ctx
    const key = toHex(parentId)
    if (
      !this.ctx.running ||
      this.opts.syncing() ||
      this.fetchingParents.has(key) ||
      this.fetchingParents.size >= 4
    )
      return
    this.fetchingParents.add(key)
    try {
      const known = this.opts.statusOf(peer.toString())
      if (known && known.height - chain.height > MAX_ANCESTORS) {
        // far behind this peer: a status refresh starts a locator sync
        await this.opts.refreshStatus(peer)
        return
      }
      const missing: Block[] = []
      let want = parentId
      while (!(await chain.meta(want))) {
        if (missing.length >= MAX_ANCESTORS) {
          // too far behind for one-by-one fetches: a status refresh starts a locator sync
          await this.opts.refreshStatus(peer)
          return
        }
        const block = await this.ctx.host.services.chain.block(peer, want)
        if (!block) return
        missing.unshift(block)
        want = block.parentId
      }
      if (missing.length === 0) return
      const { error } = await chain.addBlocks(missing)
      const invalid = error?.error
      if (invalid instanceof ValidationError && validationVerdict(invalid.code, 'block') === 'reject')
        penalties.penalise(
          peer.toString(),
          PENALTY.invalidBlock,
          `it served an invalid block: ${invalid.code}: ${invalid.message}`,
        )
    } catch (err) {
      if (err instanceof ProtocolViolation)
        penalties.penalise(peer.toString(), PENALTY.badMessage, `bad block answer: ${err.message}`)
      else log.debug({ err: errorText(err) }, 'fetching the parents of an orphan failed')
    } finally {
      this.fetchingParents.delete(key)
    }
  }

  /**
   * accepted → ACCEPT; refused → the refusal's verdict: IGNORE (duplicates, conflicts, a full pool, rules our
   * tip or clock decides) or REJECT with a penalty weighted by the signature checks the set could cost.
   */
  private readonly validateTransactions = async (
    from: PeerId,
    msg: Message,
  ): Promise<TopicValidatorResult> => {
    const { penalties } = this.ctx
    const peer = from.toString()
    let txs: readonly Transaction[]
    try {
      txs = this.opts.messages.decodeGossipTransactions(msg.data)
    } catch (err) {
      penalties.penalise(peer, PENALTY.badMessage, `undecodable gossiped transactions: ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
    // while catching up, transactions spend outputs we do not have yet
    if (!this.opts.synced()) return TopicValidatorResult.Ignore
    try {
      await this.opts.pool.addSet(txs)
      return TopicValidatorResult.Accept
    } catch (err) {
      const refusal = this.opts.judgePoolError(err)
      if (refusal.verdict === 'ignore') return TopicValidatorResult.Ignore
      const points = Math.min(
        penalties.banScore,
        PENALTY.rejectedSet + PENALTY.perSignature * signatureChecks(txs, refusal.transaction),
      )
      penalties.penalise(peer, points, `refused transaction set (${refusal.code}): ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
  }
}

/**
 * The signature checks a set could have cost before it failed at transaction `failedAt` (every input of
 * the transactions up to it; all of them when the index is unknown): an upper bound, one per input.
 */
export function signatureChecks(txs: readonly Transaction[], failedAt?: number): number {
  const upTo = failedAt === undefined ? txs.length : Math.min(txs.length, failedAt + 1)
  let n = 0
  for (let i = 0; i < upTo; i++) n += txs[i]!.coinInputs.length + txs[i]!.blockStakeInputs.length
  return n
}
