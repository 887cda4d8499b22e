// DESIGN §5: gossip. Blocks and transaction sets on the chain's two gossipsub topics, each validated before
// it is relayed: ACCEPT relays, IGNORE drops quietly, REJECT drops and penalises the sender.
import { type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { equalBytes, toHex } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { ValidationError } from '../consensus/validation/errors.js'
import { validationVerdict } from '../consensus/validation/verdict.js'
import { ProtocolViolation } from './chain-protocols.js'
import { errorText, type P2PContext } from './context.js'
import { PENALTY } from './penalties.js'
import type { GossipTopics } from './protocols/ids.js'
import { MAX_GOSSIP_SETS, type Status, type WireMessages } from './protocols/messages.js'
import { chainLocator, checkLocatorAnswer } from './sync.js'
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
}

/**
 * How long a set accepted from the API waits for others to share its gossip message: each message costs
 * its envelope signature, its ID, framing and encryption per peer, and a validation round at every peer.
 */
export const GOSSIP_BATCH_MS = 50

/**
 * Pool refusals (IGNORE) that still let a message be relayed as it is: the set, or each of its transactions,
 * is in our pool or in a block already, so it was validated here in full.
 */
const RELAY_SAFE: ReadonlySet<string> = new Set(['duplicate', 'already-confirmed'])

/** Ancestors fetched by ID for a gossiped orphan before falling back to a locator sync. */
const MAX_ANCESTORS = 32
const MAX_FUTURE_RETRIES = 16

/** Sets waiting to be gossiped together, encoded, with the callers waiting for the peer count. */
interface Outbox {
  readonly sets: Uint8Array[]
  /** The message's size so far (its list prefix and the sets). */
  bytes: number
  readonly sent: ((peers: number) => void)[]
  readonly timer: NodeJS.Timeout
}

export class Gossip {
  private readonly fetchingParents = new Set<string>()
  private readonly futureTimers = new Set<NodeJS.Timeout>()
  private outbox: Outbox | undefined
  /** Gossip validations under way, per peer (the host takes one message of a peer at a time: host.ts). */
  private readonly validating = new Map<string, number>()
  /** The most validations one peer ever had under way at once (tests, diagnostics). */
  peakValidationsPerPeer = 0

  constructor(
    private readonly ctx: P2PContext,
    private readonly opts: GossipOptions,
  ) {}

  /** Subscribes to both topics with their validators (the host is started). */
  start(): void {
    const pubsub = this.ctx.host.services.pubsub
    const { topics } = this.opts
    pubsub.topicValidators.set(topics.blocks, this.counted(this.validateBlock))
    pubsub.topicValidators.set(topics.txs, this.counted(this.validateTransactions))
    pubsub.subscribe(topics.blocks)
    pubsub.subscribe(topics.txs)
  }

  /** `validate`, counted in `validating` while it runs. */
  private counted(
    validate: (from: PeerId, msg: Message) => Promise<TopicValidatorResult>,
  ): (from: PeerId, msg: Message) => Promise<TopicValidatorResult> {
    return async (from, msg) => {
      const peer = from.toString()
      const n = (this.validating.get(peer) ?? 0) + 1
      this.validating.set(peer, n)
      this.peakValidationsPerPeer = Math.max(this.peakValidationsPerPeer, n)
      try {
        return await validate(from, msg)
      } finally {
        const left = (this.validating.get(peer) ?? 1) - 1
        if (left > 0) this.validating.set(peer, left)
        else this.validating.delete(peer)
      }
    }
  }

