// What the parts of the P2P service share; the service (p2p/service.ts) provides it.
import type { Logger } from 'pino'
import type { Host } from './host.js'
import type { Penalties } from './penalties.js'
import type { ChainLike } from './types.js'

export interface P2PContext {
  readonly chain: ChainLike
  readonly log: Logger
  readonly penalties: Penalties
  /** The libp2p host. */
  readonly host: Host
  /** Between start() and stop(). */
  readonly running: boolean
  /** Aborted by stop(): every request and wait in flight ends. */
  readonly signal: AbortSignal
  /** Deadline of every request and dial. */
  readonly requestTimeoutMs: number
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