  stop(): void {
    if (this.outbox) {
      clearTimeout(this.outbox.timer)
      for (const sent of this.outbox.sent) sent(0)
      this.outbox = undefined
    }
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

  /**
   * Gossips a transaction set this node accepted from its API, in one message with the other sets accepted
   * within `GOSSIP_BATCH_MS` (up to the message's limits); resolves to the number of peers it was sent to.
   */
  publishTransactionSet(txs: readonly Transaction[]): Promise<number> {
    const { messages } = this.opts
    const set = messages.encodeTransactionSet(txs)
    if (
      this.outbox &&
      (this.outbox.bytes + set.length > messages.maxTransactionSetSize ||
        this.outbox.sets.length >= MAX_GOSSIP_SETS)
    )
      this.flushTransactionSets()
    this.outbox ??= {
      sets: [],
      bytes: 8,
      sent: [],
      timer: setTimeout(() => this.flushTransactionSets(), GOSSIP_BATCH_MS),
    }
    const outbox = this.outbox
    outbox.sets.push(set)
    outbox.bytes += set.length
    return new Promise((resolve) => outbox.sent.push(resolve))
  }

  private flushTransactionSets(): void {
    const outbox = this.outbox
    if (!outbox) return
    this.outbox = undefined
    clearTimeout(outbox.timer)
    const data = this.opts.messages.encodeGossipTransactionSetsRaw(outbox.sets)
    void this.publish(this.opts.topics.txs, data).then((peers) => {
      for (const sent of outbox.sent) sent(peers)
    })
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
    ) {
      log.debug(
        {
          event: 'gossip:orphan-skipped',
          parent: key,
          syncing: this.opts.syncing(),
          fetching: this.fetchingParents.size,
        },
        'parents of an orphan not fetched',
      )
      return
    }
    this.fetchingParents.add(key)
    try {
      const known = this.opts.statusOf(peer.toString())
      if (known && known.height - chain.height > MAX_ANCESTORS) {
        // far behind this peer: a status refresh starts a locator sync
        await this.opts.refreshStatus(peer)
        return
      }
      // the peer's branch from where it leaves ours, in one request: the orphan's parents when the peer
      // follows the orphan's branch (blocks we missed; the other half of a healed partition); else one
      // block per request, as many as MAX_ANCESTORS (at 150 ms each way, 5 parents by ID took 9 s)
      const branch = await this.branchUpTo(peer, parentId)
      const missing = branch ?? (await this.parentsById(peer, parentId))
      if (!missing || missing.length === 0) return
      const { error } = await chain.addBlocks(missing)
      log.debug(
        {
          event: 'gossip:parents',
          parent: key,
          fetched: missing.length,
          via: branch ? 'locator' : 'id',
          error: error && errorText(error.error),
        },
        'fetched the parents of an orphan',
      )
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
   * The orphan's missing ancestors asked one by one from the peer, oldest first; undefined when the peer
   * lacks one, or when more than MAX_ANCESTORS are missing (a status refresh then starts a locator sync).
   */
  private async parentsById(peer: PeerId, parentId: Uint8Array): Promise<Block[] | undefined> {
    const { chain, log } = this.ctx
    const missing: Block[] = []
    for (let want = parentId; !(await chain.meta(want)); ) {
      if (missing.length >= MAX_ANCESTORS) {
        await this.opts.refreshStatus(peer)
        return undefined
      }
      const block = await this.ctx.host.services.chain.block(peer, want)
      if (!block) {
        log.debug({ event: 'gossip:parents', missing: toHex(want) }, 'the peer has no such parent')
        return undefined
      }
      missing.unshift(block)
      want = block.parentId
    }
    return missing
  }

  /**
   * The peer's main-chain blocks after where its chain leaves ours, up to `parentId`, from one locator
   * request (at most MAX_ANCESTORS); undefined when they do not reach it: the peer follows another branch
   * than the orphan's, or the locator's sparse part put the common ancestor far below a deep fork.
   */
  private async branchUpTo(peer: PeerId, parentId: Uint8Array): Promise<Block[] | undefined> {
    const { chain } = this.ctx
    const locator = chainLocator(chain)
    const request = { kind: 'locator', ids: locator, count: MAX_ANCESTORS } as const
    const { blocks } = (await this.ctx.host.services.chain.blocksLater(peer, request))()
    checkLocatorAnswer(locator, blocks)
    const end = blocks.findIndex((b) => equalBytes(chain.codec.id(b), parentId))
    return end < 0 ? undefined : blocks.slice(0, end + 1)
  }

  /**
   * Each set of the message goes to the pool (they are validated together there). Any set refused with
   * REJECT → REJECT, penalised with the signature checks each such set could cost. Otherwise the message is
   * relayed as it is (ACCEPT) only when each of its sets was accepted or is one we hold already
   * (`RELAY_SAFE`): a set ignored for a conflict, a full pool, or a rule our tip or clock decides was never
   * checked in full here (its signatures may be forged), and a peer with another tip or pool would penalise
   * us for relaying it. Such a message is dropped (IGNORE) and the sets we accepted go out in a message of
   * our own; IGNORE when no set was accepted.
   */
  private readonly validateTransactions = async (
    from: PeerId,
    msg: Message,
  ): Promise<TopicValidatorResult> => {
    const { penalties } = this.ctx
    const peer = from.toString()
    let sets: readonly (readonly Transaction[])[]
    try {
      sets = this.opts.messages.decodeGossipTransactionSets(msg.data)
    } catch (err) {
      penalties.penalise(peer, PENALTY.badMessage, `undecodable gossiped transactions: ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
    // while catching up, transactions spend outputs we do not have yet
    if (!this.opts.synced()) return TopicValidatorResult.Ignore
    const results = await Promise.allSettled(sets.map((txs) => this.opts.pool.addSet(txs)))
    const accepted: (readonly Transaction[])[] = []
    let relayable = true
    let points = 0
    let rejected = 0
    let first = ''
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') {
        accepted.push(sets[i]!)
        continue
      }
      const refusal = this.opts.judgePoolError(r.reason)
      if (refusal.verdict === 'ignore') {
        if (!RELAY_SAFE.has(refusal.code)) relayable = false
        continue
      }
      points += PENALTY.rejectedSet + PENALTY.perSignature * signatureChecks(sets[i]!, refusal.transaction)
      if (rejected++ === 0) first = `(${refusal.code}): ${errorText(r.reason)}`
    }
    if (rejected > 0) {
      penalties.penalise(
        peer,
        Math.min(penalties.banScore, points),
        `refused ${rejected} of ${sets.length} gossiped transaction sets, the first ${first}`,
      )
      return TopicValidatorResult.Reject
    }
    if (accepted.length === 0) return TopicValidatorResult.Ignore
    if (relayable) return TopicValidatorResult.Accept
    // relay only what was validated here: the accepted sets, re-encoded, in a message of our own
    for (const txs of accepted) void this.publishTransactionSet(txs)
    return TopicValidatorResult.Ignore
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
